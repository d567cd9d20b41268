-- The console's statistics over long ranges read this hourly rollup instead of every
-- request_logs row (bench/stats.ts measures both). Triggers keep it equal to a GROUP BY
-- over request_logs whoever writes there (the usage recorder's flush, a seed, an
-- operator's DELETE of old rows, the SET NULL of a removed key), inside the writing
-- statement's own transaction, so the numbers stay exact. Absent key, provider and
-- model are '' so they can be part of the primary key.

-- CreateIndex (before dropping the old one, so created_at stays indexed throughout)
CREATE INDEX "request_logs_created_at_latency_ms_idx" ON "request_logs"("created_at", "latency_ms");

-- DropIndex
DROP INDEX "request_logs_created_at_idx";

-- CreateTable
CREATE TABLE "usage_hourly" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "key_id" TEXT NOT NULL DEFAULT '',
    "provider" TEXT NOT NULL DEFAULT '',
    "model" TEXT NOT NULL DEFAULT '',
    "status" INTEGER NOT NULL,
    "failed" BOOLEAN NOT NULL DEFAULT false,
    "requests" INTEGER NOT NULL,
    "prompt_tokens" BIGINT NOT NULL,
    "completion_tokens" BIGINT NOT NULL,
    "latency_ms_sum" BIGINT NOT NULL,

    CONSTRAINT "usage_hourly_pkey" PRIMARY KEY ("hour","key_id","provider","model","status","failed")
);

-- CreateIndex
CREATE INDEX "usage_hourly_key_id_hour_idx" ON "usage_hourly"("key_id", "hour");

-- One function for the three row triggers: an UPDATE takes its old rows away and adds the
-- new ones. "failed" marks a 200 whose stream broke after it had started. Statement-level
-- with transition tables: one grouped write per INSERT statement (the recorder's flush
-- is one statement), not one per row.
CREATE FUNCTION request_logs_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE usage_hourly AS u SET
      requests = u.requests - g.requests,
      prompt_tokens = u.prompt_tokens - g.prompt_tokens,
      completion_tokens = u.completion_tokens - g.completion_tokens,
      latency_ms_sum = u.latency_ms_sum - g.latency_ms_sum
    FROM (SELECT date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
             coalesce(key_id, '') AS key_id, coalesce(provider, '') AS provider, coalesce(model, '') AS model, status,
             status < 400 AND error_code IS NOT NULL AND error_code <> 'client_closed_request' AS failed,
             count(*)::int AS requests, coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
             coalesce(sum(completion_tokens), 0) AS completion_tokens, sum(latency_ms) AS latency_ms_sum
      FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6) AS g
    WHERE u.hour = g.hour AND u.key_id = g.key_id AND u.provider = g.provider AND u.model = g.model
      AND u.status = g.status AND u.failed = g.failed;
    DELETE FROM usage_hourly
    WHERE requests <= 0
      AND hour IN (SELECT date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' FROM old_rows);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO usage_hourly AS u (hour, key_id, provider, model, status, failed, requests, prompt_tokens, completion_tokens, latency_ms_sum)
      SELECT date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
             coalesce(key_id, '') AS key_id, coalesce(provider, '') AS provider, coalesce(model, '') AS model, status,
             status < 400 AND error_code IS NOT NULL AND error_code <> 'client_closed_request' AS failed,
             count(*)::int AS requests, coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
             coalesce(sum(completion_tokens), 0) AS completion_tokens, sum(latency_ms) AS latency_ms_sum
      FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6
      -- One order for every writer, so two instances flushing at once cannot deadlock.
      ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (hour, key_id, provider, model, status, failed) DO UPDATE SET
      requests = u.requests + EXCLUDED.requests,
      prompt_tokens = u.prompt_tokens + EXCLUDED.prompt_tokens,
      completion_tokens = u.completion_tokens + EXCLUDED.completion_tokens,
      latency_ms_sum = u.latency_ms_sum + EXCLUDED.latency_ms_sum;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER request_logs_rollup_insert AFTER INSERT ON "request_logs"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION request_logs_rollup();
-- Rows change only by the SET NULL of a key removed from the database; followed all the same.
CREATE TRIGGER request_logs_rollup_update AFTER UPDATE ON "request_logs"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION request_logs_rollup();
CREATE TRIGGER request_logs_rollup_delete AFTER DELETE ON "request_logs"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION request_logs_rollup();

CREATE FUNCTION request_logs_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE usage_hourly;
  RETURN NULL;
END
$$;

CREATE TRIGGER request_logs_rollup_truncate AFTER TRUNCATE ON "request_logs"
  FOR EACH STATEMENT EXECUTE FUNCTION request_logs_rollup_truncate();

-- The log so far.
INSERT INTO usage_hourly (hour, key_id, provider, model, status, failed, requests, prompt_tokens, completion_tokens, latency_ms_sum)
  SELECT date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
             coalesce(key_id, '') AS key_id, coalesce(provider, '') AS provider, coalesce(model, '') AS model, status,
             status < 400 AND error_code IS NOT NULL AND error_code <> 'client_closed_request' AS failed,
             count(*)::int AS requests, coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
             coalesce(sum(completion_tokens), 0) AS completion_tokens, sum(latency_ms) AS latency_ms_sum
      FROM request_logs GROUP BY 1, 2, 3, 4, 5, 6;
