// The fake upstreams in their own process, so they do not share an event loop with the
// server or the load generator: the fake OpenAI and the fake Anthropic Messages API (the
// test fake, checking x-api-key and anthropic-version, writing each stream in one go as the
// fake OpenAI does). Prints their addresses and keys as JSON on the first line.
import { startFakeAnthropic } from "../test/fakes/anthropic";
import { startFakeOpenAI } from "../test/fakes/openai";

const [fake, anthropic] = await Promise.all([startFakeOpenAI(), startFakeAnthropic({ burst: process.env.BENCH_ANTHROPIC_EVENT_WRITES !== "1", record: false })]);
console.log(JSON.stringify({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, anthropicUrl: anthropic.url, anthropicKey: anthropic.apiKey, pid: process.pid }));
process.on("SIGTERM", () => void Promise.all([fake.close(), anthropic.close()]).then(() => process.exit(0)));
