// The load generator, run as its own process by bench/run.ts: one undici Pool per target
// with `concurrency` keep-alive connections, each connection sending its next request as
// soon as the previous response (the whole body, streams included) has arrived.
// Input: a JSON Job on argv[2]. Output: a JSON Result on stdout.
import { Pool } from "undici";

export interface Job {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  concurrency: number;
  /** Requests to send before measuring (connections and caches warm). */
  warmup: number;
  durationMs: number;
}

export interface Result {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
}

async function run(job: Job): Promise<Result> {
  const pool = new Pool(job.origin, { connections: job.concurrency, pipelining: 1 });
  const once = async (): Promise<{ ok: boolean; ms: number }> => {
    const started = performance.now();
    const res = await pool.request({ path: job.path, method: "POST", headers: job.headers, body: job.body });
    for await (const _chunk of res.body) void _chunk;
    return { ok: res.statusCode === 200, ms: performance.now() - started };
  };
  let sent = 0;
  await Promise.all(Array.from({ length: job.concurrency }, async () => {
    while (sent++ < job.warmup) await once();
  }));
  const latenciesMs: number[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + job.durationMs;
  await Promise.all(Array.from({ length: job.concurrency }, async () => {
    while (performance.now() < end) {
      const { ok, ms } = await once();
      if (ok) latenciesMs.push(ms);
      else errors++;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { requests: latenciesMs.length + errors, errors, seconds, latenciesMs };
}

const job = JSON.parse(process.argv[2]) as Job;
const result = await run(job);
process.stdout.write(JSON.stringify(result));
