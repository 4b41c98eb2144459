#!/usr/bin/env bash
# Restore a dump written by tools/backup.sh into a NEW, empty database (a restore drill, or a
# real recovery after which the application's DATABASE_URL is pointed at it).
#
#   tools/restore.sh /srv/backups/yanglao/yanglao-20261130-013000.dump postgresql://postgres@db/yanglao_restore
#
# The database is created if it does not exist; an existing non-empty one is refused.
set -euo pipefail

dump="${1:?用法：tools/restore.sh 备份文件 目标数据库URL}"
url="${2:?用法：tools/restore.sh 备份文件 目标数据库URL}"
[ -r "$dump" ] || { echo "无法读取备份文件：$dump" >&2; exit 2; }
if [ -r "$dump.sha256" ]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256")
fi

base="${url%%\?*}"
db="$(basename "$base")"
case "$db" in ''|*[!A-Za-z0-9_]*) echo "数据库名只能含字母、数字和下划线：$db" >&2; exit 2;; esac
admin="${base%/*}/postgres"
exists="$(psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")"
if [ -z "$exists" ]; then
  psql "$admin" -q -c "CREATE DATABASE \"$db\""
else
  tables="$(psql "$url" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
  [ "$tables" = "0" ] || { echo "目标数据库 $db 不是空的，拒绝覆盖" >&2; exit 3; }
fi
pg_restore --exit-on-error --no-owner --no-privileges --dbname="$url" "$dump"
echo "已恢复到数据库 $db"
