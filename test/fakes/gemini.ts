// A fake Gemini API (generativelanguage) for tests, following the documented wire format:
// - auth: `x-goog-api-key` header (or `?key=`); a wrong key is 400 INVALID_ARGUMENT with
//   ErrorInfo reason API_KEY_INVALID, a missing one 403 PERMISSION_DENIED;
// - POST /{v1beta|v1}/models/{model}:generateContent and :streamGenerateContent (SSE with
//   ?alt=sse, one GenerateContentResponse per event, each written separately; a JSON array
//   without it), validated the protobuf-JSON way (unknown field names refused, camelCase or
//   snake_case accepted), plus the checks the API makes on contents, parts, tools,
//   toolConfig, generationConfig, function-response counts and — for gemini-3* models —
//   thought signatures on function-call parts (which it also issues, with call ids);
// - GET /{version}/models with pageSize/pageToken (default 50) and GET /{version}/models/{m};
// - errors as google.rpc.Status: {"error":{code,message,status,details}}.
// Without instructions it behaves like a small deterministic model (calls the first or the
// forced function when tools are offered, reports function results, otherwise echoes);
// `enqueue` scripts errors, mid-stream errors, slow first bytes, cut streams, safety blocks
// and given replies.
// @see https://ai.google.dev/api/generate-content
// @see https://ai.google.dev/api/models
// @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
// @see https://ai.google.dev/gemini-api/docs/thought-signatures
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import {
  countWords,
  Gate,
  pause,
  sampleFromSchema,
  sendJson,
  startFakeServer,
  wordTokens,
  writeFrames,
  type FakeServer,
  type ReceivedRequest,
} from "./provider-fake-server";

export type { ReceivedRequest } from "./provider-fake-server";

export type GeminiErrorKind =
  | "invalid_argument"
  | "api_key_invalid"
  | "failed_precondition"
  | "permission_denied"
  | "not_found"
  | "resource_exhausted"
  | "internal"
  | "unavailable"
  | "deadline_exceeded";

interface RpcStatus {
  code: number;
  message: string;
  status: string;
  details?: Record<string, unknown>[];
}

