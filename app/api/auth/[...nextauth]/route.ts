import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { buildAuthOptions, type AuthRequestContext } from "@akm/core/auth/options";
import { isSecureRequest } from "@akm/core/auth/request";
import { clientIp } from "@akm/core/http/client-ip";

type Context = { params: Promise<{ nextauth: string[] }> };

async function handler(request: NextRequest, context: Context): Promise<Response> {
  const auth: AuthRequestContext = { secure: isSecureRequest(request.headers), ip: clientIp(request.headers) };
  // next-auth 4 types its route handler's result as any.
  const response = (await NextAuth(request, context, buildAuthOptions(auth))) as Response;
  // The session is still valid on the server: keep the cookie and say so, so the admin can retry.
  if (auth.signOutFailed) return Response.json({ error: "sign_out_failed" }, { status: 503, headers: { "cache-control": "no-store" } });
  return response;
}

export { handler as GET, handler as POST };
