import { parseSse, SseParser } from "./sse";

describe("SSE parser", () => {
  it("parses events with names, multi-line data and comments", () => {
    const text = ": keep-alive\n\nevent: message_start\ndata: {\"a\":1}\n\ndata: line one\ndata: line two\n\ndata:no-space\n\n";
    expect(parseSse(text)).toEqual([
      { event: "message_start", data: '{"a":1}' },
      { data: "line one\nline two" },
      { data: "no-space" },
    ]);
  });

  it("gives the same events however the bytes are split, for LF, CRLF and CR line ends", () => {
    const base = "event: ping\ndata: {}\n\ndata: {\"x\":\"y\"}\n\ndata: [DONE]\n\n";
    const expected = parseSse(base);
    expect(expected).toHaveLength(3);
    for (const text of [base, base.replace(/\n/g, "\r\n"), base.replace(/\n/g, "\r")]) {
      for (let cut = 0; cut <= text.length; cut++) {
        for (const size of [1, 3]) {
          const parser = new SseParser();
          const events = [...parser.push(text.slice(0, cut))];
          for (let i = cut; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
          events.push(...parser.end());
          expect(events).toEqual(expected);
        }
      }
    }
  });

  it("delivers a final event that the stream did not terminate with a blank line", () => {
    expect(parseSse("data: a\n\ndata: b")).toEqual([{ data: "a" }, { data: "b" }]);
  });

  it("ignores blank lines with no data and unknown fields", () => {
    expect(parseSse("\n\nid: 7\nretry: 10\n\nfoo: bar\ndata: x\n\n")).toEqual([{ data: "x" }]);
  });
});
