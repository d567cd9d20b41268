// Nothing lost: every request that reached a client has exactly one record, through a
// killed process (SIGKILL mid-load, then a restart replaying the journal) and a database
// outage (PostgreSQL stopped for 30 s under steady load, then started again). The load
// comes from the official openai client, JSON and streams; each answer's x-request-id is
// looked up in request_logs afterwards.
import type OpenAI from "openai";
import pg from "pg";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { runCliJson } from "@/test/helpers/cli";
import { waitFor } from "@/test/helpers/ports";
import { startGatewayHarness, type GatewayHarness } from "./gateway-harness";

let h: GatewayHarness;
const loads: Load[] = [];
beforeAll(async () => {
  h = await startGatewayHarness();
}, 120_000);
afterEach(async () => {
  await Promise.all(loads.splice(0).map((l) => l.stop()));
});
afterAll(async () => {
  await h?.close();
});

interface Load {
  /** x-request-id of every request whose whole answer reached the client. */
  answered: string[];
  failed: number;
  stop(): Promise<void>;
}

/** `workers` clients in a loop, alternating JSON and 5-chunk streams, until stopped. */
function startLoad(client: OpenAI, workers = 6): Load {
  const answered: string[] = [];
  let failed = 0;
  let running = true;
  const one = async (i: number) => {
    if (i % 2 === 0) {
      const { response } = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: `json ${i}` }] }).withResponse();
      return response.headers.get("x-request-id")!;
    }
    const { data, response } = await client.chat.completions
      .create({ model: "gpt-4o-mini:chunks=5", stream: true, messages: [{ role: "user", content: `stream ${i}` }] })
      .withResponse();
    for await (const chunk of data) void chunk;
    return response.headers.get("x-request-id")!;
  };
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let i = w; running; i += workers) {
      try {
        answered.push(await one(i));
      } catch {
        failed++;
      }
    }
  });
  const load: Load = {
    answered,
    get failed() {
      return failed;
    },
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
  loads.push(load);
  return load;
}

function residentMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))!;
  return Number.parseInt(line.replace(/\D+/g, ""), 10) / 1024;
}

async function recordCounts(url: string, ids: string[]): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ request_id: string; n: number }>(
      `SELECT request_id, count(*)::int AS n FROM request_logs WHERE request_id = ANY($1) GROUP BY 1`,
      [ids],
    );
    return new Map(rows.map((r) => [r.request_id, r.n]));
  } finally {
    await client.end();
  }
}

function expectExactlyOnce(ids: string[], counts: Map<string, number>): void {
  const missing = ids.filter((id) => !counts.has(id));
  const twice = [...counts].filter(([, n]) => n !== 1);
  expect({ missing, twice }).toEqual({ missing: [], twice: [] });
}

const untilAnswered = (load: Load, n: number) => waitFor(`${n} answers`, () => (load.answered.length >= n ? true : Promise.reject(new Error(`${load.answered.length} so far`))), 60_000);

describe("records survive", () => {
  it("a PostgreSQL outage of 30 s under steady load: every answered request has exactly one record, memory stays bounded", async () => {
    const { secret } = await h.createKey({ name: "outage", rateLimit: 1_000_000, dailyLimit: 10_000_000 });
    const server = await h.startServer();
    const client = h.client(server, secret);
    const load = startLoad(client);
    await untilAnswered(load, 200); // the key is cached now
    const rssBefore = residentMiB(server.pid);
    await h.pg.pause();
    const outageStarted = Date.now();
    const answeredBefore = load.answered.length;
    let rssPeak = rssBefore;
    // The outage lasts 30 s of load; resident memory is sampled meanwhile.
    await waitFor("30 s of outage", () => {
      rssPeak = Math.max(rssPeak, residentMiB(server.pid));
      if (Date.now() - outageStarted < 30_000) throw new Error("still in the outage");
    }, 40_000, 500);
    const answeredDuring = load.answered.length - answeredBefore;
    await h.pg.resume();
    await untilAnswered(load, load.answered.length + 100);
    await load.stop();

    expect(answeredDuring).toBeGreaterThan(1000); // the gateway kept answering from its caches
    await waitFor("every answered request's record", async () => {
      const counts = await recordCounts(h.pg.url, load.answered);
      if (counts.size < load.answered.length) throw new Error(`${counts.size} of ${load.answered.length}`);
    }, 120_000, 500);
    expectExactlyOnce(load.answered, await recordCounts(h.pg.url, load.answered));
    // Records past the in-memory queue's 10,000 wait in the journal, not in memory.
    expect(rssPeak - rssBefore).toBeLessThan(150);
    expect(server.output()).toMatch(/\[usage\] could not write/);
    expect(server.output()).toMatch(/\[usage\] writing again/);
    expect(server.output()).not.toMatch(/not recorded|dropped/);
    await server.stop();
  }, 240_000);

  it("SIGKILL under load on PostgreSQL: after a restart, every request answered before the kill has exactly one record", async () => {
    const { secret } = await h.createKey({ name: "sigkill-pg", rateLimit: 1_000_000, dailyLimit: 10_000_000 });
    const first = await h.startServer();
    const load = startLoad(h.client(first, secret), 8);
    await untilAnswered(load, 1500);
    await first.stop("SIGKILL");
    await load.stop();
    const answered = [...load.answered];

    const second = await h.startServer({ DATA_DIR: first.dataDir });
    await waitFor("the journal's replay", async () => {
      const counts = await recordCounts(h.pg.url, answered);
      if (counts.size < answered.length) throw new Error(`${counts.size} of ${answered.length}`);
    }, 60_000, 250);
    expectExactlyOnce(answered, await recordCounts(h.pg.url, answered));
    expect(second.output()).toMatch(/\[usage\] replaying \d+ journaled record/);
    await second.stop();
  }, 180_000);

  it("SIGKILL under load on the embedded database: the restart replays the journal into it", async () => {
    const first = await h.startServer({ DATABASE_URL: undefined, SECRET_KEY: undefined });
    const { key } = await runCliJson<{ key: string }>(["keys", "create", "--name", "sigkill-embedded", "--rate-limit", "1000000", "--daily-limit", "10000000"], { env: { DATA_DIR: first.dataDir } });
    const load = startLoad(h.client(first, key), 8);
    await untilAnswered(load, 1000);
    await first.stop("SIGKILL");
    await load.stop();
    const answered = [...load.answered];

    const second = await h.startServer({ DATABASE_URL: undefined, SECRET_KEY: undefined, DATA_DIR: first.dataDir });
    expect(second.output()).toMatch(/\[usage\] replaying \d+ journaled record/);
    // SIGTERM writes whatever the replay has not yet; then the database can be opened here.
    expect(await second.stop("SIGTERM")).toBe(0);
    const db = await PGlite.create(join(first.dataDir, "pglite"));
    try {
      const { rows } = await db.query<{ request_id: string; n: number }>(
        `SELECT request_id, count(*)::int AS n FROM request_logs WHERE request_id = ANY($1) GROUP BY 1`,
        [answered],
      );
      expectExactlyOnce(answered, new Map(rows.map((r) => [r.request_id, r.n])));
    } finally {
      await db.close();
    }
  }, 240_000);
});

