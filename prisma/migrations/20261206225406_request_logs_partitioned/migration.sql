-- request_logs partitioned by month on created_at, so retention (lib/usage/retention.ts)
-- drops a month's partition instead of deleting its rows one by one, and a journal replay
-- (lib/usage/journal.ts) can insert idempotently: (request_id, created_at) is unique.
-- PostgreSQL requires the partition key in the primary key and in every unique index.
--
-- The table is rebuilt: the old rows are copied into the partitioned table, then the old
-- table is dropped. Partitions are named request_logs_pYYYY_MM (UTC months); rows outside
-- every month partition land in request_logs_default until a partition for their month
-- is created (lib/usage/retention.ts moves them then).
--
-- The usage_hourly triggers stay statement-level on the parent: they see every write that
-- goes through request_logs. A write addressed to one partition directly bypasses them.
-- Retention sets akm.retention = 'on' for its own DELETEs so the rollup keeps the hours
-- whose rows are removed: statistics outlive the log.

-- events: a replayed journal entry writes its event once.
ALTER TABLE "events" ADD COLUMN "uid" UUID;
CREATE UNIQUE INDEX "events_uid_key" ON "events"("uid");

ALTER TABLE "request_logs" RENAME TO "request_logs_unpartitioned";
ALTER TABLE "request_logs_unpartitioned" RENAME CONSTRAINT "request_logs_pkey" TO "request_logs_unpartitioned_pkey";
ALTER TABLE "request_logs_unpartitioned" DROP CONSTRAINT "request_logs_key_id_fkey";
DROP TRIGGER request_logs_rollup_insert ON "request_logs_unpartitioned";
DROP TRIGGER request_logs_rollup_update ON "request_logs_unpartitioned";
DROP TRIGGER request_logs_rollup_delete ON "request_logs_unpartitioned";
DROP TRIGGER request_logs_rollup_truncate ON "request_logs_unpartitioned";
DROP INDEX "request_logs_created_at_latency_ms_idx";
DROP INDEX "request_logs_key_id_created_at_idx";
DROP INDEX "request_logs_provider_created_at_idx";
DROP INDEX "request_logs_status_created_at_idx";
DROP INDEX "request_logs_model_created_at_idx";

CREATE TABLE "request_logs" (
    "id" BIGINT NOT NULL DEFAULT nextval('request_logs_id_seq'),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "request_id" TEXT NOT NULL,
    "key_id" TEXT,
    "method" TEXT NOT NULL DEFAULT 'POST',
    "path" TEXT NOT NULL,
    "model" TEXT,
    "provider" TEXT,
    "status" INTEGER NOT NULL,
    "error_code" TEXT,
    "error_message" TEXT,
    "latency_ms" INTEGER NOT NULL,
    "ttfb_ms" INTEGER,
    "prompt_tokens" INTEGER,
    "completion_tokens" INTEGER,
    "cached_tokens" INTEGER,
    "client_ip" TEXT,
    "stream" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "request_logs_pkey" PRIMARY KEY ("id", "created_at")
) PARTITION BY RANGE ("created_at");

CREATE TABLE "request_logs_default" PARTITION OF "request_logs" DEFAULT;

-- Creates the partition for the UTC month starting at `month` unless it exists; rows already
-- in the default partition for that month move into it. Serialised by an advisory lock, so
-- instances starting together do not race. Returns whether it created the partition.
CREATE FUNCTION request_logs_ensure_partition(month date) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  part text := 'request_logs_p' || to_char(month, 'YYYY_MM');
  lo timestamptz := date_trunc('month', month)::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := (date_trunc('month', month) + interval '1 month')::timestamp AT TIME ZONE 'UTC';
BEGIN
  PERFORM pg_advisory_xact_lock(72707370);
  IF to_regclass(part) IS NOT NULL THEN
    RETURN false;
  END IF;
  IF EXISTS (SELECT 1 FROM request_logs_default WHERE created_at >= lo AND created_at < hi) THEN
    -- Addressed to the default partition itself, this DELETE does not fire the rollup
    -- triggers (they sit on the parent): the rows only move.
    EXECUTE format('CREATE TABLE %I (LIKE request_logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
    EXECUTE format('WITH moved AS (DELETE FROM request_logs_default WHERE created_at >= %L AND created_at < %L RETURNING *) '
                   'INSERT INTO %I SELECT * FROM moved', lo, hi, part);
    EXECUTE format('ALTER TABLE request_logs ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
  ELSE
    EXECUTE format('CREATE TABLE %I PARTITION OF request_logs FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
  END IF;
  RETURN true;
END
$$;

-- Drops the month partitions that end at or before `cutoff`; returns their names. Dropping a
-- table fires no DELETE trigger: usage_hourly keeps those months.
CREATE FUNCTION request_logs_drop_partitions_before(cutoff timestamptz) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  part text;
BEGIN
  PERFORM pg_advisory_xact_lock(72707370);
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'request_logs'::regclass AND c.relname ~ '^request_logs_p[0-9]{4}_[0-9]{2}$'
    ORDER BY c.relname
  LOOP
    IF (to_date(substr(part, 15), 'YYYY_MM') + interval '1 month')::timestamp AT TIME ZONE 'UTC' <= cutoff THEN
      EXECUTE format('DROP TABLE %I', part);
      RETURN NEXT part;
    END IF;
  END LOOP;
END
$$;

-- A partition for every month from the oldest row to two months ahead.
SELECT request_logs_ensure_partition(m::date)
FROM generate_series(
  date_trunc('month', coalesce((SELECT min(created_at) FROM "request_logs_unpartitioned"), now()) AT TIME ZONE 'UTC'),
  date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months',
  interval '1 month') AS m;

INSERT INTO "request_logs" SELECT * FROM "request_logs_unpartitioned" ORDER BY "id";
ALTER SEQUENCE "request_logs_id_seq" OWNED BY "request_logs"."id";
DROP TABLE "request_logs_unpartitioned";

CREATE INDEX "request_logs_created_at_latency_ms_idx" ON "request_logs"("created_at", "latency_ms");
CREATE INDEX "request_logs_key_id_created_at_idx" ON "request_logs"("key_id", "created_at");
CREATE INDEX "request_logs_provider_created_at_idx" ON "request_logs"("provider", "created_at");
CREATE INDEX "request_logs_status_created_at_idx" ON "request_logs"("status", "created_at");
CREATE INDEX "request_logs_model_created_at_idx" ON "request_logs"("model", "created_at");
CREATE UNIQUE INDEX "request_logs_request_id_created_at_key" ON "request_logs"("request_id", "created_at");
ALTER TABLE "request_logs" ADD CONSTRAINT "request_logs_key_id_fkey" FOREIGN KEY ("key_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The rollup function, as before, but a DELETE made by retention leaves usage_hourly alone.
CREATE OR REPLACE FUNCTION request_logs_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('akm.retention', true) = 'on' THEN
    RETURN NULL;
  END IF;
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
CREATE TRIGGER request_logs_rollup_update AFTER UPDATE ON "request_logs"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION request_logs_rollup();
CREATE TRIGGER request_logs_rollup_delete AFTER DELETE ON "request_logs"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION request_logs_rollup();
CREATE TRIGGER request_logs_rollup_truncate AFTER TRUNCATE ON "request_logs"
  FOR EACH STATEMENT EXECUTE FUNCTION request_logs_rollup_truncate();
