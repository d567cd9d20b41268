// Suites that start the production server need the build (scripts/build.mjs: the compiled
// core and `next build`) once per run, before any worker starts a server, and a migrated
// embedded database to copy.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { ensurePgliteDirTemplate } from "../helpers/pglite-dir-template";

export default async function globalBuild(): Promise<void> {
  const root = resolve(__dirname, "../..");
  // A child process: the build script is plain ESM, which jest's module loader would transform.
  const build = spawnSync(process.execPath, ["--input-type=module", "-e", "(await import('./scripts/build.mjs')).ensureBuild(process.cwd(), console.log)"], {
    cwd: root,
    stdio: "inherit",
  });
  if (build.status !== 0) throw new Error("the build failed; see the output above");
  await ensurePgliteDirTemplate();
}
