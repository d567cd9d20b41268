// An HTTP client for the management API. The CLI uses it to reach a server that holds the
// embedded database; its errors are the same AppErrors the services throw in-process, so
// callers handle both paths alike.
import { AppError, type AppErrorCode, type FieldIssue } from "@/lib/errors";
import type { EventListItem, ListEventsQuery } from "@/lib/events/event-list-schema";
import type { CreateKeyInput, KeyView, ListKeysInput, UpdateKeyInput } from "@/lib/keys/schemas";
import type { RecordPage } from "@/lib/pagination";
import type { TokenView } from "@/lib/tokens/service";
import type { ListRequestsQuery, RequestListItem } from "@/lib/usage/request-list-schema";
import type { AdminResult, CreateAdminRequest, CreatedKey, CreatedToken, KeyPage, ManagementApi } from "./contract";
import type { ApiErrorBody } from "./respond";

const APP_CODES = new Set<string>(["invalid_input", "unauthorized", "forbidden", "not_found", "conflict", "rate_limited", "unavailable"]);

function toError(status: number, body: unknown): Error {
  const error = (body as Partial<ApiErrorBody> | null)?.error;
  if (!error || typeof error.message !== "string") return new Error(`the server answered HTTP ${status} without an error description`);
  const issues: FieldIssue[] = Array.isArray(error.issues) ? error.issues : [];
  if (APP_CODES.has(error.code)) return new AppError(error.code as AppErrorCode, error.message, issues);
  if (error.code === "invalid_json" || error.code === "payload_too_large") return new AppError("invalid_input", error.message, issues);
  return new Error(`the server failed: ${error.message}`);
}

export class ManagementClient implements ManagementApi {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly token: string,
  ) {
    this.base = `${baseUrl.replace(/\/+$/, "")}/api/admin`;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = this.base + path;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new AppError("unavailable", `cannot reach the server at ${this.base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      throw new Error(`the server at ${this.base} answered HTTP ${response.status} with something that is not JSON`);
    }
    if (!response.ok) throw toError(response.status, data);
    return data as T;
  }

  listKeys(query: ListKeysInput): Promise<KeyPage> {
    return this.call("GET", `/keys${queryString(query)}`);
  }

  createKey(input: CreateKeyInput): Promise<CreatedKey> {
    return this.call("POST", "/keys", input);
  }

  getKey(id: string): Promise<KeyView> {
    return this.call("GET", `/keys/${encodeURIComponent(id)}`);
  }

  updateKey(id: string, input: UpdateKeyInput): Promise<KeyView> {
    return this.call("PATCH", `/keys/${encodeURIComponent(id)}`, input);
  }

  setKeyEnabled(id: string, enabled: boolean): Promise<KeyView> {
    return this.call("POST", `/keys/${encodeURIComponent(id)}/${enabled ? "enable" : "disable"}`);
  }

  rotateKey(id: string): Promise<CreatedKey> {
    return this.call("POST", `/keys/${encodeURIComponent(id)}/rotate`);
  }

  deleteKey(id: string): Promise<void> {
    return this.call("DELETE", `/keys/${encodeURIComponent(id)}`);
  }

  async listTokens(options: { includeRevoked?: boolean }): Promise<TokenView[]> {
    const page = await this.call<{ items: TokenView[] }>("GET", `/tokens${options.includeRevoked ? "?includeRevoked=true" : ""}`);
    return page.items;
  }

  createToken(input: { name: string }): Promise<CreatedToken> {
    return this.call("POST", "/tokens", input);
  }

  revokeToken(id: string): Promise<TokenView> {
    return this.call("DELETE", `/tokens/${encodeURIComponent(id)}`);
  }

  createAdmin(input: CreateAdminRequest): Promise<AdminResult> {
    return this.call("POST", "/admins", input);
  }

  listRequests(query: ListRequestsQuery): Promise<RecordPage<RequestListItem>> {
    return this.call("GET", `/requests${queryString(query)}`);
  }

  listEvents(query: ListEventsQuery): Promise<RecordPage<EventListItem>> {
    return this.call("GET", `/events${queryString(query)}`);
  }
}

function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const qs = params.toString();
  return qs ? `?${qs}` : "";
}
