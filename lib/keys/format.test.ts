import { generateSecret, hashSecret, parseSecret, SECRET_KINDS } from "./format";

describe("API key format", () => {
  it("generates sk- keys with a display prefix and a matching hash", () => {
    const { secret, prefix, hash } = generateSecret("apiKey");
    expect(secret).toMatch(/^sk-akm_[0-9A-Za-z]{46}$/);
    expect(secret.startsWith(prefix)).toBe(true);
    expect(prefix).toHaveLength(SECRET_KINDS.apiKey.length + 6);
    expect(hash).toBe(hashSecret(secret));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("carries at least 192 random bits after the display prefix", () => {
    // 40 base62 characters, 6 of them shown: 34 * log2(62) bits stay secret.
    expect(34 * Math.log2(62)).toBeGreaterThanOrEqual(192);
    const secrets = new Set(Array.from({ length: 2000 }, () => generateSecret("apiKey").secret));
    expect(secrets.size).toBe(2000);
  });

  it("accepts its own keys", () => {
    for (let i = 0; i < 200; i++) {
      const { secret, hash, prefix } = generateSecret("apiKey");
      expect(parseSecret("apiKey", secret)).toEqual({ ok: true, secret, hash, prefix });
    }
  });

  it("rejects a mistyped key by its checksum, without any lookup", () => {
    const { secret } = generateSecret("apiKey");
    const i = 20;
    const typo = secret.slice(0, i) + (secret[i] === "a" ? "b" : "a") + secret.slice(i + 1);
    expect(parseSecret("apiKey", typo)).toEqual({ ok: false, reason: "checksum" });
    const swapped = secret.slice(0, 10) + secret[11] + secret[10] + secret.slice(12);
    if (swapped !== secret) expect(parseSecret("apiKey", swapped)).toEqual({ ok: false, reason: "checksum" });
  });

  it("rejects wrong shapes and the other kind of secret", () => {
    const { secret } = generateSecret("apiKey");
    expect(parseSecret("apiKey", secret.slice(0, -1))).toEqual({ ok: false, reason: "format" });
    expect(parseSecret("apiKey", `${secret}x`)).toEqual({ ok: false, reason: "format" });
    expect(parseSecret("apiKey", secret.replace("sk-akm_", "sk-xyz_"))).toEqual({ ok: false, reason: "format" });
    expect(parseSecret("apiKey", "")).toEqual({ ok: false, reason: "format" });
    expect(parseSecret("managementToken", secret)).toEqual({ ok: false, reason: "format" });
    expect(parseSecret("apiKey", generateSecret("managementToken").secret)).toEqual({ ok: false, reason: "format" });
  });
});
