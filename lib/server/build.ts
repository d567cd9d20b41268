// `npm start` on a fresh clone must work without a separate build step, and later starts
// must not rebuild. The build is fingerprinted by the content of everything it reads;
// a start with a matching fingerprint skips `next build`.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const INPUTS = ["app", "lib", "components", "generated", "messages", "public"];
const ROOT_FILES = ["next.config.ts", "proxy.ts", "instrumentation.ts", "postcss.config.mjs", "tsconfig.json", "package-lock.json"];
// Tests sit beside the code but are not part of the build.
const IGNORED = /\.test\.(ts|tsx)$|__tests__|__fixtures__|[\\/]fixtures[\\/]|\.md$/;

function* files(root: string, dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(root, path);
    else if (!IGNORED.test(path)) yield relative(root, path);
  }
}

export function buildFingerprint(root: string): string {
  const hash = createHash("sha256");
  const paths = [...INPUTS.flatMap((d) => [...files(root, join(root, d))]), ...ROOT_FILES.filter((f) => existsSync(join(root, f)))].sort();
  for (const path of paths) hash.update(path).update("\0").update(readFileSync(join(root, path))).update("\0");
  return hash.digest("hex");
}

const STAMP = ".next/akm-build-fingerprint";

/** Builds the app unless the last build was made from exactly these sources. */
export function ensureBuild(root: string, log: (line: string) => void): void {
  const fingerprint = buildFingerprint(root);
  const stamp = join(root, STAMP);
  if (existsSync(join(root, ".next", "BUILD_ID")) && existsSync(stamp) && readFileSync(stamp, "utf8") === fingerprint) return;
  log("[start] building the app (first start or changed sources; later starts skip this)…");
  const result = spawnSync(process.execPath, [join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error("next build failed; see the output above");
  writeFileSync(stamp, fingerprint);
}
