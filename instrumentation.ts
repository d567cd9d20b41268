// Next calls register() once per server process before it serves requests. NEXT_RUNTIME
// is Next's build-time switch: the hook is also compiled for the edge runtime, which
// this app never uses.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startRuntimeOrExit } = await import("@akm/core/runtime/start");
  await startRuntimeOrExit();
}
