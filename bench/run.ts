// `npm run bench`: the gateway's speed next to two baselines measured in the same run, so
// the ratios hold on a noisy shared machine:
//   gateway     POST /v1/chat/completions with key authentication, limits and usage
//               records all on (the zero-setup configuration: embedded database, in-memory
//               limits), forwarding to the fake upstream;
//   direct      the same requests sent straight to the fake upstream;
//   do-nothing  a Next route handler on the same server that answers at once
//               (/v1/bench-noop, served only with BENCH_ROUTES=1);
//   bare-forward  a Next route handler on the same server that forwards the body through
//               the same undici Agent with no key, limits or records;
//   gateway-next  the gateway served through Next's router (V1_DIRECT=0, a second server
//               with a copy of the same database) instead of directly by our server;
//   gateway-anthropic  the gateway with a claude-* model: the OpenAI request converted to
//               Anthropic's Messages API and the answer (for streams, a 20-text-delta
//               Anthropic event stream) converted back, from the fake Anthropic upstream;
//   direct-anthropic  the equivalent Messages API requests sent straight to that fake.
// For JSON and for 20-chunk streams, at concurrency 1 and 32. The fake upstream, the
// production server and the load generator (undici) each run in their own process; runs
// are interleaved (every round measures every case once) and medians of the rounds are
// reported. CPU per request is the server process's own CPU time (/proc) divided by the
// requests it served in that run — the steadiest figure on a shared machine.
// Settings: BENCH_ROUNDS (default 3), BENCH_SECONDS per run (default 2); for profiling,
// BENCH_ONLY=gateway,stream limits the cases and BENCH_SERVER_NODE_ARGS="--cpu-prof" adds node
// options to the server's command line. The fake Anthropic writes each stream in one go,
// as the fake OpenAI does; BENCH_ANTHROPIC_EVENT_WRITES=1 makes it write event by event,
// as the real API delivers them (more, smaller reads and writes for the gateway).
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureBuild } from "../scripts/build.mjs";
import type { Job, Result } from "./load";

const ROOT = resolve(import.meta.dirname, "..");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 2) * 1000;
const CLOCK_TICKS = 100; // USER_HZ on Linux

type Target = "gateway" | "direct" | "do-nothing" | "bare-forward" | "gateway-next" | "gateway-anthropic" | "direct-anthropic";
type Mode = "json" | "stream";
const ONLY = (process.env.BENCH_ONLY ?? "").split(",").filter(Boolean);
const pick = <T extends string | number>(xs: T[]) => (xs.some((x) => ONLY.includes(String(x))) ? xs.filter((x) => ONLY.includes(String(x))) : xs);
const TARGETS = pick<Target>(["gateway", "direct", "do-nothing", "bare-forward", "gateway-next", "gateway-anthropic", "direct-anthropic"]);
const MODES = pick<Mode>(["json", "stream"]);
const CONCURRENCY = pick([1, 32]);

const log = (line: string) => console.error(line);

