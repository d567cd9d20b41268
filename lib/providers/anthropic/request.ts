// OpenAI chat-completions request → Anthropic Messages API request.
// @see https://platform.claude.com/docs/en/api/messages/create
// @see https://platform.claude.com/docs/en/build-with-claude/vision
// @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/implement-tool-use
// @see https://platform.claude.com/docs/en/build-with-claude/structured-outputs
// @see https://platform.claude.com/docs/en/api/versioning
// What is converted, dropped or refused is listed in ./SUPPORT.md.
import type { AdapterContext, ChatRequest, UpstreamRequest } from "../types";
import { isDataUrl, isHttpUrl, parseDataUrl } from "../media";
import { joinText, parseChatBody, parseToolArguments, unsupportedParameter, unsupportedValue, type ChatBody, type ChatMessage, type UserPart, refuseUnsupported, assistantText } from "../openai-shapes";
import type {
  AnthropicMessage,
  AnthropicToolChoice,
  AnthropicVersion,
  MessagesRequest,
  RequestBlock,
  TextBlock,
  ToolResultBlock,
} from "./wire-types";

/**
 * The API version we send. 2023-06-01 is still served and is the last version that accepts
 * temperature and top_p, which OpenAI clients send routinely; under 2026-10-21 they are
 * refused ("Extra inputs are not permitted"), so with that version we drop them.
 * @see https://platform.claude.com/docs/en/api/migration-2026-10-21
 */
export const DEFAULT_ANTHROPIC_VERSION: AnthropicVersion = "2023-06-01";

/**
 * Anthropic requires max_tokens; OpenAI clients often omit it. 4096 is within the output
 * limit of every Claude model the Messages API serves, and long enough for ordinary answers;
 * clients that need more send max_tokens / max_completion_tokens themselves.
 */
export const DEFAULT_MAX_TOKENS = 4096;

/** Image types the Messages API reads. @see https://platform.claude.com/docs/en/build-with-claude/vision */
const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

export interface AnthropicRequestOptions {
  version: AnthropicVersion;
}

export function buildChatRequest(request: ChatRequest, ctx: AdapterContext, options: AnthropicRequestOptions): UpstreamRequest {
  const body = convertChatRequest(request, ctx.model, options);
  return {
    url: `${ctx.baseUrl}/v1/messages`,
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: body.stream ? "text/event-stream" : "application/json",
      "x-api-key": ctx.apiKey,
      "anthropic-version": options.version,
    },
    body: JSON.stringify(body),
  };
}

export function convertChatRequest(request: ChatRequest, model: string, options: AnthropicRequestOptions): MessagesRequest {
  const chat = parseChatBody(request);
  refuseUnsupported(chat, "Anthropic");
  const { system, messages } = convertMessages(chat.messages);
  if (messages.length === 0) throw unsupportedValue("messages", "messages must include at least one user or assistant message.");

  const out: MessagesRequest = {
    model,
    max_tokens: chat.max_completion_tokens ?? chat.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages,
  };
  if (system.length > 0) out.system = system;

  if (options.version === "2023-06-01") {
    if (chat.temperature != null) {
      // OpenAI accepts 0–2; Anthropic 0–1. Rescaling would change every request's meaning.
      if (chat.temperature > 1) throw unsupportedValue("temperature", "temperature must be between 0 and 1 for Anthropic models.");
      out.temperature = chat.temperature;
    }
    if (chat.top_p != null) out.top_p = chat.top_p;
  }

  if (chat.stop != null) {
    const stops = (typeof chat.stop === "string" ? [chat.stop] : chat.stop).filter((s) => s.length > 0);
    if (stops.length > 0) out.stop_sequences = stops;
  }
  if (chat.stream) out.stream = true;

  const userId = chat.safety_identifier ?? chat.user;
  if (userId) out.metadata = { user_id: userId };

  if (chat.tools && chat.tools.length > 0) {
    out.tools = chat.tools.map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      input_schema: tool.function.parameters ?? { type: "object", properties: {} },
      ...(tool.function.strict ? { strict: true } : {}),
    }));
    const choice = convertToolChoice(chat);
    if (choice) out.tool_choice = choice;
  }

  if (chat.response_format?.type === "json_schema") {
    const schema = chat.response_format.json_schema.schema;
    if (!schema) throw unsupportedValue("response_format.json_schema.schema", "response_format json_schema needs a schema for Anthropic models.");
    out.output_config = { format: { type: "json_schema", schema } };
  }
  // json_object has no Anthropic equivalent; OpenAI already requires the prompt to ask for
  // JSON, which Claude follows, so it is dropped rather than refused (see SUPPORT.md).
  return out;
}

