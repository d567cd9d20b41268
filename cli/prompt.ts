// Terminal prompts for create-admin. Prompts go to stderr so stdout stays the command's
// output; the password is read in raw mode and never echoed.
import { createInterface } from "node:readline/promises";
import { CliFailure } from "./errors";

export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY);
}

export async function promptLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Without these, Ctrl-C or Ctrl-D would leave the question pending forever.
  const stop = new AbortController();
  rl.once("SIGINT", () => stop.abort());
  rl.once("close", () => stop.abort());
  try {
    return (await rl.question(question, { signal: stop.signal })).trim();
  } catch (error) {
    if (stop.signal.aborted) throw new CliFailure("interrupted");
    throw error;
  } finally {
    rl.close();
  }
}

export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  // Raw mode first: anything typed after the prompt appears must not be echoed.
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  process.stderr.write(question);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value: string[] = [];
    const finish = (error: Error | null) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(value.join(""));
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return finish(null);
        if (ch === "\u0003") return finish(new CliFailure("interrupted"));
        if (ch === "\u0004" && value.length === 0) return finish(new CliFailure("no password entered"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else if (ch >= " ") value.push(ch);
      }
    };
    stdin.on("data", onData);
  });
}

/** All of stdin, without the one line break that `echo` or a file adds at the end. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}