function startChild(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { NODE_ENV: "production", PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolvePromise, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        child.stdout.off("data", onData);
        resolvePromise({ child, match });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk) => (output += chunk));
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}:\n${output}`)));
  });
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS; // utime + stime
}

function runLoad(job: Job): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/load.ts", JSON.stringify(job)], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.once("exit", (code) => (code === 0 ? resolvePromise(JSON.parse(out) as Result) : reject(new Error(`load generator exited with ${code}`))));
  });
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  cpuPerRequest: number | null;
  errors: number;
}

async function main(): Promise<void> {
  await ensureBuild(ROOT, log);

  // A key with limits far above what the run sends: limits are checked, never refused.
  const dataDir = mkdtempSync(join(tmpdir(), "akm-bench-"));
  process.env.DATA_DIR = dataDir;
  const { createKey } = await import("../lib/keys/service");
  const { disconnectDb } = await import("../lib/db/client");
  const { secret } = await createKey({ name: "bench", rateLimit: 1_000_000, dailyLimit: 1_000_000_000 }, { actor: "cli" });
  await disconnectDb(); // releases the embedded database for the server

  const fake = await startChild(["--import", "tsx", "bench/fake-upstream.ts"], {}, /^(\{.*\})\n/m);
  const { baseUrl, apiKey, anthropicUrl, anthropicKey } = JSON.parse(fake.match[1]) as { baseUrl: string; apiKey: string; anthropicUrl: string; anthropicKey: string };
  // The second server needs its own copy: an embedded database has one process.
  const nextDataDir = mkdtempSync(join(tmpdir(), "akm-bench-next-"));
  cpSync(join(dataDir, "pglite"), join(nextDataDir, "pglite"), { recursive: true });
  cpSync(join(dataDir, "secret_key"), join(nextDataDir, "secret_key"));
  const startServer = (dir: string, extra: Record<string, string>) =>
    startChild(
      [...(process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean), "server.mjs", "--no-build"],
      {
        PORT: "0",
        HOST: "127.0.0.1",
        DATA_DIR: dir,
        LOG_LEVEL: "warn",
        BENCH_ROUTES: "1",
        OPENAI_API_KEY: apiKey,
        OPENAI_BASE_URL: baseUrl,
        ANTHROPIC_API_KEY: anthropicKey,
        ANTHROPIC_BASE_URL: anthropicUrl,
        ...extra,
      },
      /\[server\] ready on (http:\/\/\S+)/,
    );
  const servers = await Promise.all([startServer(dataDir, {}), startServer(nextDataDir, { V1_DIRECT: "0" })]).catch((error: unknown) => {
    fake.child.kill("SIGTERM");
    throw error;
  });
  const [server, nextServer] = servers;
  const serverUrl = server.match[1];
  const nextServerUrl = nextServer.match[1];
  const pidOf = (target: Target) => (target === "gateway-next" ? nextServer : server).child.pid!;
  const fakeOrigin = new URL(baseUrl).origin;

  const jobFor = (target: Target, mode: Mode, concurrency: number): Job => {
    if (target === "gateway-anthropic" || target === "direct-anthropic") return anthropicJob(target, mode, concurrency);
    const body = JSON.stringify({
      model: mode === "stream" ? "gpt-4o-mini:chunks=20" : "gpt-4o-mini",
      messages: [{ role: "user", content: "Say hello to the benchmark" }],
      ...(mode === "stream" ? { stream: true } : {}),
    });
    const common = { body, concurrency, warmup: concurrency * 20, durationMs: DURATION_MS };
    if (target === "direct") {
      return { ...common, origin: fakeOrigin, path: "/v1/chat/completions", headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" } };
    }
    const path =
      target === "gateway" ? "/v1/chat/completions" : target === "bare-forward" ? "/v1/bench-noop?forward=1" : `/v1/bench-noop${mode === "stream" ? "?stream=1" : ""}`;
    const origin = target === "gateway-next" ? nextServerUrl : serverUrl;
    return { ...common, origin, path: target === "gateway-next" ? "/v1/chat/completions" : path, headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" } };
  };

  // The fake Anthropic echoes the last user message after "Echo: ", one text delta per word:
  // 19 words make the 20-delta stream the OpenAI case sends as 20 chunks.
  const anthropicJob = (target: "gateway-anthropic" | "direct-anthropic", mode: Mode, concurrency: number): Job => {
    const content = mode === "stream" ? Array.from({ length: 19 }, (_, i) => `word${i}`).join(" ") : "Say hello to the benchmark";
    const common = { concurrency, warmup: concurrency * 20, durationMs: DURATION_MS };
    const stream = mode === "stream" ? { stream: true } : {};
    if (target === "direct-anthropic") {
      return {
        ...common,
        origin: anthropicUrl,
        path: "/v1/messages",
        headers: { "x-api-key": anthropicKey, "anthropic-version": "2023-06-01", "content-type": "application/json" },
        body: JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 4096, messages: [{ role: "user", content: [{ type: "text", text: content }] }], ...stream }),
      };
    }
    return {
      ...common,
      origin: serverUrl,
      path: "/v1/chat/completions",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-haiku-4-5", messages: [{ role: "user", content }], ...stream }),
    };
  };

  const samples = new Map<string, Sample[]>();
  const key = (t: Target, m: Mode, c: number) => `${m} c=${c} ${t}`;
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      log(`[bench] round ${round}/${ROUNDS}`);
      for (const mode of MODES) {
        for (const concurrency of CONCURRENCY) {
          // Rotate the order each round so no target always runs first.
          const order = TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length]);
          for (const target of order) {
            const onServer = target !== "direct" && target !== "direct-anthropic";
            const cpuBefore = onServer ? cpuMs(pidOf(target)) : 0;
            const result = await runLoad(jobFor(target, mode, concurrency));
            const cpuAfter = onServer ? cpuMs(pidOf(target)) : 0;
            const sorted = result.latenciesMs.sort((a, b) => a - b);
            const sample: Sample = {
              rps: result.requests / result.seconds,
              p50: percentile(sorted, 50),
              p99: percentile(sorted, 99),
              cpuPerRequest: onServer ? (cpuAfter - cpuBefore) / result.requests : null,
              errors: result.errors,
            };
            if (result.errors) log(`[bench] ${key(target, mode, concurrency)}: ${result.errors} non-200 answers`);
            samples.set(key(target, mode, concurrency), [...(samples.get(key(target, mode, concurrency)) ?? []), sample]);
          }
        }
      }
    }
  } finally {
    const exited = servers.map(({ child }) => new Promise((r) => child.once("exit", r)));
    for (const { child } of servers) child.kill("SIGTERM");
    fake.child.kill("SIGTERM");
    await Promise.all(exited); // a --cpu-prof profile is written on exit
  }

  const summary = (t: Target, m: Mode, c: number) => {
    const s = samples.get(key(t, m, c)) ?? [{ rps: NaN, p50: NaN, p99: NaN, cpuPerRequest: null, errors: 0 }];
    const cpu = s.map((x) => x.cpuPerRequest).filter((x): x is number => x !== null);
    return { rps: median(s.map((x) => x.rps)), p50: median(s.map((x) => x.p50)), p99: median(s.map((x) => x.p99)), cpu: cpu.length ? median(cpu) : null, errors: s.reduce((n, x) => n + x.errors, 0) };
  };

  const lines: string[] = [];
  const out = (line = "") => lines.push(line);
  out(`api-key-manager gateway benchmark — ${new Date().toISOString()}`);
  out(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load average at the end ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  out(`${ROUNDS} interleaved rounds of ${DURATION_MS / 1000} s per case; medians of the rounds. Gateway: embedded database, in-memory limits, usage records on,`);
  out("served directly by our server (the default); gateway-next: the same through Next's router (V1_DIRECT=0).");
  out();
  out("mode    conc  target             req/s    p50 ms   p99 ms   server CPU/req ms");
  for (const m of MODES) {
    for (const c of CONCURRENCY) {
      for (const t of TARGETS) {
        const s = summary(t, m, c);
        out(`${m.padEnd(7)} ${String(c).padStart(4)}  ${t.padEnd(17)} ${s.rps.toFixed(0).padStart(6)}  ${s.p50.toFixed(2).padStart(7)}  ${s.p99.toFixed(2).padStart(7)}   ${s.cpu === null ? "–" : s.cpu.toFixed(3)}${s.errors ? `   (${s.errors} errors)` : ""}`);
      }
    }
  }
  out();
  out("Ratios");
  for (const m of MODES) {
    for (const c of CONCURRENCY) {
      const ratio = summary("gateway", m, c).rps / summary("do-nothing", m, c).rps;
      const bare = summary("gateway", m, c).rps / summary("bare-forward", m, c).rps;
      const viaNext = summary("gateway-next", m, c).rps / summary("do-nothing", m, c).rps;
      out(
        `  ${m} c=${c}: gateway / do-nothing throughput = ${ratio.toFixed(2)}${c === 32 ? " (target ≥ 0.80)" : ""}; ` +
          `gateway / bare-forward = ${bare.toFixed(2)}; gateway through Next / do-nothing = ${viaNext.toFixed(2)}`,
      );
    }
  }
  for (const m of MODES) {
    const added = summary("gateway", m, 1).p50 - summary("direct", m, 1).p50;
    out(`  ${m} c=1: gateway p50 − direct p50 = ${added.toFixed(2)} ms   (target ≤ 2 ms)`);
  }
  const measured = (...ts: Target[]) => ts.every((t) => TARGETS.includes(t));
  for (const m of MODES) {
    for (const c of CONCURRENCY) {
      if (!measured("gateway-anthropic", "do-nothing")) break;
      const ratio = summary("gateway-anthropic", m, c).rps / summary("do-nothing", m, c).rps;
      const vsOpenAI = summary("gateway-anthropic", m, c).rps / summary("gateway", m, c).rps;
      out(`  ${m} c=${c}: gateway-anthropic / do-nothing throughput = ${ratio.toFixed(2)}${c === 32 ? " (target ≥ 0.80)" : ""}; gateway-anthropic / gateway (OpenAI) = ${vsOpenAI.toFixed(2)}`);
    }
  }
  for (const m of MODES) {
    if (!measured("gateway-anthropic", "direct-anthropic") || !CONCURRENCY.includes(1)) break;
    const added = summary("gateway-anthropic", m, 1).p50 - summary("direct-anthropic", m, 1).p50;
    out(`  ${m} c=1: gateway-anthropic p50 − direct-anthropic p50 = ${added.toFixed(2)} ms   (target ≤ 2 ms)`);
  }
  for (const m of MODES) {
    const g = summary("gateway", m, 32).cpu;
    const n = summary("do-nothing", m, 32).cpu;
    const f = summary("bare-forward", m, 32).cpu;
    if (g !== null && n !== null && f !== null) {
      out(`  ${m} c=32: server CPU per request, gateway − do-nothing = ${(g - n).toFixed(3)} ms, gateway − bare-forward = ${(g - f).toFixed(3)} ms`);
    }
    const a = summary("gateway-anthropic", m, 32).cpu;
    if (a !== null && g !== null) out(`  ${m} c=32: server CPU per request, gateway-anthropic − gateway (the conversion) = ${(a - g).toFixed(3)} ms`);
  }
  console.log(lines.join("\n"));

  const resultsDir = join(ROOT, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify({ report: lines, samples: Object.fromEntries(samples) }, null, 2));
  log(`[bench] raw samples: ${file}`);
}

await main();
