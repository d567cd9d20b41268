// What the management API accepts and returns, shared by its routes, its HTTP client
// (lib/admin-api/client.ts) and the CLI, which offers the same operations directly on
// the database. A created key or token carries its secret once, beside its view, so
// `.id` and `.key` mean the same in the API's JSON and in `cli keys create --json`.
import type { AdminView } from "@/lib/admins/service";
import type { EventListItem, ListEventsQuery } from "@/lib/events/event-list-schema";
import type { CreateKeyInput, KeyView, ListKeysInput, UpdateKeyInput } from "@/lib/keys/schemas";
import type { RecordPage } from "@/lib/pagination";
import type { TokenView } from "@/lib/tokens/service";
import type { ListRequestsQuery, RequestListItem } from "@/lib/usage/request-list-schema";

export type CreatedKey = KeyView & { key: string };
export type CreatedToken = TokenView & { token: string };
export type AdminResult = AdminView & { created: boolean };

export interface KeyPage {
  items: KeyView[];
  total: number;
  page: number;
  pageSize: number;
}

export interface CreateAdminRequest {
  email: string;
  password: string;
  name?: string;
}

/** Every management operation, whether it runs in-process or over HTTP. */
export interface ManagementApi {
  listKeys(query: ListKeysInput): Promise<KeyPage>;
  createKey(input: CreateKeyInput): Promise<CreatedKey>;
  getKey(id: string): Promise<KeyView>;
  updateKey(id: string, input: UpdateKeyInput): Promise<KeyView>;
  setKeyEnabled(id: string, enabled: boolean): Promise<KeyView>;
  rotateKey(id: string): Promise<CreatedKey>;
  deleteKey(id: string): Promise<void>;
  listTokens(options: { includeRevoked?: boolean }): Promise<TokenView[]>;
  createToken(input: { name: string }): Promise<CreatedToken>;
  revokeToken(id: string): Promise<TokenView>;
  createAdmin(input: CreateAdminRequest): Promise<AdminResult>;
  listRequests(query: ListRequestsQuery): Promise<RecordPage<RequestListItem>>;
  listEvents(query: ListEventsQuery): Promise<RecordPage<EventListItem>>;
}

export function withKeySecret(created: { key: KeyView; secret: string }): CreatedKey {
  return { ...created.key, key: created.secret };
}

export function withTokenSecret(created: { token: TokenView; secret: string }): CreatedToken {
  return { ...created.token, token: created.secret };
}

export function toAdminResult(result: { admin: AdminView; created: boolean }): AdminResult {
  return { ...result.admin, created: result.created };
}
