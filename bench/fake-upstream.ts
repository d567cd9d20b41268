// The fake OpenAI upstream in its own process, so it does not share an event loop with
// the server or the load generator. Prints its base URL on the first line.
import { startFakeOpenAI } from "../test/fakes/openai";

const fake = await startFakeOpenAI();
console.log(JSON.stringify({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, pid: process.pid }));
process.on("SIGTERM", () => void fake.close().then(() => process.exit(0)));
