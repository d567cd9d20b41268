// Reading and validating /v1 request bodies. Only what the gateway itself needs is
// validated (model, messages, stream, stream_options); every other field passes through
// to the provider untouched, so new OpenAI parameters keep working.
import { z } from "zod";
import { getEnv } from "@/lib/config/env";
import type { ChatRequest } from "@/lib/providers/types";
import { GatewayError } from "./errors";

// Deeper than any real request (a tool's JSON schema nests a few dozen levels at most),
// far shallower than what overflows the stack of a recursive walk such as JSON.stringify
// (a few thousand levels), which the providers' request conversion runs.
const MAX_JSON_DEPTH = 128;

/**
 * Reads the body up to `maxBytes` (413 beyond) and parses it as JSON (400 if it is not, or
 * if it nests deeper than MAX_JSON_DEPTH). A client that sends nothing for `idleMs`
 * (REQUEST_BODY_TIMEOUT) gets a 408; one that goes away while sending is recorded as such.
 */
export async function readJsonBody(request: Request, maxBytes: number, idleMs = getEnv().REQUEST_BODY_TIMEOUT * 1000): Promise<unknown> {
  const length = request.headers.get("content-length");
  const declared = length === null ? -1 : Number(length);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  return parseJson(await readText(request, maxBytes, idleMs));
}

async function readText(request: Request, maxBytes: number, idleMs: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new GatewayError("request_timeout", `The client sent no part of the request body for ${idleMs / 1000} s (REQUEST_BODY_TIMEOUT).`)),
      idleMs,
    );
  });
  try {
    for (;;) {
      const { value, done } = await Promise.race([reader.read(), stalled]);
      if (done) break;
      timer?.refresh();
      size += value.byteLength;
      if (size > maxBytes) throw tooLarge(maxBytes);
      chunks.push(value);
    }
  } catch (error) {
    // Stop reading; the host answers and then closes the connection on the rest.
    void reader.cancel().catch(() => undefined);
    if (!(error instanceof GatewayError) && request.signal.aborted) {
      throw new GatewayError("client_closed_request", "The client closed the connection while sending the request body.");
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  if (!text) throw new GatewayError("invalid_json", "The request body is empty; send a JSON object.");
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new GatewayError("invalid_request", `The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GatewayError("invalid_json", `The request body is not valid JSON (${(error as Error).message}).`);
  }
}

/**
 * Whether JSON text opens more than `limit` arrays and objects inside each other, read
 * before parsing: JSON.parse of a body of nothing but brackets costs seconds. Strings are
 * skipped with indexOf, so long base64 images cost next to nothing.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // To the closing quote: one preceded by an even number of backslashes.
      for (;;) {
        const end = text.indexOf('"', i + 1);
        if (end < 0) return false; // unterminated: JSON.parse says so
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
        i = end;
        if (backslashes % 2 === 0) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
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
