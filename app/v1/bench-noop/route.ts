// The benchmark's do-nothing baseline; a 404 unless BENCH_ROUTES=1 (lib/gateway/bench-noop.ts).
import { handleBenchNoop } from "@akm/core/gateway/bench-noop";

export const dynamic = "force-dynamic";

export const GET = handleBenchNoop;
export const POST = handleBenchNoop;
