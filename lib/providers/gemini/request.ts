// OpenAI chat-completions request → Gemini generateContent request.
// @see https://ai.google.dev/api/generate-content#method:-models.generatecontent
// @see https://ai.google.dev/api/generate-content#v1beta.GenerationConfig
// @see https://ai.google.dev/gemini-api/docs/function-calling
// @see https://ai.google.dev/gemini-api/docs/thought-signatures
// @see https://ai.google.dev/gemini-api/docs/file-input-methods
// @see https://ai.google.dev/gemini-api/docs/structured-output
// What is converted, dropped or refused is listed in ./SUPPORT.md.
import type { AdapterContext, ChatRequest, UpstreamRequest } from "../types";
import { guessMimeFromUrl, isDataUrl, isHttpUrl, parseDataUrl } from "../media";
import { joinText, parseChatBody, parseToolArguments, unsupportedParameter, unsupportedValue, type ChatBody, type ChatMessage, type ToolCall, type UserPart, refuseUnsupported, assistantText } from "../openai-shapes";
import { decodeToolCallId, type GeminiCallState } from "./tool-call-id";
import type { Content, GenerateContentRequest, GenerationConfig, Part } from "./wire-types";

/**
 * The REST version we call. The API reference's REST examples and the Google SDKs'
 * default use v1beta, where function calling, system instructions and JSON-schema output
 * are all available; base URLs are the host root (GOOGLE_BASE_URL).
 * @see https://ai.google.dev/gemini-api/docs/api-versions
 */
export const GEMINI_API_VERSION = "v1beta";

/**
 * Gemini 3 refuses a history whose function calls lack their thought signature. A call
 * that did not come from Gemini (another provider's tool call, a client-written history)
 * has none; Google documents this value for exactly that case.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures#faqs
 */
export const SKIP_SIGNATURE = "skip_thought_signature_validator";

/**
 * An image given as a plain URL needs a media type; when the URL's extension names none,
 * JPEG is assumed (the Gemini API fetches the URL itself).
 */
const DEFAULT_URL_IMAGE_TYPE = "image/jpeg";

export function buildChatRequest(request: ChatRequest, ctx: AdapterContext): UpstreamRequest {
  const body = convertChatRequest(request);
  const method = request.stream ? "streamGenerateContent?alt=sse" : "generateContent";
  return {
    url: `${ctx.baseUrl}/${GEMINI_API_VERSION}/models/${encodeURIComponent(ctx.model)}:${method}`,
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: request.stream ? "text/event-stream" : "application/json",
      "x-goog-api-key": ctx.apiKey,
    },
    body: JSON.stringify(body),
  };
}

export function convertChatRequest(request: ChatRequest): GenerateContentRequest {
  const chat = parseChatBody(request);
  refuseUnsupported(chat, "Gemini");
  const { system, contents } = convertMessages(chat.messages);
  if (contents.length === 0) throw unsupportedValue("messages", "messages must include at least one user or assistant message.");

  const out: GenerateContentRequest = { contents };
  if (system.length > 0) out.systemInstruction = { parts: system.map((text) => ({ text })) };

  if (chat.tools && chat.tools.length > 0) {
    out.tools = [
      {
        functionDeclarations: chat.tools.map((tool) => ({
          name: tool.function.name,
          ...(tool.function.description ? { description: tool.function.description } : {}),
          // JSON Schema as OpenAI clients write it; `parameters` would want Google's OpenAPI subset.
          ...(tool.function.parameters ? { parametersJsonSchema: tool.function.parameters } : {}),
        })),
      },
    ];
    const choice = chat.tool_choice;
    if (choice === "auto") out.toolConfig = { functionCallingConfig: { mode: "AUTO" } };
    else if (choice === "none") out.toolConfig = { functionCallingConfig: { mode: "NONE" } };
    else if (choice === "required") out.toolConfig = { functionCallingConfig: { mode: "ANY" } };
    else if (choice) out.toolConfig = { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.function.name] } };
  }

  const config = convertGenerationConfig(chat);
  if (Object.keys(config).length > 0) out.generationConfig = config;
  return out;
}

function convertGenerationConfig(chat: ChatBody): GenerationConfig {
  const config: GenerationConfig = {};
  if (chat.temperature != null) config.temperature = chat.temperature;
  if (chat.top_p != null) config.topP = chat.top_p;
  const maxTokens = chat.max_completion_tokens ?? chat.max_tokens;
  if (maxTokens != null) config.maxOutputTokens = maxTokens;
  if (chat.stop != null) {
    const stops = (typeof chat.stop === "string" ? [chat.stop] : chat.stop).filter((s) => s.length > 0);
    if (stops.length > 0) config.stopSequences = stops;
  }
  if (chat.seed != null) config.seed = chat.seed;
  // Zero is OpenAI's default and some clients always send it; models without penalty
  // support refuse the field even at zero, so only a real penalty is sent.
  if (chat.presence_penalty) config.presencePenalty = chat.presence_penalty;
  if (chat.frequency_penalty) config.frequencyPenalty = chat.frequency_penalty;
  const format = chat.response_format;
  if (format?.type === "json_object") config.responseMimeType = "application/json";
  if (format?.type === "json_schema") {
    config.responseMimeType = "application/json";
    if (format.json_schema.schema) config.responseJsonSchema = format.json_schema.schema;
  }
  return config;
}

