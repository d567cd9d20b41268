// Suites that start the production server need `next build` once per run, before any
// worker starts a server, and a migrated embedded database to copy.
import { resolve } from "node:path";
import { ensureBuild } from "../../lib/server/build";
import { ensurePgliteDirTemplate } from "../helpers/pglite-dir-template";

export default async function globalBuild(): Promise<void> {
  ensureBuild(resolve(__dirname, "../.."), (line) => console.log(line));
  await ensurePgliteDirTemplate();
}
