// Reading and validating /v1 request bodies. Only what the gateway itself needs is
// validated (model, messages, stream, stream_options); every other field passes through
// to the provider untouched, so new OpenAI parameters keep working.
import { z } from "zod";
import type { ChatRequest } from "@/lib/providers/types";
import { GatewayError } from "./errors";

/** Reads the body up to `maxBytes` (413 beyond) and parses it as JSON (400 if it is not). */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const length = request.headers.get("content-length");
  const declared = length === null ? -1 : Number(length);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  // Node's HTTP parser holds a body to its Content-Length, so a declared length within
  // the limit can be read in one go; only a chunked body is counted as it arrives.
  if (declared >= 0) return parseJson(declared === 0 ? "" : await request.text());
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  }
  return parseJson(Buffer.concat(chunks).toString("utf8"));
}

function parseJson(text: string): unknown {
  if (!text) throw new GatewayError("invalid_json", "The request body is empty; send a JSON object.");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GatewayError("invalid_json", `The request body is not valid JSON (${(error as Error).message}).`);
  }
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError("request_too_large", `The request body is larger than ${maxBytes} bytes (MAX_REQUEST_BODY_BYTES).`);
}

const required = (what: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? "is required" : `must be ${what}`),
});

export const chatRequestSchema = z.looseObject(
  {
    model: z.string(required("a string")).min(1, "must not be empty"),
    messages: z.array(z.unknown(), required("an array of messages")).min(1, "must contain at least one message"),
    stream: z.boolean(required("true or false")).nullish(),
    stream_options: z.looseObject({ include_usage: z.boolean(required("true or false")).optional() }, required("an object")).nullish(),
  },
  { error: () => "The request body must be a JSON object." },
);

export function parseChatRequest(body: unknown): ChatRequest {
  const result = chatRequestSchema.safeParse(body);
  if (result.success) return result.data as ChatRequest;
  const issue = result.error.issues[0];
  const field = issue.path.map(String).join(".");
  if (!field) throw new GatewayError("invalid_request", issue.message);
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problem(s))` : "";
  throw new GatewayError("invalid_request", `Invalid request: '${field}' ${issue.message}${more}.`, { param: field });
}
