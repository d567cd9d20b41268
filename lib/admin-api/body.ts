// Request bodies of the management API: small JSON documents. The size is capped while
// reading, so a client cannot make the server buffer an arbitrary amount.
import { ApiProblem } from "./respond";

/** Generous for the largest key (100 IP rules, 200 model names) yet small enough to buffer. */
export const MAX_BODY_BYTES = 64 * 1024;

async function readText(request: Request, limit: number): Promise<string> {
  const tooLarge = () => new ApiProblem("payload_too_large", `request body exceeds ${limit} bytes`);
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limit) throw tooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ApiProblem("invalid_json", "request body is not valid UTF-8");
  }
}

/** The parsed JSON body; an empty body reads as `{}` so bodiless POSTs need no `-d '{}'`. */
export async function readJsonBody(request: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readText(request, limit);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's message quotes the body, which may hold a password.
    throw new ApiProblem("invalid_json", "request body is not valid JSON");
  }
}
