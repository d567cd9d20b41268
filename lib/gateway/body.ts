// Reading and validating /v1 request bodies. Only what the gateway itself needs is
// validated (model, messages, stream, stream_options); every other field passes through
// to the provider untouched, so new OpenAI parameters keep working.
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { z } from "zod";
import { getEnv } from "@/lib/config/env";
import type { ChatRequest } from "@/lib/providers/types";
import { GatewayError } from "./errors";

// Deeper than any real request (a tool's JSON schema nests a few dozen levels at most),
// far shallower than what overflows the stack of a recursive walk such as JSON.stringify
// (a few thousand levels), which the providers' request conversion runs.
const MAX_JSON_DEPTH = 128;

/** A request body as node:http delivers it (an IncomingMessage, or any stream with headers). */
export type BodySource = Readable & { headers: IncomingHttpHeaders };

/**
 * Reads the body up to `maxBytes` (413 beyond) and parses it as JSON (400 if it is not, or
 * if it nests deeper than MAX_JSON_DEPTH). A client that sends nothing for `idleMs`
 * (REQUEST_BODY_TIMEOUT) gets a 408; one that goes away while sending is recorded as such.
 * Reading stops at the first problem: the rest is not buffered (the host closes the
 * connection after the answer).
 */
export async function readJsonBody(req: BodySource, maxBytes: number, idleMs = getEnv().REQUEST_BODY_TIMEOUT * 1000): Promise<unknown> {
  const length = req.headers["content-length"];
  if (length !== undefined && Number(length) > maxBytes) throw tooLarge(maxBytes);
  return parseJson(await readText(req, maxBytes, idleMs));
}

function readText(req: BodySource, maxBytes: number, idleMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (error: GatewayError | null) => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onGone);
      req.off("close", onGone);
      if (!error) return resolve(Buffer.concat(chunks).toString("utf8"));
      req.pause();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      timer.refresh();
      size += chunk.length;
      if (size > maxBytes) return stop(tooLarge(maxBytes));
      chunks.push(chunk);
    };
    const onEnd = () => stop(null);
    // An error or a close before the end: the client went away while sending.
    const onGone = () => stop(new GatewayError("client_closed_request", "The client closed the connection while sending the request body."));
    const timer = setTimeout(
      () => stop(new GatewayError("request_timeout", `The client sent no part of the request body for ${idleMs / 1000} s (REQUEST_BODY_TIMEOUT).`)),
      idleMs,
    );
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onGone);
    req.once("close", onGone);
  });
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