function convertToolChoice(chat: ChatBody): AnthropicToolChoice | undefined {
  const choice = chat.tool_choice;
  const noParallel = chat.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === "none") return { type: "none" };
  if (choice === "required") return { type: "any", ...noParallel };
  if (choice && typeof choice === "object") return { type: "tool", name: choice.function.name, ...noParallel };
  if (choice === "auto" || chat.parallel_tool_calls === false) return { type: "auto", ...noParallel };
  return undefined;
}

/**
 * System and developer messages become the top-level `system` (Anthropic has no system role
 * inside `messages`), in order. Tool results become `tool_result` blocks in a user turn;
 * consecutive turns of one role are merged, with tool results first, as Anthropic requires.
 */
export function convertMessages(input: ChatMessage[]): { system: TextBlock[]; messages: AnthropicMessage[] } {
  const system: TextBlock[] = [];
  const messages: AnthropicMessage[] = [];

  const append = (role: AnthropicMessage["role"], blocks: RequestBlock[]) => {
    const last = messages[messages.length - 1];
    if (last && last.role === role) {
      const results = blocks.filter((b) => b.type === "tool_result");
      const others = blocks.filter((b) => b.type !== "tool_result");
      const firstOther = last.content.findIndex((b) => b.type !== "tool_result");
      if (firstOther < 0) last.content.push(...results);
      else last.content.splice(firstOther, 0, ...results);
      last.content.push(...others);
    } else {
      messages.push({ role, content: [...blocks] });
    }
  };

  input.forEach((message, i) => {
    const param = `messages[${i}]`;
    switch (message.role) {
      case "system":
      case "developer": {
        const text = joinText(message.content);
        if (text) system.push({ type: "text", text });
        break;
      }
      case "user": {
        const blocks = convertUserContent(message.content, `${param}.content`);
        if (blocks.length === 0) throw unsupportedValue(`${param}.content`, "A user message must not be empty.");
        append("user", blocks);
        break;
      }
      case "assistant": {
        const blocks: RequestBlock[] = [];
        const text = assistantText(message.content);
        if (text) blocks.push({ type: "text", text });
        message.tool_calls?.forEach((call, j) => {
          blocks.push({
            type: "tool_use",
            id: call.id,
            name: call.function.name,
            input: parseToolArguments(call.function.arguments, `${param}.tool_calls[${j}].function.arguments`),
          });
        });
        // Anthropic refuses empty assistant turns; an empty one carries nothing anyway.
        if (blocks.length > 0) append("assistant", blocks);
        break;
      }
      case "tool": {
        const result: ToolResultBlock = {
          type: "tool_result",
          tool_use_id: message.tool_call_id,
          content: typeof message.content === "string" ? message.content : message.content.map((p) => ({ type: "text", text: p.text })),
        };
        append("user", [result]);
        break;
      }
      case "function":
        throw unsupportedParameter(`${param}.role`, "Legacy function messages are not supported; use tool messages.");
    }
  });
  return { system, messages };
}

function convertUserContent(content: string | UserPart[], param: string): RequestBlock[] {
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  const blocks: RequestBlock[] = [];
  content.forEach((part, k) => {
    const at = `${param}[${k}]`;
    switch (part.type) {
      case "text":
        if (part.text) blocks.push({ type: "text", text: part.text });
        break;
      case "image_url":
        blocks.push(convertImage(part.image_url.url, `${at}.image_url.url`));
        break;
      case "file": {
        const media = part.file.file_data ? parseDataUrl(part.file.file_data) : null;
        if (!media || media.mimeType !== "application/pdf") {
          throw unsupportedValue(`${at}.file`, "Anthropic models read files only as base64 PDF data (file_data: data:application/pdf;base64,…).");
        }
        blocks.push({ type: "document", source: { type: "base64", media_type: "application/pdf", data: media.data } });
        break;
      }
      case "input_audio":
        throw unsupportedValue(`${at}.type`, "Anthropic models do not accept audio input.");
    }
  });
  return blocks;
}

function convertImage(url: string, param: string): RequestBlock {
  if (isDataUrl(url)) {
    const media = parseDataUrl(url);
    if (!media) throw unsupportedValue(param, "Image data URLs must be base64-encoded (data:image/png;base64,…).");
    if (!IMAGE_TYPES.has(media.mimeType)) {
      throw unsupportedValue(param, `Anthropic models read JPEG, PNG, GIF and WebP images, not ${media.mimeType}.`);
    }
    return { type: "image", source: { type: "base64", media_type: media.mimeType, data: media.data } };
  }
  if (isHttpUrl(url)) return { type: "image", source: { type: "url", url } };
  throw unsupportedValue(param, "An image must be an http(s) URL or a base64 data URL.");
}
