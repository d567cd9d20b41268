// Who is calling the management API: a management token as a bearer credential (the
// CLI's local token included), or a signed-in console admin's session cookie.
import { isIP } from "node:net";
import { getAdminSession } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { recordEvent } from "@/lib/events/record";
import { clientIp, socketPeer } from "@/lib/http/client-ip";
import { normalizeIp } from "@/lib/keys/ip";
import { verifyToken } from "@/lib/tokens/service";

export type Principal = {
  kind: "token" | "session";
  /** Token or admin id. */
  id: string;
  name: string;
  /** The credential the server issued to the CLI in its own data directory. */
  local: boolean;
  /** For the audit log: "cli" for the local token, "token:<name>", or "admin:<email>". */
  actor: string;
};

/** A 401; `credentialSent` tells the client whether it sent something that was refused. */
export class AuthFailure extends AppError {
  constructor(
    message: string,
    readonly credentialSent: boolean,
  ) {
    super("unauthorized", message);
  }
}

/** Finds and checks one kind of credential; null when the request does not carry that kind. */
type Authenticator = (request: Request) => Promise<Principal | null>;

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Whether a proxy passed this request on for someone else. Next fills X-Forwarded-For
 * with the socket's address when the client sent none, so only other addresses count.
 */
function forwarded(headers: Headers, peer: string): boolean {
  if (headers.has("forwarded") || headers.has("x-real-ip")) return true;
  const hops = headers.get("x-forwarded-for")?.split(",") ?? [];
  return hops.some((hop) => normalizeIp(hop.trim()) !== peer);
}

/**
 * The local credential (DATA_DIR/cli-token) stands for "someone on this machine": the CLI
 * connects to the server over loopback. The file travels with every copy of DATA_DIR,
 * so a copy must not be enough to manage this server from elsewhere. Judged on the
 * socket's address, which the client cannot choose; a proxy on this machine also
 * connects over loopback, so a forwarded request is refused too (headers can only make
 * this stricter, never looser).
 */
function isLoopbackCall(headers: Headers): boolean {
  const peer = socketPeer(headers);
  if (peer === null) return false;
  const loopback = peer === "::1" || (isIP(peer) === 4 && peer.startsWith("127."));
  return loopback && !forwarded(headers, peer);
}

const bearerToken: Authenticator = async (request) => {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  const match = BEARER.exec(header);
  if (!match) throw new AuthFailure("the Authorization header must be `Bearer <management token>`", true);
  const token = await verifyToken(match[1]);
  if (!token) throw new AuthFailure("invalid or revoked management token", true);
  if (token.local && !isLoopbackCall(request.headers)) {
    const ip = clientIp(request.headers);
    await recordEvent({
      category: "security",
      level: "warn",
      type: "local_credential_refused",
      message: `The local CLI credential was used from ${ip ?? "an unknown address"}, not from this machine's loopback: refused`,
      clientIp: ip,
      details: { peer: socketPeer(request.headers) },
    });
    throw new AuthFailure("the local CLI credential is accepted only from this machine's loopback address (127.0.0.1 or ::1), not through a proxy", true);
  }
  return { kind: "token", id: token.id, name: token.name, local: token.local, actor: token.local ? "cli" : `token:${token.name}` };
};

// getAdminSession refuses cross-site requests that change something (browsers send
// cookies cross-site), so a session here is as good as the console's own actions.
const consoleSession: Authenticator = async (request) => {
  const admin = await getAdminSession(request);
  return admin && { kind: "session", id: admin.id, name: admin.email, local: false, actor: `admin:${admin.email}` };
};

// Tried in order; the first one whose credential is present decides, so a bad bearer
// token is refused even if a session would have been accepted.
const authenticators: Authenticator[] = [bearerToken, consoleSession];

export async function authenticate(request: Request): Promise<Principal> {
  for (const authenticator of authenticators) {
    const principal = await authenticator(request);
    if (principal) return principal;
  }
  throw new AuthFailure(
    "missing credentials: send `Authorization: Bearer <management token>` (create one with `npm run cli -- tokens create --name <name>`) or sign in to the console",
    false,
  );
}

/**
 * Admin accounts can be created (and their passwords reset) only with the local
 * credential: an automation token that leaked must not be able to take over the console.
 */
export function assertMayManageAdmins(principal: Principal): void {
  if (!principal.local) {
    throw new AppError("forbidden", "admin accounts can only be managed from the server's own machine (`npm run create-admin`)");
  }
}
