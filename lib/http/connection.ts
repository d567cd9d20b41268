// Closing a connection whose request body was not read to its end (an answer sent before
// the body arrived: too large, too slow, refused). Node would otherwise read the rest to
// keep the connection alive, however long the client keeps sending. Closing at once is no
// better: a socket closed with unread input sends a reset, and a reset can destroy the
// answer before the client has read it. So the answer goes out with `Connection: close`,
// then our side is shut (FIN), and what still arrives is dropped until the client closes
// too or LINGER_MS pass ("lingering close", as Nginx does it).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

const LINGER_MS = 2_000;
// A small body still arriving behind a quick answer (a refused key) is read to its end,
// so the connection can carry the client's next request; Go's net/http draws the same
// line (at 256 KB).
const DRAIN_LIMIT_BYTES = 256 * 1024;

/**
 * Whether an answer with this status, sent now, should close the connection rather than
 * read the rest of the body: the body is still arriving and is chunked, large, too large
 * (413) or stalled (408).
 */
export function shouldCloseAfter(req: IncomingMessage, status: number): boolean {
  if (req.complete) return false;
  const chunked = req.headers["transfer-encoding"] !== undefined;
  const length = req.headers["content-length"];
  if (!chunked && length === undefined) return false; // no body
  if (status === 408 || status === 413) return true;
  return chunked || Number(length) > DRAIN_LIMIT_BYTES;
}

/** Call before the response's headers are written. */
export function closeAfterResponse(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader("connection", "close");
  const socket = res.socket;
  // Node ends a `Connection: close` response's socket with destroySoon(): end, then destroy
  // as soon as our side is flushed, unread input or not.
  if (socket && !socket.destroyed) socket.destroySoon = lingerThenDestroy;
}

function lingerThenDestroy(this: Socket): void {
  this.end();
  const timer = setTimeout(() => this.destroy(), LINGER_MS);
  timer.unref();
  this.once("close", () => clearTimeout(timer));
}
