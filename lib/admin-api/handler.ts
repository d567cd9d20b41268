// The one wrapper around every /api/admin route: request id, authentication, the
// caller's identity for the audit log, body and query parsing, and the error mapping.
// Route handlers only parse → call lib → respond; they contain no try/catch.
import { randomUUID } from "node:crypto";
import type { Actor } from "@/lib/audit/record";
import { clientIp } from "@/lib/http/client-ip";
import { authenticate, type Principal } from "./auth";
import { readJsonBody } from "./body";
import { errorResponse } from "./respond";

export interface AdminContext<P> {
  request: Request;
  requestId: string;
  principal: Principal;
  /** The audit log's view of the caller. */
  who: Actor;
  params: P;
  /** The query string as an object (a repeated parameter keeps its last value). */
  query: Record<string, string>;
  /** The JSON body (size-capped); an empty body is `{}`. */
  body(): Promise<unknown>;
}

/** The second argument Next passes to a route handler. */
export interface RouteContext<P> {
  params: Promise<P>;
}

export type AdminRouteHandler<P> = (request: Request, context: RouteContext<P>) => Promise<Response>;

export function withAdminApi<P extends Record<string, string> = Record<string, never>>(
  handler: (ctx: AdminContext<P>) => Promise<Response>,
): AdminRouteHandler<P> {
  return async (request, context) => {
    const requestId = randomUUID();
    const url = new URL(request.url);
    let response: Response;
    try {
      const principal = await authenticate(request);
      response = await handler({
        request,
        requestId,
        principal,
        who: { actor: principal.actor, ip: clientIp(request.headers) },
        params: await context.params,
        query: Object.fromEntries(url.searchParams),
        body: () => readJsonBody(request),
      });
    } catch (error) {
      response = errorResponse(error, requestId, { method: request.method, path: url.pathname });
    }
    response.headers.set("x-request-id", requestId);
    // Responses may carry a secret shown once; no cache may keep a copy.
    response.headers.set("cache-control", "no-store");
    return response;
  };
}
