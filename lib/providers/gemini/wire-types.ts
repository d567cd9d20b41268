// The parts of the Gemini API's generateContent wire format this adapter writes and reads
// (JSON names in lowerCamelCase, as the REST reference shows them).
// @see https://ai.google.dev/api/generate-content
// @see https://ai.google.dev/api/caching#Content
import { z } from "zod";
import { lenient } from "../provider-errors";

export interface FunctionCall {
  name: string;
  args?: Record<string, unknown>;
  /** Set by some models; a functionResponse must then carry the same id. */
  id?: string;
}

export interface FunctionResponse {
  name: string;
  response: Record<string, unknown>;
  id?: string;
}

export interface Part {
  text?: string;
  /** A thought summary part (only with includeThoughts), not answer text. */
  thought?: boolean;
  /** Opaque; Gemini 3 requires it back on the function-call parts of the history. */
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: FunctionCall;
  functionResponse?: FunctionResponse;
}

export interface Content {
  role: "user" | "model";
  parts: Part[];
}

export interface GenerationConfig {
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  responseJsonSchema?: Record<string, unknown>;
}

export interface GenerateContentRequest {
  contents: Content[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: { functionDeclarations: { name: string; description?: string; parametersJsonSchema?: Record<string, unknown> }[] }[];
  toolConfig?: { functionCallingConfig: { mode: "AUTO" | "ANY" | "NONE"; allowedFunctionNames?: string[] } };
  generationConfig?: GenerationConfig;
}

export interface UsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
}

export interface Candidate {
  content?: { role?: string; parts?: Part[] };
  finishReason?: string;
  index?: number;
}

export interface GenerateContentResponse {
  candidates?: Candidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: UsageMetadata;
  modelVersion?: string;
  responseId?: string;
}

/**
 * google.rpc.Status, as Gemini sends it in error bodies and mid-stream errors, with the two
 * details the adapter reads: ErrorInfo's `reason` and RetryInfo's `retryDelay`. Read
 * leniently: a field (or a detail) of another shape counts as absent.
 * @see https://cloud.google.com/apis/design/errors#error_model
 * @see https://github.com/googleapis/googleapis/blob/master/google/rpc/error_details.proto
 */
export const rpcStatus = z.object({
  code: lenient(z.number()),
  message: lenient(z.string()),
  status: lenient(z.string()),
  details: lenient(z.array(z.object({ "@type": lenient(z.string()), reason: lenient(z.string()), retryDelay: lenient(z.string()) }).catch({}))),
});

export type GoogleRpcStatus = z.infer<typeof rpcStatus>;

/** An error response: `{"error": Status}`. */
export const errorBody = z.object({ error: rpcStatus });
