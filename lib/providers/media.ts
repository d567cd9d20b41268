// Reading the media references OpenAI clients put in message parts: `data:` URLs (inline
// base64) and plain http(s) URLs. Adapters never fetch a URL themselves: the provider does.
// @see https://www.rfc-editor.org/rfc/rfc2397 (the "data" URL scheme)

export interface InlineMedia {
  mimeType: string;
  /** Base64 payload, as found in the URL. */
  data: string;
}

/** A base64 `data:` URL split into its media type and payload; null for anything else. */
export function parseDataUrl(url: string): InlineMedia | null {
  const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (!match) return null;
  const params = match[2].split(";").filter(Boolean);
  if (!params.some((p) => p.toLowerCase() === "base64")) return null;
  const mimeType = (match[1] || "text/plain").toLowerCase();
  return { mimeType, data: match[3] };
}

export function isDataUrl(url: string): boolean {
  return url.slice(0, 5).toLowerCase() === "data:";
}

export function isHttpUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}

const EXTENSION_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
};

/** The media type a URL's file extension names, if it names one we know. */
export function guessMimeFromUrl(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const dot = path.lastIndexOf(".");
  if (dot < 0) return undefined;
  return EXTENSION_TYPES[path.slice(dot + 1).toLowerCase()];
}
