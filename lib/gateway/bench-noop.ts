// The do-nothing baseline for `npm run bench`: a route handler that answers at once with
// a completion (or, with ?stream=1, a 20-chunk stream) of the size the fake upstream
// sends, without reading the request. Only served with BENCH_ROUTES=1; a 404 otherwise.
import { getEnv } from "@/lib/config/env";
import { unknownUrlResponse } from "./errors";

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
const SSE_BODY =
  chunk({ role: "assistant", content: "", refusal: null }, null) +
  Array.from({ length: 20 }, (_, i) => chunk({ content: `word${i} ` }, null)).join("") +
  chunk({}, "stop") +
  "data: [DONE]\n\n";

export async function handleBenchNoop(request: Request): Promise<Response> {
  if (!getEnv().BENCH_ROUTES) return unknownUrlResponse(request);
  const stream = request.url.endsWith("?stream=1");
  return new Response(stream ? SSE_BODY : JSON_BODY, {
    headers: { "content-type": stream ? "text/event-stream; charset=utf-8" : "application/json" },
  });
}