interface KnownCall {
  name: string;
  state: GeminiCallState;
}

/**
 * System and developer messages become systemInstruction, in order. Assistant turns become
 * "model" contents; tool calls become functionCall parts with the id and thought signature
 * recovered from the tool-call id (see tool-call-id.ts). Tool messages become functionResponse
 * parts in a "user" content: Gemini matches them by function name, so the name is looked up
 * from the assistant tool call with the same id, or, for ids we cannot find, by position in
 * the run of tool messages after the assistant turn. Adjacent contents of one role merge.
 */
export function convertMessages(input: ChatMessage[]): { system: string[]; contents: Content[] } {
  const system: string[] = [];
  const contents: Content[] = [];
  const callsById = new Map<string, KnownCall>();
  let lastCalls: ToolCall[] = [];
  let toolRun = 0;

  const append = (role: Content["role"], parts: Part[]) => {
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts: [...parts] });
  };

  input.forEach((message, i) => {
    const param = `messages[${i}]`;
    switch (message.role) {
      case "system":
      case "developer": {
        const text = joinText(message.content);
        if (text) system.push(text);
        break;
      }
      case "user": {
        const parts = convertUserContent(message.content, `${param}.content`);
        if (parts.length === 0) throw unsupportedValue(`${param}.content`, "A user message must not be empty.");
        append("user", parts);
        lastCalls = [];
        break;
      }
      case "assistant": {
        const parts: Part[] = [];
        const text = assistantText(message.content);
        if (text) parts.push({ text });
        let signed = false;
        (message.tool_calls ?? []).forEach((call, j) => {
          const state = decodeToolCallId(call.id);
          callsById.set(call.id, { name: call.function.name, state });
          const part: Part = {
            functionCall: {
              name: call.function.name,
              args: parseToolArguments(call.function.arguments, `${param}.tool_calls[${j}].function.arguments`),
              ...(state.id ? { id: state.id } : {}),
            },
          };
          // Gemini signs the first call of a step; the others are validated through it.
          if (state.signature) part.thoughtSignature = state.signature;
          else if (!signed) part.thoughtSignature = SKIP_SIGNATURE;
          signed = true;
          parts.push(part);
        });
        lastCalls = message.tool_calls ?? [];
        toolRun = 0;
        if (parts.length > 0) append("model", parts);
        break;
      }
      case "tool": {
        const positional = lastCalls[toolRun];
        toolRun += 1;
        const known =
          callsById.get(message.tool_call_id) ??
          (positional ? { name: positional.function.name, state: decodeToolCallId(positional.id) } : undefined);
        if (!known) {
          throw unsupportedValue(
            `${param}.tool_call_id`,
            "A tool message must answer a tool call of an earlier assistant message (Gemini needs the function's name).",
          );
        }
        append("user", [
          {
            functionResponse: {
              name: known.name,
              response: toResponseObject(joinText(message.content)),
              ...(known.state.id ? { id: known.state.id } : {}),
            },
          },
        ]);
        break;
      }
      case "function":
        throw unsupportedParameter(`${param}.role`, "Legacy function messages are not supported; use tool messages.");
    }
  });
  return { system, contents };
}

/** functionResponse.response must be a JSON object; other results are wrapped as {result}. */
function toResponseObject(content: string): Record<string, unknown> {
  try {
    const value = JSON.parse(content) as unknown;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    return { result: value };
  } catch {
    return { result: content };
  }
}

function convertUserContent(content: string | UserPart[], param: string): Part[] {
  if (typeof content === "string") return content ? [{ text: content }] : [];
  const parts: Part[] = [];
  content.forEach((part, k) => {
    const at = `${param}[${k}]`;
    switch (part.type) {
      case "text":
        if (part.text) parts.push({ text: part.text });
        break;
      case "image_url": {
        const url = part.image_url.url;
        if (isDataUrl(url)) {
          const media = parseDataUrl(url);
          if (!media) throw unsupportedValue(`${at}.image_url.url`, "Image data URLs must be base64-encoded (data:image/png;base64,…).");
          parts.push({ inlineData: { mimeType: media.mimeType, data: media.data } });
        } else if (isHttpUrl(url)) {
          parts.push({ fileData: { mimeType: guessMimeFromUrl(url) ?? DEFAULT_URL_IMAGE_TYPE, fileUri: url } });
        } else {
          throw unsupportedValue(`${at}.image_url.url`, "An image must be an http(s) URL or a base64 data URL.");
        }
        break;
      }
      case "input_audio":
        parts.push({ inlineData: { mimeType: `audio/${part.input_audio.format}`, data: part.input_audio.data } });
        break;
      case "file": {
        const media = part.file.file_data ? parseDataUrl(part.file.file_data) : null;
        if (!media) throw unsupportedValue(`${at}.file`, "Gemini models read files sent inline as base64 data URLs (file_data); file ids are not supported.");
        parts.push({ inlineData: { mimeType: media.mimeType, data: media.data } });
        break;
      }
    }
  });
  return parts;
}
