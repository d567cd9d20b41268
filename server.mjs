// Entry point of `npm start`: loads the TypeScript server (lib/server/start.ts) through tsx.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register();
const root = fileURLToPath(new URL(".", import.meta.url));
const { startServer } = await import("./lib/server/start.ts");
await startServer(root, { build: !process.argv.includes("--no-build") });
