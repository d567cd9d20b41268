// Test support: replays a recorded upstream stream through a StreamConverter the way the
// gateway's pump does (bytes in, split however a test asks; chunks out, up to the first
// failure), and folds the resulting chunks with the official openai client's own stream
// accumulator.
import { readFileSync } from "node:fs";
import { ChatCompletionStream } from "openai/lib/ChatCompletionStream";
import type { ChatCompletion } from "openai/resources/chat/completions";
import type { MappedError, StreamConverter, StreamOutput, Usage } from "@/lib/providers/types";

export interface ReplayResult {
  chunks: unknown[];
  usage: Usage | null;
  error: MappedError | null;
}

/** Feeds `pieces` in order; stops at the first failure, as the gateway does. */
export function replayStream(converter: StreamConverter, pieces: Uint8Array[]): ReplayResult {
  const chunks: unknown[] = [];
  let error: MappedError | null = null;
  const take = (out: StreamOutput) => {
    chunks.push(...(out.chunks ?? []));
    error = out.failure ?? null;
  };
  for (const piece of pieces) {
    take(converter.push(piece));
    if (error) break;
  }
  if (!error) take(converter.end());
  return { chunks, usage: converter.usage(), error };
}

export function readFixtureBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** The whole recording in two pieces cut at byte `at`. */
export function splitAt(bytes: Uint8Array, at: number): Uint8Array[] {
  return [bytes.subarray(0, at), bytes.subarray(at)];
}

/** Pieces of 1..maxSize bytes from a seeded generator, so a failure can be reproduced. */
export function randomPieces(bytes: Uint8Array, seed: number, maxSize = 16): Uint8Array[] {
  let state = seed >>> 0;
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    const size = 1 + Math.floor(next() * maxSize);
    pieces.push(bytes.subarray(i, i + size));
    i += size;
  }
  return pieces;
}

/** What the openai npm client makes of these chunks (it throws on chunks it cannot follow). */
export async function accumulateWithOpenAI(chunks: unknown[]): Promise<ChatCompletion> {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(JSON.stringify(chunk) + "\n"));
      controller.close();
    },
  });
  return ChatCompletionStream.fromReadableStream(stream).finalChatCompletion();
}
