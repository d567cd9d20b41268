// The parts of Anthropic's Messages API wire format this adapter writes and reads.
// @see https://platform.claude.com/docs/en/api/messages/create
// @see https://platform.claude.com/docs/en/build-with-claude/streaming
import { z } from "zod";
import { lenient } from "../provider-errors";

export type AnthropicVersion = "2023-06-01" | "2026-10-21";

export interface TextBlock {
  type: "text";
  text: string;
}

export interface ImageBlock {
  type: "image";
  source: { type: "base64"; media_type: string; data: string } | { type: "url"; url: string };
}

export interface DocumentBlock {
  type: "document";
  source: { type: "base64"; media_type: "application/pdf"; data: string } | { type: "url"; url: string };
}

export interface ToolUseBlock {
  type: "tool_use";
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface ToolResultBlock {
  type: "tool_result";
  tool_use_id: string;
  content: string | TextBlock[];
}

export type RequestBlock = TextBlock | ImageBlock | DocumentBlock | ToolUseBlock | ToolResultBlock;

export interface AnthropicMessage {
  role: "user" | "assistant";
  content: RequestBlock[];
}

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  strict?: boolean;
}

export type AnthropicToolChoice =
  | { type: "auto"; disable_parallel_tool_use?: boolean }
  | { type: "any"; disable_parallel_tool_use?: boolean }
  | { type: "tool"; name: string; disable_parallel_tool_use?: boolean }
  | { type: "none" };

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: TextBlock[];
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  stream?: boolean;
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  metadata?: { user_id: string };
  output_config?: { format: { type: "json_schema"; schema: Record<string, unknown> } };
}

export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export type ResponseBlock =
  | TextBlock
  | ToolUseBlock
  | { type: "thinking"; thinking: string; signature?: string }
  | { type: "redacted_thinking"; data: string }
  | { type: string; [field: string]: unknown };

export interface MessageResponse {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: ResponseBlock[];
  stop_reason: string | null;
  stop_sequence?: string | null;
  usage: AnthropicUsage;
}

/**
 * The error object of an error response and of a stream's `error` event. Read leniently: a
 * field of another type counts as absent, so a body that is not quite Anthropic's is still
 * mapped by its HTTP status.
 * @see https://platform.claude.com/docs/en/api/errors#error-shapes
 */
export const errorObject = z.object({ type: lenient(z.string()), message: lenient(z.string()) });

/** An error response: `{"type":"error","error":{type,message},"request_id":…}`. */
export const errorBody = z.object({ error: errorObject });

export type StreamEvent =
  | { type: "message_start"; message: MessageResponse }
  | { type: "content_block_start"; index: number; content_block: ResponseBlock }
  | {
      type: "content_block_delta";
      index: number;
      delta:
        | { type: "text_delta"; text: string }
        | { type: "input_json_delta"; partial_json: string }
        | { type: string; [field: string]: unknown };
    }
  | { type: "content_block_stop"; index: number }
  | { type: "message_delta"; delta: { stop_reason?: string | null; stop_sequence?: string | null }; usage?: AnthropicUsage }
  | { type: "message_stop" }
  | { type: "ping" }
  | { type: "error"; error: { type: string; message: string } };

export interface ModelListResponse {
  data: { type: "model"; id: string; display_name?: string; created_at?: string }[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}
