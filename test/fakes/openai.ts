// A fake OpenAI API on a real node:http server (port 0), following OpenAI's documented
// wire format for the parts the gateway uses:
//   POST /v1/chat/completions  JSON chat.completion, or SSE chat.completion.chunk events
//                              ending in `data: [DONE]`; with stream_options.include_usage
//                              every chunk carries "usage":null and one last chunk with
//                              empty choices carries the usage;
//   GET  /v1/models            the model list;
//   errors                     {"error":{message,type,param,code}} — 401 for a wrong key,
//                              400 for a missing or unknown parameter, 404 for other paths.
// @see https://platform.openai.com/docs/api-reference/chat/create
// @see https://platform.openai.com/docs/api-reference/chat-streaming
//
// Behaviour switches ride on the model name, so they work per request and across
// processes: "gpt-4o-mini:chunks=20:interval=5". Options:
//   chunks=N      N content chunks (default 3); completion_tokens = N
//   interval=MS   pause between streamed chunks
//   slow=MS       wait before sending the response headers (slow first byte)
//   hang          never answer
//   stall         stream: send the first content chunk, then nothing; JSON: headers, then nothing
//   drop          stream: send two chunks, then destroy the connection
//   reset         destroy the connection without answering
//   error-event   stream: send two chunks, then an error event, then end
//   status=NNN    answer with that HTTP status and an OpenAI error body (429 adds retry-after);
//                 5xx bodies are the ones OpenAI sends: 500 and 503 from the API, 502 and
//                 504 from Cloudflare in front of it (type cf_bad_gateway, numeric code)
//   retry-after=S with status: send Retry-After: S
//   echo-key      error bodies and error events quote the key the request came with, in
//                 message, param and code, as an upstream (or a proxy) echoing request data
//   gate          stream: after the first content chunk, wait for openGate()
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface FakeRequest {
  id: number;
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  authorized: boolean;
  body: Record<string, unknown> | null;
  /** "aborted": the caller closed the connection before the response ended. */
  state: "open" | "completed" | "aborted";
}

export interface FakeOpenAI {
  /** Base URL as OPENAI_BASE_URL expects it (ends in /v1). */
  baseUrl: string;
  apiKey: string;
  requests: FakeRequest[];
  /** Lets every stream waiting at a `gate` option continue. */
  openGate(): void;
  close(): Promise<void>;
}

export const FAKE_MODELS = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3-mini", "text-embedding-3-small", "dall-e-3"];

// Top-level chat-completions parameters OpenAI accepts; anything else is a 400 there.
const KNOWN_PARAMS = new Set([
  "messages", "model", "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs",
  "max_completion_tokens", "max_tokens", "metadata", "modalities", "n", "parallel_tool_calls", "prediction",
  "presence_penalty", "prompt_cache_key", "reasoning_effort", "response_format", "safety_identifier", "seed",
  "service_tier", "stop", "store", "stream", "stream_options", "temperature", "tool_choice", "tools",
  "top_logprobs", "top_p", "user", "verbosity", "web_search_options",
]);

interface Behaviour {
  chunks: number;
  interval: number;
  slow: number;
  status: number | null;
  retryAfter: string | null;
  echoKey: boolean;
  hang: boolean;
  stall: boolean;
  drop: boolean;
  reset: boolean;
  errorEvent: boolean;
  gate: boolean;
}

export function parseBehaviour(model: string): Behaviour {
  const b: Behaviour = { chunks: 3, interval: 0, slow: 0, status: null, retryAfter: null, echoKey: false, hang: false, stall: false, drop: false, reset: false, errorEvent: false, gate: false };
  for (const part of model.split(":").slice(1)) {
    const [name, value] = part.split("=");
    const n = Number(value);
    if (name === "chunks") b.chunks = n;
    else if (name === "interval") b.interval = n;
    else if (name === "slow") b.slow = n;
    else if (name === "status") b.status = n;
    else if (name === "retry-after") b.retryAfter = value;
    else if (name === "echo-key") b.echoKey = true;
    else if (name === "hang") b.hang = true;
    else if (name === "stall") b.stall = true;
    else if (name === "drop") b.drop = true;
    else if (name === "reset") b.reset = true;
    else if (name === "error-event") b.errorEvent = true;
    else if (name === "gate") b.gate = true;
  }
  return b;
}

