// The production build, in two parts, so that the server runs one module graph of
// compiled JavaScript:
//   1. the core: every module under lib/ compiled by esbuild into node_modules/@akm/core
//      (ESM, one output file per module plus shared chunks, so each module's state exists
//      once). The host (lib/server) runs from there, and Next's server bundle imports the
//      same files at run time: `@akm/core` is a server external package in next.config.ts,
//      so Next does not bundle its own copies of the services;
//   2. `next build` (the console, /api and auth), with tsconfig.next.json, where
//      `@akm/core/*` is not mapped to the sources.
// `npm start` must work on a fresh clone without a separate build step, and later starts
// must not rebuild: the build is fingerprinted by the content of everything it reads.
//   node scripts/build.mjs          (npm run build) builds both parts
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const INPUTS = ["app", "lib", "components", "generated", "messages", "public"];
const ROOT_FILES = [
  "next.config.ts", "proxy.ts", "postcss.config.mjs", "tsconfig.json", "tsconfig.next.json",
  "package-lock.json", "scripts/build.mjs",
];
// Tests sit beside the code but are not part of the build.
const IGNORED = /\.test\.(ts|tsx)$|\.shared\.ts$|__tests__|__fixtures__|[\\/]fixtures[\\/]|\.md$/;
export const CORE_DIR = join("node_modules", "@akm", "core");
const STAMP = join(".next", "akm-build-fingerprint");

function* files(root, dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(root, path);
    else if (!IGNORED.test(path)) yield relative(root, path);
  }
}

export function buildFingerprint(root) {
  const hash = createHash("sha256");
  const paths = [...INPUTS.flatMap((d) => [...files(root, join(root, d))]), ...ROOT_FILES.filter((f) => existsSync(join(root, f)))].sort();
  for (const path of paths) hash.update(path).update("\0").update(readFileSync(join(root, path))).update("\0");
  return hash.digest("hex");
}

/** Compiles lib/ into node_modules/@akm/core. */
export async function buildCore(root) {
  const { build } = await import("esbuild");
  const entryPoints = [...files(root, join(root, "lib"))].filter((p) => /\.tsx?$/.test(p) && !p.endsWith(".d.ts"));
  const outdir = join(root, CORE_DIR);
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints,
    outbase: "lib",
    outdir,
    bundle: true,
    // One copy of every module: code two entry points share goes into a chunk both import.
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // npm packages are loaded by Node, as Next's server does: one copy of each in the process.
    packages: "external",
    tsconfig: join(root, "tsconfig.json"),
    alias: {
      // `server-only` guards modules against Next's client bundles; Node has no use for it.
      "server-only": "./scripts/empty-module.mjs",
      // `next` has no exports map: Node's ESM loader needs the file names.
      "next/headers": "next/headers.js",
      "next/navigation": "next/navigation.js",
      "next/cache": "next/cache.js",
    },
    sourcemap: "linked",
    logLevel: "warning",
    chunkNames: "_chunks/[name]-[hash]",
  });
  writeFileSync(
    join(outdir, "package.json"),
    JSON.stringify({ name: "@akm/core", private: true, type: "module", exports: { "./*": "./*.js" } }, null, 2) + "\n",
  );
}

function nextBuild(root) {
  const result = spawnSync(process.execPath, [join(root, "node_modules", "next", "dist", "bin", "next"), "build"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) throw new Error("next build failed; see the output above");
}

/** Builds both parts unless the last build was made from exactly these sources. */
export async function ensureBuild(root, log) {
  const fingerprint = buildFingerprint(root);
  const stamp = join(root, STAMP);
  const built =
    existsSync(join(root, ".next", "BUILD_ID")) && existsSync(join(root, CORE_DIR, "package.json")) && existsSync(stamp) && readFileSync(stamp, "utf8") === fingerprint;
  if (built) return;
  log("[start] building the app (first start or changed sources; later starts skip this)…");
  await buildCore(root);
  nextBuild(root);
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, fingerprint);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  await buildCore(root);
  nextBuild(root);
  writeFileSync(join(root, STAMP), buildFingerprint(root));
}
