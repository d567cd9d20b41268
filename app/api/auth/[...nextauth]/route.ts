import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { buildAuthOptions } from "@/lib/auth/options";
import { isSecureRequest } from "@/lib/auth/request";
import { clientIp } from "@/lib/http/client-ip";

type Context = { params: Promise<{ nextauth: string[] }> };

function handler(request: NextRequest, context: Context): Promise<Response> {
  return NextAuth(request, context, buildAuthOptions({ secure: isSecureRequest(request.headers), ip: clientIp(request.headers) }));
}

export { handler as GET, handler as POST };
