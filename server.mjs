// Entry point of `npm start`: builds if the sources changed since the last build
// (scripts/build.mjs), then runs the compiled host (lib/server/start.ts, compiled into
// node_modules/@akm/core): plain JavaScript at run time, one copy of every module.
// `--dev` (npm run dev) compiles the core and runs Next's development server instead of
// the production build; `node --watch` restarts it when lib/ changes.
import { fileURLToPath } from "node:url";
import { buildCore, ensureBuild } from "./scripts/build.mjs";

process.setSourceMapsEnabled(true); // stack traces in the server log name the TypeScript lines
const root = fileURLToPath(new URL(".", import.meta.url));
const dev = process.argv.includes("--dev");
if (dev) await buildCore(root);
else if (!process.argv.includes("--no-build")) await ensureBuild(root, (line) => console.log(line));
let host;
try {
  host = await import("@akm/core/server/start");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  console.error("The app is not built (node_modules/@akm/core is missing): run `npm run build`, or `npm start` to build and start.");
  process.exit(1);
}
await host.startServer(root, { dev });
