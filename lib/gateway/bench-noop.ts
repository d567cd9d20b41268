// Baselines for `npm run bench`, served only with BENCH_ROUTES=1 (a 404 otherwise):
//  - do-nothing: answers at once with a completion (with ?stream=1, a 20-chunk event
//    stream as a ReadableStream) of the size the fake upstream sends, without reading the
//    request;
//  - ?forward=1, bare forwarding: reads the body and sends it to OPENAI_BASE_URL through
//    the gateway's undici Agent, passing the answer back — no key, limits or records. The
//    gap between it and the gateway is what those features cost.
import { Readable } from "node:stream";
import { getEnv } from "@/lib/config/env";
import { unknownUrlResponse } from "./errors";
import { getUpstreamAgent } from "./upstream";

const created = 1_700_000_000;
const JSON_BODY = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created,
  model: "gpt-4o-mini",
  choices: [{ index: 0, message: { role: "assistant", content: "word0 word1 word2 ", refusal: null, annotations: [] }, logprobs: null, finish_reason: "stop" }],
  usage: { prompt_tokens: 8, completion_tokens: 3, total_tokens: 11 },
  service_tier: "default",
  system_fingerprint: "fp_bench",
});
const chunk = (delta: object, finish: string | null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created, model: "gpt-4o-mini", service_tier: "default", system_fingerprint: "fp_bench", choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
const SSE_BYTES = new TextEncoder().encode(
  chunk({ role: "assistant", content: "", refusal: null }, null) +
  Array.from({ length: 20 }, (_, i) => chunk({ content: `word${i} ` }, null)).join("") +
  chunk({}, "stop") +
  "data: [DONE]\n\n",
);

export async function handleBenchNoop(request: Request): Promise<Response> {
  const env = getEnv();
  if (!env.BENCH_ROUTES) return unknownUrlResponse(request);
  if (request.url.includes("forward=1")) {
    const upstream = await getUpstreamAgent().request({
      origin: new URL(env.OPENAI_BASE_URL).origin,
      path: "/v1/chat/completions",
      method: "POST",
      headers: { authorization: `Bearer ${env.OPENAI_API_KEY}`, "content-type": "application/json" },
      body: await request.text(),
      signal: request.signal,
    });
    return new Response(Readable.toWeb(upstream.body) as ReadableStream<Uint8Array>, {
      status: upstream.statusCode,
      headers: { "content-type": String(upstream.headers["content-type"]) },
    });
  }
  if (request.url.includes("stream=1")) {
    // A streaming route answers with a ReadableStream, whatever it streams: Next pipes
    // those differently (and at a different cost) from a string body.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(SSE_BYTES);
        controller.close();
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" } });
  }
  return new Response(JSON_BODY, { headers: { "content-type": "application/json" } });
}