const API_KEY_INVALID: RpcStatus = {
  code: 400,
  message: "API key not valid. Please pass a valid API key.",
  status: "INVALID_ARGUMENT",
  details: [
    { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com", metadata: { service: "generativelanguage.googleapis.com" } },
    { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message: "API key not valid. Please pass a valid API key." },
  ],
};

const ERRORS: Record<GeminiErrorKind, RpcStatus> = {
  invalid_argument: { code: 400, message: "Request contains an invalid argument.", status: "INVALID_ARGUMENT" },
  api_key_invalid: API_KEY_INVALID,
  failed_precondition: { code: 400, message: "User location is not supported for the API use.", status: "FAILED_PRECONDITION" },
  permission_denied: { code: 403, message: "The caller does not have permission", status: "PERMISSION_DENIED" },
  not_found: { code: 404, message: "Requested entity was not found.", status: "NOT_FOUND" },
  resource_exhausted: {
    code: 429,
    message: "You exceeded your current quota, please check your plan and billing details.",
    status: "RESOURCE_EXHAUSTED",
    details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1s" }],
  },
  internal: { code: 500, message: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", status: "INTERNAL" },
  unavailable: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" },
  deadline_exceeded: { code: 504, message: "Deadline expired before operation could complete.", status: "DEADLINE_EXCEEDED" },
};

export interface GeminiReply {
  text?: string;
  functionCalls?: { name: string; args: Record<string, unknown> }[];
  /** e.g. "SAFETY" or "RECITATION": the answer stops there (after `text`, if any). */
  finishReason?: string;
  /** The prompt is refused outright: promptFeedback.blockReason, no candidates. */
  blockReason?: string;
  usage?: { promptTokenCount?: number; candidatesTokenCount?: number; cachedContentTokenCount?: number; thoughtsTokenCount?: number };
  /** The modelVersion that answers (e.g. a concrete version behind an alias); the requested model by default. */
  modelVersion?: string;
}

/** What the next generateContent / streamGenerateContent does; fields combine. */
export interface GeminiStep {
  delayMs?: number;
  error?: GeminiErrorKind | RpcStatus;
  /** With `error`: send this Retry-After header (Gemini itself names the delay in RetryInfo). */
  retryAfter?: string;
  /** For streamed requests: send this many events, then an {"error": Status} event, then end. */
  streamError?: { afterEvents: number; kind?: GeminiErrorKind | RpcStatus };
  /** For streamed requests: send this many events, then end without a finish reason. */
  cutAfterEvents?: number;
  /** For streamed requests: send this many events, then wait for openGate() before the rest. */
  gateAfterEvents?: number;
  reply?: GeminiReply;
}

export interface FakeGeminiOptions {
  apiKey?: string;
  models?: { name: string; methods?: string[] }[];
}

export interface FakeGemini extends FakeServer {
  apiKey: string;
  enqueue(...steps: GeminiStep[]): void;
  /** Releases the streams waiting at a gateAfterEvents step. */
  openGate(): void;
  /** Streams waiting at the gate now. */
  gateWaiting(): number;
  /** Parsed bodies of the generateContent / streamGenerateContent requests received so far. */
  generateRequests(): Record<string, unknown>[];
  /** Thought signatures this fake has issued (and will accept back). */
  issuedSignatures: Set<string>;
}

const CHAT_METHODS = ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"];
export const DEFAULT_GEMINI_MODELS = [
  { name: "gemini-2.5-flash", methods: CHAT_METHODS },
  { name: "gemini-2.5-pro", methods: CHAT_METHODS },
  { name: "gemini-3-pro-preview", methods: CHAT_METHODS },
  { name: "gemini-embedding-001", methods: ["embedContent", "countTextTokens", "countTokens", "asyncBatchEmbedContent"] },
];

/** Google documents this value for function calls that did not come from Gemini. */
export const SKIP_SIGNATURE = "skip_thought_signature_validator";

export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
  const apiKey = options.apiKey ?? `AIzaFake${randomBytes(12).toString("hex")}`;
  const models = options.models ?? DEFAULT_GEMINI_MODELS;
  const steps: GeminiStep[] = [];
  const gate = new Gate();
  const issuedSignatures = new Set<string>();

  const server = await startFakeServer(async (request, res) => {
    const fail = (status: RpcStatus, headers: Record<string, string> = {}) => sendJson(res, status.code, { error: status }, headers);
    const key = request.headers["x-goog-api-key"] ?? request.query.key;
    if (!key) {
      return fail({
        code: 403,
        message: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        status: "PERMISSION_DENIED",
      });
    }
    if (key !== apiKey) return fail(API_KEY_INVALID);

    const route = /^\/(v1beta|v1)\/models(?:\/([^/:]+))?(?::([A-Za-z]+))?$/.exec(request.path);
    if (!route) return fail({ code: 404, message: `The requested URL ${request.path} was not found on this server.`, status: "NOT_FOUND" });
    const [, apiVersion, model, method] = route;

    if (request.method === "GET" && !model) return listModels(request, res, models, fail);
    if (request.method === "GET" && model && !method) {
      const found = models.find((m) => m.name === model);
      if (!found) return fail({ code: 404, message: `models/${model} is not found for API version ${apiVersion}`, status: "NOT_FOUND" });
      return sendJson(res, 200, modelInfo(found));
    }
    if (request.method !== "POST" || (method !== "generateContent" && method !== "streamGenerateContent")) {
      return fail({ code: 404, message: `The requested URL ${request.path} was not found on this server.`, status: "NOT_FOUND" });
    }
    const known = models.find((m) => m.name === model);
    if (!known || !(known.methods ?? CHAT_METHODS).includes("generateContent")) {
      return fail({
        code: 404,
        message: `models/${model} is not found for API version ${apiVersion}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
        status: "NOT_FOUND",
      });
    }
    if (typeof request.body !== "object" || request.body === null || Array.isArray(request.body)) {
      return fail({ code: 400, message: `Invalid JSON payload received. Unexpected token.\n${request.rawBody.slice(0, 20)}\n^`, status: "INVALID_ARGUMENT" });
    }
    const body = normalizeKeys(request.body) as Record<string, unknown>;
    const problem = validateGenerateRequest(body, model, issuedSignatures);
    if (problem) return fail({ code: 400, message: problem, status: "INVALID_ARGUMENT" });

    const step = steps.shift() ?? {};
    await pause(step.delayMs ?? 0, res);
    if (res.destroyed) return;
    if (step.error) return fail(typeof step.error === "string" ? ERRORS[step.error] : step.error, step.retryAfter ? { "retry-after": step.retryAfter } : {});

    const answer = buildAnswer(body, model, step.reply, issuedSignatures);
    if (method === "generateContent") {
      if (step.streamError) return fail(streamErrorOf(step.streamError));
      return sendJson(res, 200, answer.whole);
    }
    const sse = request.query.alt === "sse";
    res.writeHead(200, { "content-type": sse ? "text/event-stream" : "application/json; charset=UTF-8", "cache-control": "no-cache" });
    let events: string[] = answer.chunks.map((c) => JSON.stringify(c));
    if (step.streamError) events = [...events.slice(0, step.streamError.afterEvents), JSON.stringify({ error: streamErrorOf(step.streamError) })];
    else if (step.cutAfterEvents !== undefined) events = events.slice(0, step.cutAfterEvents);
    // Google's SSE frames end lines with CRLF.
    const frames = sse ? events.map((e) => `data: ${e}\r\n\r\n`) : events.map((e, i) => `${i === 0 ? "[" : ",\r\n"}${e}`).concat(events.length ? ["]"] : ["[]"]);
    await writeFrames(res, frames, step.gateAfterEvents === undefined ? undefined : { after: step.gateAfterEvents, gate });
    res.end();
  });

  return {
    ...server,
    apiKey,
    issuedSignatures,
    enqueue: (...more) => void steps.push(...more),
    openGate: () => gate.open(),
    gateWaiting: () => gate.waiting,
    generateRequests: () =>
      server.received.filter((r) => r.method === "POST" && /:(stream)?[gG]enerateContent$/.test(r.path)).map((r) => normalizeKeys(r.body) as Record<string, unknown>),
  };
}

function streamErrorOf(streamError: NonNullable<GeminiStep["streamError"]>): RpcStatus {
  const kind = streamError.kind ?? "unavailable";
  return typeof kind === "string" ? ERRORS[kind] : kind;
}

function modelInfo(model: { name: string; methods?: string[] }) {
  return {
    name: `models/${model.name}`,
    version: "001",
    displayName: model.name,
    inputTokenLimit: 1048576,
    outputTokenLimit: 65536,
    supportedGenerationMethods: model.methods ?? CHAT_METHODS,
  };
}

function listModels(request: ReceivedRequest, res: ServerResponse, models: { name: string; methods?: string[] }[], fail: (s: RpcStatus) => void): void {
  const size = request.query.pageSize === undefined ? 50 : Number(request.query.pageSize);
  if (!Number.isInteger(size) || size < 0) return fail({ code: 400, message: "Invalid value for pageSize", status: "INVALID_ARGUMENT" });
  const pageSize = Math.min(size || 50, 1000);
  const start = request.query.pageToken ? Number(Buffer.from(request.query.pageToken, "base64url").toString()) : 0;
  const page = models.slice(start, start + pageSize);
  const next = start + pageSize < models.length ? { nextPageToken: Buffer.from(String(start + pageSize)).toString("base64url") } : {};
  sendJson(res, 200, { models: page.map(modelInfo), ...next });
}

// ---- protobuf-JSON field names ------------------------------------------------------------

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
/** Free-form JSON values (schemas, function args/responses) keep their keys as sent. */
const OPAQUE = new Set(["args", "response", "parameters", "parametersJsonSchema", "responseSchema", "responseJsonSchema", "responseJsonSchema_", "metadata"]);

/** The API accepts lowerCamelCase and the proto's snake_case names; everything here uses camelCase. */
export function normalizeKeys(value: unknown, parentKey = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => normalizeKeys(v, parentKey));
  if (typeof value !== "object" || value === null || OPAQUE.has(parentKey)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [camel(k), normalizeKeys(v, camel(k))]));
}

const FIELDS: Record<string, Set<string>> = {
  request: new Set(["model", "contents", "systemInstruction", "tools", "toolConfig", "generationConfig", "safetySettings", "cachedContent"]),
  content: new Set(["role", "parts"]),
  part: new Set(["text", "inlineData", "fileData", "functionCall", "functionResponse", "thought", "thoughtSignature", "executableCode", "codeExecutionResult", "videoMetadata", "partMetadata", "mediaResolution"]),
  inlineData: new Set(["mimeType", "data"]),
  fileData: new Set(["mimeType", "fileUri", "displayName"]),
  functionCall: new Set(["id", "name", "args"]),
  functionResponse: new Set(["id", "name", "response", "parts", "willContinue", "scheduling"]),
  tool: new Set(["functionDeclarations", "googleSearch", "googleSearchRetrieval", "codeExecution", "urlContext", "fileSearch", "computerUse", "googleMaps"]),
  functionDeclaration: new Set(["name", "description", "parameters", "parametersJsonSchema", "response", "responseJsonSchema", "behavior"]),
  toolConfig: new Set(["functionCallingConfig", "retrievalConfig"]),
  functionCallingConfig: new Set(["mode", "allowedFunctionNames"]),
  generationConfig: new Set([
    "stopSequences",
    "responseMimeType",
    "responseSchema",
    "responseJsonSchema",
    "responseModalities",
    "candidateCount",
    "maxOutputTokens",
    "temperature",
    "topP",
    "topK",
    "seed",
    "presencePenalty",
    "frequencyPenalty",
    "responseLogprobs",
    "logprobs",
    "enableEnhancedCivicAnswers",
    "speechConfig",
    "thinkingConfig",
    "mediaResolution",
    "imageConfig",
  ]),
};

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function unknownField(value: Record<string, unknown>, kind: string, at: string): string | null {
  for (const key of Object.keys(value)) {
    if (!FIELDS[kind].has(key)) return `Invalid JSON payload received. Unknown name "${key}"${at ? ` at '${at}'` : ""}: Cannot find field.`;
  }
  return null;
}

// ---- validation ---------------------------------------------------------------------------

const DATA_FIELDS = ["text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode", "codeExecutionResult"];

/** The first problem the real API would report, in its wording, or null. */
export function validateGenerateRequest(body: Record<string, unknown>, model: string, issued: Set<string>): string | null {
  const unknown = unknownField(body, "request", "");
  if (unknown) return unknown;
  if (!Array.isArray(body.contents) || body.contents.length === 0) return "* GenerateContentRequest.contents: contents is not specified\n";

  if (body.systemInstruction !== undefined) {
    if (!isObject(body.systemInstruction)) return "Invalid value at 'system_instruction' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content)";
    const problem = validateParts(body.systemInstruction, "system_instruction");
    if (problem) return problem;
  }
  for (const [i, content] of body.contents.entries()) {
    const at = `contents[${i}]`;
    if (!isObject(content)) return `Invalid value at '${at}' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content)`;
    const unknownInContent = unknownField(content, "content", at);
    if (unknownInContent) return unknownInContent;
    if (content.role !== undefined && content.role !== "user" && content.role !== "model") return "Please use a valid role: user, model.";
    const problem = validateParts(content, at);
    if (problem) return problem;
  }

  const declared = new Set<string>();
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return "Invalid value at 'tools' (type.googleapis.com/google.ai.generativelanguage.v1beta.Tool)";
    for (const [i, tool] of body.tools.entries()) {
      if (!isObject(tool)) return `Invalid value at 'tools[${i}]'`;
      const unknownInTool = unknownField(tool, "tool", `tools[${i}]`);
      if (unknownInTool) return unknownInTool;
      for (const [j, fn] of ((tool.functionDeclarations as unknown[]) ?? []).entries()) {
        const at = `tools[${i}].function_declarations[${j}]`;
        if (!isObject(fn)) return `Invalid value at '${at}'`;
        const unknownInFn = unknownField(fn, "functionDeclaration", at);
        if (unknownInFn) return unknownInFn;
        if (typeof fn.name !== "string" || !/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/.test(fn.name)) {
          return `* GenerateContentRequest.${at}.name: Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 64.\n`;
        }
        if (fn.parameters !== undefined && fn.parametersJsonSchema !== undefined) {
          return `* GenerateContentRequest.${at}: parameters and parameters_json_schema are mutually exclusive.\n`;
        }
        if (fn.parametersJsonSchema !== undefined && !isObject(fn.parametersJsonSchema)) return `Invalid value at '${at}.parameters_json_schema'`;
        declared.add(fn.name);
      }
    }
  }
  if (body.toolConfig !== undefined) {
    if (!isObject(body.toolConfig)) return "Invalid value at 'tool_config'";
    const unknownInConfig = unknownField(body.toolConfig, "toolConfig", "tool_config");
    if (unknownInConfig) return unknownInConfig;
    const fcc = body.toolConfig.functionCallingConfig;
    if (fcc !== undefined) {
      if (!isObject(fcc)) return "Invalid value at 'tool_config.function_calling_config'";
      const unknownInFcc = unknownField(fcc, "functionCallingConfig", "tool_config.function_calling_config");
      if (unknownInFcc) return unknownInFcc;
      if (fcc.mode !== undefined && !["MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"].includes(fcc.mode as string)) {
        return `Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), ${JSON.stringify(fcc.mode)}`;
      }
      if (fcc.allowedFunctionNames !== undefined) {
        if (fcc.mode !== "ANY" && fcc.mode !== "VALIDATED") return "* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: only allowed when mode is ANY or VALIDATED.\n";
        for (const name of fcc.allowedFunctionNames as unknown[]) {
          if (!declared.has(name as string)) return `* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: function "${String(name)}" is not declared.\n`;
        }
      }
    }
  }
  if (body.generationConfig !== undefined) {
    const config = body.generationConfig;
    if (!isObject(config)) return "Invalid value at 'generation_config'";
    const unknownInConfig = unknownField(config, "generationConfig", "generation_config");
    if (unknownInConfig) return unknownInConfig;
    for (const [name, min, max] of [["temperature", 0, 2], ["topP", 0, 1]] as const) {
      const value = config[name];
      if (value === undefined) continue;
      if (typeof value !== "number") return `Invalid value at 'generation_config.${snake(name)}' (TYPE_FLOAT), ${JSON.stringify(value)}`;
      if (value < min || value > max) return `* GenerateContentRequest.generation_config.${snake(name)}: must be in the range [${min}, ${max}].\n`;
    }
    if (config.maxOutputTokens !== undefined && !(Number.isInteger(config.maxOutputTokens) && (config.maxOutputTokens as number) > 0)) {
      return `Invalid value at 'generation_config.max_output_tokens' (TYPE_INT32), ${JSON.stringify(config.maxOutputTokens)}`;
    }
    if (config.stopSequences !== undefined && (!Array.isArray(config.stopSequences) || config.stopSequences.length > 5)) {
      return "* GenerateContentRequest.generation_config.stop_sequences: at most 5 stop sequences are allowed.\n";
    }
    if (config.candidateCount !== undefined && config.candidateCount !== 1) return "* GenerateContentRequest.generation_config.candidate_count: only 1 candidate is supported by this model.\n";
    if ((config.responseSchema !== undefined || config.responseJsonSchema !== undefined) && config.responseMimeType !== "application/json" && config.responseMimeType !== "text/x.enum") {
      return "* GenerateContentRequest.generation_config.response_mime_type: response_mime_type must be application/json or text/x.enum when a response schema is set.\n";
    }
    if (config.responseSchema !== undefined && config.responseJsonSchema !== undefined) {
      return "* GenerateContentRequest.generation_config: response_schema and response_json_schema are mutually exclusive.\n";
    }
  }
  return validateFunctionTurns(body.contents as Record<string, unknown>[], model, issued);
}

function validateParts(content: Record<string, unknown>, at: string): string | null {
  if (!Array.isArray(content.parts) || content.parts.length === 0) return `* GenerateContentRequest.${at}.parts: contents.parts must not be empty.\n`;
  for (const [j, part] of content.parts.entries()) {
    const pat = `${at}.parts[${j}]`;
    if (!isObject(part)) return `Invalid value at '${pat}' (type.googleapis.com/google.ai.generativelanguage.v1beta.Part)`;
    const unknownInPart = unknownField(part, "part", pat);
    if (unknownInPart) return unknownInPart;
    const set = DATA_FIELDS.filter((f) => part[f] !== undefined);
    if (set.length === 0) return `* GenerateContentRequest.${pat}.data: required oneof field 'data' must have one initialized field\n`;
    if (set.length > 1) return `Invalid value at '${pat}' (oneof), oneof field 'data' is already set. Cannot set '${set[1]}'`;
    if (part.text !== undefined && typeof part.text !== "string") return `Invalid value at '${pat}.text' (TYPE_STRING), ${JSON.stringify(part.text)}`;
    if (part.inlineData !== undefined) {
      const data = part.inlineData;
      if (!isObject(data)) return `Invalid value at '${pat}.inline_data'`;
      const unknownInData = unknownField(data, "inlineData", `${pat}.inline_data`);
      if (unknownInData) return unknownInData;
      if (typeof data.mimeType !== "string" || data.mimeType === "") return `* GenerateContentRequest.${pat}.inline_data.mime_type: mime_type is not specified.\n`;
      if (typeof data.data !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(data.data)) {
        return `Invalid value at '${pat}.inline_data.data' (TYPE_BYTES), Base64 decoding failed for "${String(data.data).slice(0, 40)}"`;
      }
    }
    if (part.fileData !== undefined) {
      const data = part.fileData;
      if (!isObject(data)) return `Invalid value at '${pat}.file_data'`;
      const unknownInData = unknownField(data, "fileData", `${pat}.file_data`);
      if (unknownInData) return unknownInData;
      if (typeof data.fileUri !== "string" || data.fileUri === "") return `* GenerateContentRequest.${pat}.file_data.file_uri: file_uri is not specified.\n`;
      if (!/^(https?|gs):\/\//.test(data.fileUri) && !data.fileUri.includes("generativelanguage.googleapis.com/")) {
        return `* GenerateContentRequest.${pat}.file_data.file_uri: Unsupported file uri: ${data.fileUri}\n`;
      }
    }
    if (part.functionCall !== undefined) {
      if (!isObject(part.functionCall)) return `Invalid value at '${pat}.function_call'`;
      const unknownInCall = unknownField(part.functionCall, "functionCall", `${pat}.function_call`);
      if (unknownInCall) return unknownInCall;
      if (typeof part.functionCall.name !== "string") return `* GenerateContentRequest.${pat}.function_call.name: name is not specified.\n`;
      if (part.functionCall.args !== undefined && !isObject(part.functionCall.args)) return `Invalid value at '${pat}.function_call.args' (type.googleapis.com/google.protobuf.Struct)`;
    }
    if (part.functionResponse !== undefined) {
      if (!isObject(part.functionResponse)) return `Invalid value at '${pat}.function_response'`;
      const unknownInResponse = unknownField(part.functionResponse, "functionResponse", `${pat}.function_response`);
      if (unknownInResponse) return unknownInResponse;
      if (typeof part.functionResponse.name !== "string") return `* GenerateContentRequest.${pat}.function_response.name: name is not specified.\n`;
      if (!isObject(part.functionResponse.response)) return `Invalid value at '${pat}.function_response.response' (type.googleapis.com/google.protobuf.Struct)`;
    }
  }
  return null;
}

function validateFunctionTurns(contents: Record<string, unknown>[], model: string, issued: Set<string>): string | null {
  const needsSignatures = model.startsWith("gemini-3");
  for (const [i, content] of contents.entries()) {
    const parts = content.parts as Record<string, unknown>[];
    const calls = parts.filter((p) => p.functionCall);
    const responses = parts.filter((p) => p.functionResponse);
    if (responses.length > 0) {
      const previous = contents[i - 1];
      const previousCalls = previous ? (previous.parts as Record<string, unknown>[]).filter((p) => p.functionCall).map((p) => p.functionCall as Record<string, unknown>) : [];
      if (previousCalls.length !== responses.length) {
        return "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.";
      }
      for (const response of responses.map((p) => p.functionResponse as Record<string, unknown>)) {
        if (!previousCalls.some((c) => c.name === response.name)) {
          return `Function response "${String(response.name)}" does not match any function call of the previous turn.`;
        }
        if (response.id !== undefined && !previousCalls.some((c) => c.id === response.id)) {
          return `Function response id ${JSON.stringify(response.id)} does not match any function call id of the previous turn.`;
        }
      }
    }
    if (needsSignatures && calls.length > 0) {
      const first = calls[0];
      const signature = first.thoughtSignature;
      if (signature === undefined) {
        const position = parts.indexOf(first) + 1;
        return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${String((first.functionCall as Record<string, unknown>).name)}\` , position ${position}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`;
      }
      if (signature !== SKIP_SIGNATURE && !issued.has(signature as string)) return "Corrupted thought signature.";
    }
  }
  return null;
}

// ---- answers ------------------------------------------------------------------------------

interface Answer {
  whole: Record<string, unknown>;
  chunks: Record<string, unknown>[];
}

function promptTokens(body: Record<string, unknown>): number {
  let total = 0;
  const contents = [...(body.contents as Record<string, unknown>[]), ...(isObject(body.systemInstruction) ? [body.systemInstruction] : [])];
  for (const content of contents) {
    for (const part of content.parts as Record<string, unknown>[]) {
      if (typeof part.text === "string") total += countWords(part.text);
      else if (part.inlineData || part.fileData) total += 258;
      else total += countWords(JSON.stringify(part.functionCall ?? part.functionResponse ?? ""));
    }
  }
  return Math.max(1, total);
}

function buildAnswer(body: Record<string, unknown>, model: string, reply: GeminiReply | undefined, issued: Set<string>): Answer {
  const responseId = randomBytes(12).toString("base64url");
  const contents = body.contents as Record<string, unknown>[];
  const last = contents[contents.length - 1];
  const lastParts = last.role === "model" ? [] : (last.parts as Record<string, unknown>[]);
  const functionResponses = lastParts.filter((p) => p.functionResponse).map((p) => p.functionResponse as Record<string, unknown>);
  const declarations = ((body.tools as Record<string, unknown>[] | undefined) ?? []).flatMap((t) => (t.functionDeclarations as Record<string, unknown>[]) ?? []);
  const fcc = isObject(body.toolConfig) && isObject(body.toolConfig.functionCallingConfig) ? body.toolConfig.functionCallingConfig : {};
  const config = isObject(body.generationConfig) ? body.generationConfig : {};
  const thinking = /^gemini-(2\.5|3)/.test(model);
  const gemini3 = model.startsWith("gemini-3");
  const promptCount = reply?.usage?.promptTokenCount ?? promptTokens(body);

  if (reply?.blockReason) {
    const blocked = {
      promptFeedback: { blockReason: reply.blockReason, safetyRatings: [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH" }] },
      usageMetadata: { promptTokenCount: promptCount, totalTokenCount: promptCount },
      modelVersion: reply?.modelVersion ?? model,
      responseId,
    };
    return { whole: blocked, chunks: [blocked] };
  }

  let text = reply?.text;
  let calls = reply?.functionCalls;
  if (text === undefined && calls === undefined) {
    if (declarations.length > 0 && fcc.mode !== "NONE" && functionResponses.length === 0) {
      const allowed = (fcc.allowedFunctionNames as string[] | undefined) ?? [];
      const fn = declarations.find((d) => allowed.includes(d.name as string)) ?? declarations[0];
      calls = [{ name: fn.name as string, args: (sampleFromSchema(fn.parametersJsonSchema ?? fn.parameters) as Record<string, unknown>) ?? {} }];
    } else if (functionResponses.length > 0) {
      text = `Tool results: ${functionResponses.map((r) => JSON.stringify(r.response)).join("; ")}`;
    } else if (config.responseMimeType === "application/json") {
      text = JSON.stringify(sampleFromSchema(config.responseJsonSchema ?? config.responseSchema) ?? { echo: true });
    } else {
      const said = lastParts.filter((p) => typeof p.text === "string").map((p) => p.text as string).join(" ");
      const media = lastParts.flatMap((p) => {
        const inline = p.inlineData as Record<string, unknown> | undefined;
        const file = p.fileData as Record<string, unknown> | undefined;
        return inline ? [`inline ${String(inline.mimeType)}`] : file ? [`${String(file.mimeType)} at ${String(file.fileUri)}`] : [];
      });
      text = `Echo: ${said}${media.length ? ` [saw ${media.join(", ")}]` : ""}`;
    }
  }

  let finishReason = reply?.finishReason ?? "STOP";
  if (text !== undefined && !reply?.finishReason) {
    const stops = (config.stopSequences as string[] | undefined) ?? [];
    const cut = stops.map((s) => text!.indexOf(s)).filter((at) => at >= 0).sort((a, b) => a - b)[0];
    if (cut !== undefined) text = text.slice(0, cut);
    const tokens = wordTokens(text);
    const max = config.maxOutputTokens as number | undefined;
    if (max !== undefined && tokens.length > max) {
      text = tokens.slice(0, max).join("");
      finishReason = "MAX_TOKENS";
    }
  }

  const callParts = (calls ?? []).map((call, i) => {
    const part: Record<string, unknown> = { functionCall: { ...(gemini3 ? { id: randomBytes(4).toString("hex") } : {}), name: call.name, args: call.args } };
    if (i === 0 && thinking) {
      const signature = randomBytes(24).toString("base64");
      issued.add(signature);
      part.thoughtSignature = signature;
    }
    return part;
  });
  const candidatesTokenCount = reply?.usage?.candidatesTokenCount ?? countWords(text ?? "") + (calls ?? []).reduce((n, c) => n + countWords(JSON.stringify(c.args)) + 1, 0);
  const thoughtsTokenCount = reply?.usage?.thoughtsTokenCount ?? (thinking ? 3 : undefined);
  const usageMetadata = {
    promptTokenCount: promptCount,
    candidatesTokenCount,
    totalTokenCount: promptCount + candidatesTokenCount + (thoughtsTokenCount ?? 0),
    ...(reply?.usage?.cachedContentTokenCount ? { cachedContentTokenCount: reply.usage.cachedContentTokenCount } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: promptCount }],
    ...(thoughtsTokenCount !== undefined ? { thoughtsTokenCount } : {}),
  };
  const envelope = (parts: Record<string, unknown>[], final: boolean) => ({
    candidates: [{ content: { parts, role: "model" }, ...(final ? { finishReason } : {}), index: 0 }],
    usageMetadata: final ? usageMetadata : { promptTokenCount: promptCount, totalTokenCount: promptCount, promptTokensDetails: usageMetadata.promptTokensDetails },
    modelVersion: reply?.modelVersion ?? model,
    responseId,
  });

  // Gemini 3 signs the last part of an answer without function calls.
  const textPart = (t: string, last: boolean) => (last && gemini3 && callParts.length === 0 ? { text: t, thoughtSignature: signed(issued) } : { text: t });
  const wholeParts = [...(text ? [textPart(text, true)] : []), ...callParts];
  const whole = envelope(wholeParts.length ? wholeParts : [{ text: "" }], true);

  const tokens = wordTokens(text ?? "");
  const pieces: string[] = [];
  for (let i = 0; i < tokens.length; i += 3) pieces.push(tokens.slice(i, i + 3).join(""));
  const chunks: Record<string, unknown>[] = [];
  pieces.forEach((piece, i) => {
    const final = i === pieces.length - 1 && callParts.length === 0;
    chunks.push(envelope([textPart(piece, final)], final));
  });
  if (callParts.length > 0 || chunks.length === 0) chunks.push(envelope(callParts.length ? callParts : [{ text: "" }], true));
  return { whole, chunks };
}

function signed(issued: Set<string>): string {
  const signature = randomBytes(24).toString("base64");
  issued.add(signature);
  return signature;
}
