// HTTP/1.1 over a plain node:net socket, for requests a client library would normalise
// or refuse to send: dot segments and backslashes in the path, a foreign or missing Host,
// TRACE, `OPTIONS *`, bodies that stall or never end.
import { connect, type Socket } from "node:net";

export interface RawResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

/** Parses one response from the bytes received so far; null while it is incomplete. */
export function parseResponse(data: Buffer): RawResponse | null {
  const end = data.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const [statusLine, ...lines] = data.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(statusLine.split(" ")[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  let rest = data.subarray(end + 4);
  if (headers["transfer-encoding"]?.toLowerCase() === "chunked") {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = rest.indexOf("\r\n");
      if (lineEnd < 0) return null;
      const size = parseInt(rest.subarray(0, lineEnd).toString("latin1"), 16);
      if (rest.length < lineEnd + 2 + size + 2) return null;
      if (size === 0) break;
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 2 + size + 2);
    }
    return { status, headers, body: Buffer.concat(parts).toString("utf8") };
  }
  const length = Number(headers["content-length"] ?? 0);
  if (rest.length < length) return null;
  return { status, headers, body: rest.subarray(0, length).toString("utf8") };
}

export interface RawExchange {
  socket: Socket;
  /** Resolves with the first complete response. */
  response: Promise<RawResponse>;
  /** Resolves when the server has closed the connection (FIN or reset). */
  closed: Promise<void>;
}

/** Opens a connection to `url`'s host and port, writes `head` (and nothing else yet). */
export function openRaw(url: string, head: string | Buffer): RawExchange {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = Buffer.alloc(0);
  let resolveResponse!: (r: RawResponse) => void;
  let rejectResponse!: (e: Error) => void;
  const response = new Promise<RawResponse>((resolve, reject) => ((resolveResponse = resolve), (rejectResponse = reject)));
  // A reset after the response was read is not the test's concern; before it, it is.
  response.catch(() => undefined);
  socket.on("data", (chunk) => {
    received = Buffer.concat([received, chunk]);
    const parsed = parseResponse(received);
    if (parsed) resolveResponse(parsed);
  });
  socket.on("error", (error) => rejectResponse(new Error(`connection failed before a complete response: ${error.message}; received: ${received.toString("latin1").slice(0, 200)}`)));
  const closed = new Promise<void>((resolve) => {
    socket.once("end", () => resolve());
    socket.once("close", () => {
      rejectResponse(new Error(`connection closed before a complete response; received: ${received.toString("latin1").slice(0, 200)}`));
      resolve();
    });
  });
  socket.write(head);
  return { socket, response, closed };
}

/** Sends one complete request (it should say `Connection: close`) and reads the response. */
export async function rawRequest(url: string, request: string): Promise<RawResponse> {
  const exchange = openRaw(url, request);
  try {
    return await exchange.response;
  } finally {
    exchange.socket.destroy();
  }
}

/** `METHOD target HTTP/1.1` with these headers (in order) and an optional body. */
export function requestText(method: string, target: string, headers: Record<string, string>, body = ""): string {
  const lines = [`${method} ${target} HTTP/1.1`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}
