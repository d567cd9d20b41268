import { redactJson, redactSecrets } from "./redact";
import { fakeAnthropicKey, fakeOpenAIKey } from "@/test/helpers/fake-secrets";

describe("redactSecrets", () => {
  it.each([
    ["our API keys", "key sk-akm_AbCdEf0123456789abcdefghijklmnopqrstuvwxyzABCDEF refused", "sk-akm_…[REDACTED]"],
    ["management tokens", "token akm_mt_AbCdEf0123456789abcdefghijklmnopqrstuvwxyzABCD", "akm_mt_…[REDACTED]"],
    ["OpenAI project keys", `Incorrect API key provided: ${fakeOpenAIKey("abcDEF1234567890_xyz-ABC")}.`, "sk-proj-…[REDACTED]"],
    ["OpenAI legacy keys", "sk-1234567890abcdefghijklmnopqrstuvwxyzABCD", "sk-…[REDACTED]"],
    ["Anthropic keys", `x-api-key ${fakeAnthropicKey("abcdefghijklmnopqrstuvwxyz0123456789")}`, "sk-ant-…[REDACTED]"],
    ["Google keys in URLs", "GET /v1/models?key=AIzaSyA1234567890abcdefghijklmnopqrs", "key=AIza…[REDACTED]"],
    ["Google keys in text", "refused AIzaSyA1234567890abcdefghijklmnopqrs today", "AIza…[REDACTED]"],
    ["Bearer tokens", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature", "Bearer [REDACTED]"],
    ["key=value pairs", '{"api_key": "super-secret-value"}', '"api_key": "[REDACTED]'],
  ])("masks %s", (_, input, expected) => {
    const out = redactSecrets(input);
    expect(out).toContain(expected);
    const secretPart = input.match(/(sk-[\w-]{10,}|akm_mt_\w{10,}|AIza\w{10,}|eyJ[\w.]+|super-secret-value)/)?.[0];
    if (secretPart) expect(out).not.toContain(secretPart);
  });

  it("keeps display prefixes, model names and ordinary text readable", () => {
    const text = "key sk-akm_AbC123 (disabled) asked for gpt-4o-mini; task-queue sk-short ok";
    expect(redactSecrets(text)).toBe(text);
    expect(redactSecrets(null)).toBeNull();
  });

  it("redacts every string in JSON and blanks secret-named fields", () => {
    expect(
      redactJson({ authorization: "Basic dXNlcjpwYXNzd29yZA==", nested: [{ msg: `used ${fakeOpenAIKey("abcdefghijklmnopqrstu")}` }], password: "x", count: 3 }),
    ).toEqual({ authorization: "[REDACTED]", nested: [{ msg: "used sk-proj-…[REDACTED]" }], password: "[REDACTED]", count: 3 });
  });
});
