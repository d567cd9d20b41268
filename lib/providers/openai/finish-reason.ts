// OpenAI's finish_reason values: the client's own format, so nothing here is mapped. They
// are the set every other adapter maps its provider's stop reasons onto (FinishReason in
// ../types); OpenAI's own pass through untouched, including values added later.
// @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";
