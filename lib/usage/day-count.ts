// How many requests a key has already been counted for on a UTC day: the durable row in
// key_daily_usage plus this process's counted-but-unflushed requests. The buffer is read
// first: a flush that lands between the two reads is then counted twice (refusing a
// request too early) rather than not at all (admitting one too many).
import { getUsageRecorder } from "./recorder";
import { readDayRequests } from "./writes";

export async function loadDayCount(keyId: string, day: string): Promise<number> {
  const unflushed = getUsageRecorder().unflushedRequests(keyId, day);
  return (await readDayRequests(keyId, day)) + unflushed;
}