/** What the fake reports for a request: words of the string contents plus 3 per message. */
export function fakePromptTokens(messages: unknown[]): number {
  let tokens = 0;
  for (const m of messages) {
    const content = m && typeof m === "object" ? (m as { content?: unknown }).content : undefined;
    tokens += 3 + (typeof content === "string" ? content.split(/\s+/).filter(Boolean).length : 0);
  }
  return tokens;
}

export function fakeChunkText(i: number): string {
  return `word${i} `;
}

function openableGate(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function errorBody(message: string, type: string, param: string | null, code: string | null): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

const SERVER_ERROR_MESSAGE = "The server had an error while processing your request. Sorry about that!";

// @see https://platform.openai.com/docs/guides/error-codes (500, 503). 502 and 504 come from
// Cloudflare in front of the API, with its own error types and the status as a number.
function serverErrorBody(status: number, echo: (message: string) => string): string {
  if (status === 502 || status === 504) {
    const [message, type] = status === 502 ? ["Bad gateway.", "cf_bad_gateway"] : ["Gateway timeout.", "cf_gateway_timeout"];
    return JSON.stringify({ error: { code: status, message: echo(message), param: null, type } });
  }
  const message = status === 503 ? "The engine is currently overloaded, please try again later." : SERVER_ERROR_MESSAGE;
  return errorBody(echo(message), "server_error", null, null);
}

export async function startFakeOpenAI(options: { apiKey?: string; host?: string; port?: number } = {}): Promise<FakeOpenAI> {
  const apiKey = options.apiKey ?? "sk-fake-provider-key-0123456789abcdef";
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  let nextId = 1;
  let gate = openableGate();
  let completionSeq = 0;

  const receive = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const record: FakeRequest = {
      id: nextId++,
      method: req.method ?? "GET",
      path: (req.url ?? "/").split("?")[0],
      headers: req.headers,
      authorized: req.headers.authorization === `Bearer ${apiKey}`,
      body: null,
      state: "open",
    };
    requests.push(record);
    res.once("close", () => {
      record.state = res.writableFinished ? "completed" : "aborted";
    });
    try {
      await answer(record, text, req, res);
    } catch {
      res.destroy();
    }
  };
  const server = createServer((req, res) => void receive(req, res));
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  const sendJson = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", "x-request-id": `req_fake${Date.now()}`, ...headers });
    res.end(body);
  };

  async function answer(record: FakeRequest, text: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!req.headers.authorization) {
      return sendJson(res, 401, errorBody("You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", "invalid_request_error", null, null));
    }
    if (!record.authorized) {
      const given = req.headers.authorization.replace(/^Bearer /, "");
      return sendJson(res, 401, errorBody(`Incorrect API key provided: ${given.slice(0, 3)}****${given.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`, "invalid_request_error", null, "invalid_api_key"));
    }
    if (record.method === "GET" && record.path === "/v1/models") {
      return sendJson(res, 200, JSON.stringify({ object: "list", data: FAKE_MODELS.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "system" })) }));
    }
    if (record.method !== "POST" || record.path !== "/v1/chat/completions") {
      return sendJson(res, 404, errorBody(`Invalid URL (${record.method} ${record.path})`, "invalid_request_error", null, null));
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text);
    } catch {
      return sendJson(res, 400, errorBody("We could not parse the JSON body of your request.", "invalid_request_error", null, null));
    }
    record.body = body;
    for (const param of ["model", "messages"]) {
      if (body[param] === undefined) return sendJson(res, 400, errorBody(`Missing required parameter: '${param}'.`, "invalid_request_error", param, "missing_required_parameter"));
    }
    const unknown = Object.keys(body).find((k) => !KNOWN_PARAMS.has(k));
    if (unknown) return sendJson(res, 400, errorBody(`Unrecognized request argument supplied: ${unknown}`, "invalid_request_error", null, null));
    const stream = body.stream === true;
    if (body.stream_options != null && !stream) {
      return sendJson(res, 400, errorBody("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "invalid_request_error", "stream_options", null));
    }

    const model = String(body.model);
    const b = parseBehaviour(model);
    if (b.reset) return void req.socket.destroy();
    if (b.hang) return; // the response stays open until the caller gives up
    if (b.slow) await delay(b.slow);
    const sentKey = req.headers.authorization.replace(/^Bearer /, "");
    const echo = (message: string) => (b.echoKey ? `${message} (request key: ${sentKey})` : message);
    if (b.status) {
      const retryAfter = b.retryAfter ?? (b.status === 429 ? "7" : null);
      const headers: Record<string, string> = retryAfter ? { "retry-after": retryAfter } : {};
      if (b.status >= 500) return sendJson(res, b.status, serverErrorBody(b.status, echo), headers);
      const [type, code] = b.status === 429 ? ["requests", "rate_limit_exceeded"] : ["invalid_request_error", null];
      return sendJson(res, b.status, errorBody(echo(`Fake upstream error ${b.status}`), type, b.echoKey ? sentKey : null, code), headers);
    }

    const id = `chatcmpl-fake${++completionSeq}`;
    const created = Math.floor(Date.now() / 1000);
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const usage = {
      prompt_tokens: fakePromptTokens(messages),
      completion_tokens: b.chunks,
      total_tokens: fakePromptTokens(messages) + b.chunks,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };

    if (!stream) {
      const content = Array.from({ length: b.chunks }, (_, i) => fakeChunkText(i)).join("");
      const completion = {
        id, object: "chat.completion", created, model,
        choices: [{ index: 0, message: { role: "assistant", content, refusal: null, annotations: [] }, logprobs: null, finish_reason: "stop" }],
        usage, service_tier: "default", system_fingerprint: "fp_fake",
      };
      if (b.stall || b.drop) {
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
        res.write(JSON.stringify(completion).slice(0, 20));
        if (b.drop) req.socket.destroy();
        return;
      }
      return sendJson(res, 200, JSON.stringify(completion));
    }

    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, service_tier: "default", system_fingerprint: "fp_fake", choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`;
    const frames = [
      chunk([{ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }]),
      ...Array.from({ length: b.chunks }, (_, i) => chunk([{ index: 0, delta: { content: fakeChunkText(i) }, logprobs: null, finish_reason: null }])),
      chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]),
    ];
    if (includeUsage) frames.push(chunk([], { usage }));
    frames.push("data: [DONE]\n\n");

    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-request-id": `req_fake${Date.now()}` });
    res.flushHeaders();
    // Waiting for each write to be flushed keeps "drop" honest: destroying a socket
    // discards what is still buffered.
    const write = (frame: string) => new Promise<void>((resolve) => res.write(frame, () => resolve()));
    for (let i = 0; i < frames.length; i++) {
      if (res.destroyed) return;
      if (i === 2 && b.drop) return void req.socket.destroy();
      if (i === 2 && b.stall) return;
      if (i === 2 && b.gate) await gate.promise;
      if (i === 3 && b.errorEvent) {
        const event = errorBody(echo(SERVER_ERROR_MESSAGE), "server_error", b.echoKey ? sentKey : null, b.echoKey ? sentKey : null);
        await write(`data: ${event}\n\n`);
        return void res.end();
      }
      if (b.interval && i > 0) await delay(b.interval);
      if (b.drop) await write(frames[i]);
      else res.write(frames[i]);
    }
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${options.host ?? "127.0.0.1"}:${port}/v1`,
    apiKey,
    requests,
    openGate: () => {
      gate.resolve();
      gate = openableGate();
    },
    close: async () => {
      gate.resolve();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
