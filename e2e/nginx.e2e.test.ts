// The production topology with real parts: Nginx (deploy/nginx/api-key-manager.conf, TLS)
// in front of the app.
import { Agent, fetch as undiciFetch } from "undici";
import { startAppServer, type AppServer } from "@/test/helpers/app-server";
import { startNginx, type NginxServer } from "@/test/helpers/nginx";

let app: AppServer;
let nginx: NginxServer;
let tls: Agent;

beforeAll(async () => {
  app = await startAppServer();
  nginx = await startNginx([app.url]);
  tls = new Agent({ connect: { ca: nginx.ca } });
});
afterAll(async () => {
  await nginx?.stop();
  await app?.stop();
  await tls?.close();
});

describe("behind Nginx with TLS", () => {
  it("redirects plain HTTP to HTTPS", async () => {
    const res = await fetch(`${nginx.httpUrl}/admin`, { redirect: "manual" });
    expect(res.status).toBe(301);
    expect(res.headers.get("location")).toBe(`${nginx.httpsUrl}/admin`);
  });

  it("serves the app over TLS", async () => {
    const res = await undiciFetch(`${nginx.httpsUrl}/api/health`, { dispatcher: tls });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });
});
