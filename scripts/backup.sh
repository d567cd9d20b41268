#!/usr/bin/env bash
# Backs up the PostgreSQL database with pg_dump (custom format: compressed, restorable
# table by table with pg_restore) and keeps the newest $KEEP files.
#   DATABASE_URL=postgresql://… scripts/backup.sh [backup-dir]
# Restore: pg_restore --clean --if-exists --no-owner -d "$DATABASE_URL" <file>
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh backs up PostgreSQL; for the embedded database stop the server and copy DATA_DIR" >&2; exit 2 ;;
esac
dir=${1:-./backups}
keep=${KEEP:-14}
mkdir -p "$dir"
file="$dir/api-key-manager-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --file="$file.partial" "$DATABASE_URL"
mv "$file.partial" "$file"
echo "wrote $file ($(du -h "$file" | cut -f1))"
ls -1t "$dir"/api-key-manager-*.dump | tail -n +$((keep + 1)) | xargs -r rm --
