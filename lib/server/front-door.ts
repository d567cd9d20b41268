// What our server decides about a request before anyone else sees it (lib/server/start.ts):
//  - forwarding headers (X-Forwarded-*, Forwarded, X-Real-IP…) from a peer that is not a
//    trusted proxy are removed;
//  - the target is normalised as Next will route it (lib/http/request-target.ts), an
//    absolute-form target's host replaces Host, and Next is handed the normalised form;
//  - a missing, repeated or malformed Host is refused (Node's own check answers an empty
//    400, so it is turned off and done here);
//  - /v1 goes to the gateway, which checks ALLOWED_HOSTS itself and answers in OpenAI's
//    shape; everything else is checked here against ALLOWED_HOSTS and a method list and
//    refused in JSON.
import type { IncomingMessage } from "node:http";
import type { V1Refusal } from "@/lib/gateway/gateway";
import { isForwardingHeader, withoutForwardingHeaders } from "@/lib/http/forwarded";
import { isHostAllowed } from "@/lib/http/host";
import { isV1Path, parseRequestTarget } from "@/lib/http/request-target";

export type FrontDoorDecision =
  /** A JSON refusal written by our server (the console's shape: {error:{code,message}}). */
  | { kind: "refuse"; status: number; code: string; message: string; headers?: Record<string, string> }
  /** The gateway's: `path` is normalised; `refusal` when the request is already refused. */
  | { kind: "v1"; path: string; refusal?: V1Refusal }
  | { kind: "next" };

/** Every method the console and its API answer; Next turns others (TRACE) into a 500. */
export const CONSOLE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

// host[:port], the host a reg-name, IPv4 address or [IPv6] literal (RFC 3986 §3.2.2).
const HOST_VALUE = /^(\[[0-9a-f:.]+\]|[a-z0-9\-._~!$&'()*+,;=%]+)(:\d{1,5})?$/i;

export interface FrontDoorOptions {
  allowedHosts: readonly string[];
  /** Whether the socket's peer is a trusted proxy (TRUSTED_PROXIES). */
  trustedPeer: boolean;
}

/** Decides, and normalises `req` in place (url, headers) for whoever answers it. */
export function admitRequest(req: IncomingMessage, options: FrontDoorOptions): FrontDoorDecision {
  if (!options.trustedPeer) stripForwardingHeaders(req);
  const target = parseRequestTarget(req.url ?? "");
  if (!target) {
    return refuse(400, "invalid_request_target", "The request target must be a path such as /admin (or an http:// URL).");
  }
  if (target.authority !== null) setHost(req, target.authority);
  req.url = target.path + target.search;

  const hostProblem = checkHost(req);
  // Never build a URL from a malformed Host (serveDirect puts it in the Request's URL).
  if (hostProblem) delete req.headers.host;
  if (isV1Path(target.path)) {
    return hostProblem ? { kind: "v1", path: target.path, refusal: { code: "invalid_request", message: hostProblem } } : { kind: "v1", path: target.path };
  }
  if (hostProblem) return refuse(400, "invalid_host", hostProblem);
  if (options.allowedHosts.length && !isHostAllowed(req.headers.host ?? null, options.allowedHosts)) {
    return refuse(400, "host_not_allowed", "This server does not answer to that host name (ALLOWED_HOSTS).");
  }
  if (!(CONSOLE_METHODS as readonly string[]).includes(req.method ?? "")) {
    return refuse(405, "method_not_allowed", `${req.method} is not allowed here.`, { allow: CONSOLE_METHODS.join(", ") });
  }
  return { kind: "next" };
}

function refuse(status: number, code: string, message: string, headers?: Record<string, string>): FrontDoorDecision {
  return { kind: "refuse", status, code, message, headers };
}

/** Why the Host header is unusable (RFC 9112 §3.2: exactly one, well-formed; required in HTTP/1.1), or null. */
function checkHost(req: IncomingMessage): string | null {
  let count = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === "host") count++;
  if (count > 1) return "The request carries more than one Host header.";
  const host = req.headers.host;
  if (host === undefined || host === "") {
    return req.httpVersion === "1.0" && host === undefined ? null : "The request has no Host header; HTTP/1.1 requires one.";
  }
  return HOST_VALUE.test(host) ? null : "The Host header is not a valid host name.";
}

function stripForwardingHeaders(req: IncomingMessage): void {
  let found = false;
  for (const name of Object.keys(req.headers)) {
    if (isForwardingHeader(name)) {
      delete req.headers[name];
      found = true;
    }
  }
  if (found) req.rawHeaders = withoutForwardingHeaders(req.rawHeaders);
}

function setHost(req: IncomingMessage, host: string): void {
  req.headers.host = host;
  const raw: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() !== "host") raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  req.rawHeaders = [...raw, "Host", host];
}
