#!/usr/bin/env bash
# PostgreSQL backup of the Yanglao database: pg_dump custom format, one date-stamped file per
# run, files older than BACKUP_KEEP_DAYS removed. Restore: tools/restore.sh (docs/deployment.md).
#
#   DATABASE_URL=postgresql://yanglao_owner@db/yanglao BACKUP_DIR=/srv/backups/yanglao tools/backup.sh
#
# DATABASE_URL   the database to dump (a role that can read every table, e.g. the owner)
# BACKUP_DIR     where the dumps go (default /srv/backups/yanglao); keep a copy off the server
# BACKUP_KEEP_DAYS  days of dumps to keep (default 30)
# The dump holds the ciphertexts of ID and phone numbers, not the keys: back the key files up
# separately (they are needed to read a restored database, and must not sit beside the dump).
set -euo pipefail
umask 077

: "${DATABASE_URL:?请设置 DATABASE_URL（要备份的数据库）}"
BACKUP_DIR="${BACKUP_DIR:-/srv/backups/yanglao}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-30}"
case "$KEEP_DAYS" in ''|*[!0-9]*) echo "BACKUP_KEEP_DAYS 必须是整数：$KEEP_DAYS" >&2; exit 2;; esac

mkdir -p "$BACKUP_DIR"
stamp="$(TZ=Asia/Shanghai date +%Y%m%d-%H%M%S)"
name="$(basename "${DATABASE_URL%%\?*}")"
target="$BACKUP_DIR/${name}-${stamp}.dump"
partial="$target.partial"

# Written under a temporary name and renamed when complete: a dump cut short never looks valid.
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$partial" "$DATABASE_URL"
pg_restore --list "$partial" >/dev/null  # readable, table of contents intact
mv "$partial" "$target"
sha256sum "$target" >"$target.sha256"
echo "已备份：$target（$(du -h "$target" | cut -f1)）"

# Retention: dumps (and their checksums) older than KEEP_DAYS days; never the one just written.
find "$BACKUP_DIR" -maxdepth 1 -type f \( -name "${name}-*.dump" -o -name "${name}-*.dump.sha256" \
  -o -name "${name}-*.dump.partial" \) -mtime +"$KEEP_DAYS" ! -name "$(basename "$target")*" \
  -print -delete | sed 's/^/已删除过期备份：/'
