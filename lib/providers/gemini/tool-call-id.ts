// OpenAI tool-call ids for Gemini function calls.
// @see https://ai.google.dev/gemini-api/docs/function-calling
// @see https://ai.google.dev/gemini-api/docs/thought-signatures
//
// Gemini function calls often carry no id, and Gemini 3 models attach a thoughtSignature
// that must come back, unchanged, on the same functionCall part in the next request (or the
// request is refused with 400). OpenAI clients echo tool-call ids back verbatim in the
// assistant message's tool_calls and in each tool message's tool_call_id, so the id is
// where that state travels: `call_<requestId>_<n>`, followed by `.gx.<base64url JSON>` when
// Gemini gave an id or a signature. No server-side store is needed, so this works across
// gateway instances and restarts.

export interface GeminiCallState {
  /** Gemini's own functionCall.id, when it sent one. */
  id?: string;
  /** The part's thoughtSignature, when it had one. */
  signature?: string;
}

const MARKER = ".gx.";

export function encodeToolCallId(base: string, state: GeminiCallState): string {
  const carried: { i?: string; s?: string } = {};
  if (state.id) carried.i = state.id;
  if (state.signature) carried.s = state.signature;
  const suffix = carried.i || carried.s ? MARKER + Buffer.from(JSON.stringify(carried)).toString("base64url") : "";
  return `call_${base}${suffix}`;
}

/** State carried in an id we made; an id from elsewhere (another provider, a client) carries none. */
export function decodeToolCallId(toolCallId: string): GeminiCallState {
  const at = toolCallId.lastIndexOf(MARKER);
  if (at < 0) return {};
  try {
    const carried = JSON.parse(Buffer.from(toolCallId.slice(at + MARKER.length), "base64url").toString("utf8")) as unknown;
    if (typeof carried !== "object" || carried === null) return {};
    const { i, s } = carried as { i?: unknown; s?: unknown };
    return { ...(typeof i === "string" ? { id: i } : {}), ...(typeof s === "string" ? { signature: s } : {}) };
  } catch {
    return {};
  }
}
