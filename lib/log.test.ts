import { resetEnvForTests } from "@/lib/config/env";
import { log } from "./log";

describe("log", () => {
  const spies = {
    log: jest.spyOn(console, "log").mockImplementation(() => undefined),
    warn: jest.spyOn(console, "warn").mockImplementation(() => undefined),
    error: jest.spyOn(console, "error").mockImplementation(() => undefined),
  };
  afterEach(() => {
    delete process.env.LOG_LEVEL;
    resetEnvForTests();
    for (const spy of Object.values(spies)) spy.mockClear();
  });
  afterAll(() => {
    for (const spy of Object.values(spies)) spy.mockRestore();
  });

  const emitAll = () => {
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e", new Error("boom"));
  };

  it.each([
    ["debug", ["d", "i"], ["w"], ["e"]],
    ["info", ["i"], ["w"], ["e"]],
    ["warn", [], ["w"], ["e"]],
    ["error", [], [], ["e"]],
    ["silent", [], [], []],
  ])("LOG_LEVEL=%s prints only what is at or above it", (level, logged, warned, errored) => {
    process.env.LOG_LEVEL = level;
    resetEnvForTests();
    emitAll();
    expect(spies.log.mock.calls.map((c) => c[0])).toEqual(logged);
    expect(spies.warn.mock.calls.map((c) => c[0])).toEqual(warned);
    expect(spies.error.mock.calls.map((c) => c[0])).toEqual(errored);
    expect(log.enabled("debug")).toBe(level === "debug");
  });

  it("passes an error's detail along with the message", () => {
    process.env.LOG_LEVEL = "error";
    resetEnvForTests();
    const error = new Error("boom");
    log.error("[x] failed:", error);
    expect(spies.error).toHaveBeenCalledWith("[x] failed:", error);
  });
});
