#!/usr/bin/env bash
# Create or repair the owner and app roles of a Yanglao PostgreSQL database (tools/db_roles.sql).
# Run as a superuser, before the first `yanglao migrate` and after every one.
#
#   tools/db_roles.sh postgresql://postgres@127.0.0.1:5432/yanglao [owner_role] [app_role]
#
# Passwords (optional) come from the environment, never the command line:
#   YANGLAO_DB_OWNER_PASSWORD, YANGLAO_DB_APP_PASSWORD
set -euo pipefail
url="${1:?usage: $0 SUPERUSER_DATABASE_URL [owner_role] [app_role]}"
owner="${2:-yanglao_owner}"
app="${3:-yanglao_app}"
args=(-X -q -v ON_ERROR_STOP=1 -v "owner=$owner" -v "app=$app")
[ -n "${YANGLAO_DB_OWNER_PASSWORD:-}" ] && args+=(-v "owner_password=$YANGLAO_DB_OWNER_PASSWORD")
[ -n "${YANGLAO_DB_APP_PASSWORD:-}" ] && args+=(-v "app_password=$YANGLAO_DB_APP_PASSWORD")
exec psql "$url" "${args[@]}" -f "$(dirname "$0")/db_roles.sql"
