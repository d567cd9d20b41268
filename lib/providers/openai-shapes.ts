// The subset of OpenAI's chat-completions format that the Anthropic and Gemini adapters
// read and write. Requests are parsed with zod here (fields an adapter does not read are
// ignored, so new OpenAI parameters do not break the parse); responses and chunks are
// built here so both adapters emit byte-for-byte the same envelope.
// @see https://platform.openai.com/docs/api-reference/chat/create
// @see https://platform.openai.com/docs/api-reference/chat/object
// @see https://platform.openai.com/docs/api-reference/chat-streaming/streaming
import { z } from "zod";
import { mappedError, MappedErrorException } from "@/lib/gateway/errors";
import type { AdapterContext, ChatRequest, FinishReason, Usage } from "./types";

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const refusalPart = z.object({ type: z.literal("refusal"), refusal: z.string() });
const imagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(["auto", "low", "high"]).optional() }),
});
const audioPart = z.object({
  type: z.literal("input_audio"),
  input_audio: z.object({ data: z.string().min(1), format: z.string().min(1) }),
});
const filePart = z.object({
  type: z.literal("file"),
  file: z.object({ file_data: z.string().optional(), file_id: z.string().optional(), filename: z.string().optional() }),
});

const userPart = z.discriminatedUnion("type", [textPart, imagePart, audioPart, filePart]);
const textContent = z.union([z.string(), z.array(textPart)]);

const toolCall = z.object({
  id: z.string().min(1),
  type: z.literal("function"),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const message = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: textContent }),
  z.object({ role: z.literal("developer"), content: textContent }),
  z.object({ role: z.literal("user"), content: z.union([z.string(), z.array(userPart)]) }),
  z.object({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(z.discriminatedUnion("type", [textPart, refusalPart]))]).nullish(),
    refusal: z.string().nullish(),
    tool_calls: z.array(toolCall).nullish(),
    function_call: z.unknown().optional(),
  }),
  z.object({ role: z.literal("tool"), tool_call_id: z.string().min(1), content: textContent }),
  z.object({ role: z.literal("function"), name: z.string(), content: z.string().nullish() }),
]);

const functionTool = z.object({
  type: z.literal("function", { error: "only tools of type 'function' are supported for this model" }),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoice = z.union([
  z.enum(["auto", "none", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string().min(1) }) }),
]);

const responseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const chatBody = z.object({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  n: z.number().int().min(1).nullish(),
  tools: z.array(functionTool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormat.nullish(),
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  seed: z.number().int().nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).nullish(),
  modalities: z.array(z.string()).nullish(),
  audio: z.unknown().optional(),
  functions: z.unknown().optional(),
  function_call: z.unknown().optional(),
  web_search_options: z.unknown().optional(),
});

export type ChatBody = z.infer<typeof chatBody>;
export type ChatMessage = ChatBody["messages"][number];
export type UserPart = z.infer<typeof userPart>;
export type ToolCall = z.infer<typeof toolCall>;
export type FunctionTool = z.infer<typeof functionTool>;

/** Reads the fields the adapters convert; a malformed one is a 400 naming the field. */
export function parseChatBody(request: ChatRequest): ChatBody {
  const parsed = chatBody.safeParse(request);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = formatPath(issue.path);
  throw new MappedErrorException(mappedError("invalid_value", `Invalid value for '${param}': ${issue.message}`, { param }));
}

function formatPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

/** A parameter the provider cannot honour, refused before anything is sent upstream. */
export function unsupportedParameter(param: string, message: string): MappedErrorException {
  return new MappedErrorException(mappedError("unsupported_parameter", message, { param }));
}

/** A value the provider cannot honour (e.g. an image type it does not read). */
export function unsupportedValue(param: string, message: string): MappedErrorException {
  return new MappedErrorException(mappedError("unsupported_value", message, { param }));
}

/**
 * What neither converted provider can do, refused alike with a 400 naming the field
 * (see the SUPPORT.md tables): several choices, log probabilities, audio output, legacy
 * function calling, web search.
 */
export function refuseUnsupported(chat: ChatBody, provider: "Anthropic" | "Gemini"): void {
  if (chat.n != null && chat.n > 1) throw unsupportedValue("n", `${provider} models return one choice through this gateway; n must be 1.`);
  if (chat.logprobs || chat.top_logprobs) throw unsupportedParameter("logprobs", `${provider} models do not return log probabilities through this gateway.`);
  if (chat.modalities?.some((m) => m !== "text") || chat.audio != null) {
    throw unsupportedParameter("modalities", `${provider} models answer with text only through this gateway.`);
  }
  if (chat.functions != null || chat.function_call != null) {
    throw unsupportedParameter("functions", "Legacy function calling is not supported; use tools and tool_choice.");
  }
  if (chat.web_search_options != null) {
    throw unsupportedParameter("web_search_options", `Web search is not available for ${provider} models through this gateway.`);
  }
}

/** The text of an assistant message from the history (refusal parts count as text). */
export function assistantText(content: string | null | undefined | ({ type: "text"; text: string } | { type: "refusal"; refusal: string })[]): string {
  if (content == null) return "";
  return typeof content === "string" ? content : content.map((p) => (p.type === "text" ? p.text : p.refusal)).join("");
}

/** Text of a system/developer/tool message or a text-only part list. */
export function joinText(content: string | { text: string }[]): string {
  return typeof content === "string" ? content : content.map((p) => p.text).join("");
}

/** OpenAI tool-call arguments are a JSON string; both providers want the object. */
export function parseToolArguments(args: string, param: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch {
    throw new MappedErrorException(mappedError("invalid_value", `Invalid value for '${param}': arguments must be a JSON object`, { param }));
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MappedErrorException(mappedError("invalid_value", `Invalid value for '${param}': arguments must be a JSON object`, { param }));
  }
  return value as Record<string, unknown>;
}

// ---- output ---------------------------------------------------------------------------

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

export interface OpenAIToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: "assistant"; content: string | null; refusal: string | null; tool_calls?: OpenAIToolCall[] };
    finish_reason: FinishReason;
    logprobs: null;
  }[];
  usage?: OpenAIUsage;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function: { name?: string; arguments: string };
}

export interface ChunkDelta {
  role?: "assistant";
  content?: string;
  refusal?: string;
  tool_calls?: ToolCallDelta[];
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: { index: number; delta: ChunkDelta; finish_reason: FinishReason | null; logprobs: null }[];
  usage?: OpenAIUsage;
}

export function completionId(ctx: Pick<AdapterContext, "requestId">): string {
  return `chatcmpl-${ctx.requestId}`;
}

/** OpenAI's usage object; `reasoningTokens` is already part of outputTokens. */
export function toOpenAIUsage(usage: Usage, reasoningTokens?: number): OpenAIUsage {
  const out: OpenAIUsage = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
  };
  if (reasoningTokens !== undefined) out.completion_tokens_details = { reasoning_tokens: reasoningTokens };
  return out;
}

export function buildChunk(
  ctx: Pick<AdapterContext, "requestId" | "created">,
  model: string,
  delta: ChunkDelta,
  finishReason: FinishReason | null = null,
): ChatCompletionChunk {
  return {
    id: completionId(ctx),
    object: "chat.completion.chunk",
    created: ctx.created,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
  };
}

/** The last chunk of a stream whose client asked for usage: no choices, only usage. */
export function buildUsageChunk(
  ctx: Pick<AdapterContext, "requestId" | "created">,
  model: string,
  usage: OpenAIUsage,
): ChatCompletionChunk {
  return { id: completionId(ctx), object: "chat.completion.chunk", created: ctx.created, model, choices: [], usage };
}
