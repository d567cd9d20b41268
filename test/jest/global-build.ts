// Suites that start the production server need `next build` once per run, before any
// worker starts a server.
import { resolve } from "node:path";
import { ensureBuild } from "../../lib/server/build";

export default function globalBuild(): void {
  ensureBuild(resolve(__dirname, "../.."), (line) => console.log(line));
}
