import { safeCallbackPath } from "./callback-url";

describe("safeCallbackPath", () => {
  it.each([
    ["/admin/keys?q=x", "/admin/keys?q=x"],
    ["/admin", "/admin"],
    ["http://localhost:3000/admin/usage", "/admin/usage"],
    ["https://evil.example/admin", "/admin"],
    ["//evil.example/admin", "/admin"],
    ["/\\evil.example", "/admin"],
    ["/api/admin/keys", "/admin"],
    ["/administrator", "/admin"],
    ["javascript:alert(1)", "/admin"],
    [undefined, "/admin"],
  ])("%s → %s", (input, expected) => {
    expect(safeCallbackPath(input)).toBe(expected);
  });
});
