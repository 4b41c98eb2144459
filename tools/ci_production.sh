#!/usr/bin/env bash
# Start the production configuration once (CI, .ci/run): throwaway keys in files, HTTPS
# settings as behind nginx, `check --deploy`, collectstatic, migrate, gunicorn and the worker,
# then /healthz and one page through gunicorn, then stop. SQLite unless DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
pids=()
# The server runs in its own process group: stopping it stops the worker and gunicorn it started
# too (killing the shell alone left them running, the worker retrying against a deleted database).
cleanup() {
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/keys" "$work/var"
python3 - "$work/keys" <<'PY'
import base64, json, os, secrets, sys
d = sys.argv[1]
keys = {
    "secret_key": secrets.token_urlsafe(50),
    "data_keys": json.dumps({"k1": base64.b64encode(os.urandom(32)).decode()}),
    "hash_key": base64.b64encode(os.urandom(32)).decode(),
}
for name, value in keys.items():
    fd = os.open(os.path.join(d, name), os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, (value + "\n").encode())
    os.close(fd)
PY

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
host="yanglao.example.gov.cn"
setsid env -u YANGLAO_ENV -u SECRET_KEY -u YANGLAO_STATIC_MANIFEST -u YANGLAO_DEBUG \
  YANGLAO_DATA_DIR="$work/var" SQLITE_PATH="$work/var/prod.sqlite3" \
  SECRET_KEY_FILE="$work/keys/secret_key" YANGLAO_DATA_KEYS_FILE="$work/keys/data_keys" \
  YANGLAO_HASH_KEY_FILE="$work/keys/hash_key" \
  ALLOWED_HOSTS="$host,127.0.0.1" CSRF_TRUSTED_ORIGINS="https://$host" \
  SECURE_PROXY_SSL_HEADER=true SECURE_SSL_REDIRECT=true SECURE_COOKIES=true \
  SECURE_HSTS_SECONDS=31536000 SECURE_HSTS_INCLUDE_SUBDOMAINS=true SECURE_HSTS_PRELOAD=true \
  GUNICORN_BIND="127.0.0.1:$port" GUNICORN_WORKERS=2 \
  UV="${UV:-uv}" bash -euo pipefail -c '
    $UV run yanglao check --deploy --fail-level WARNING
    $UV run yanglao migrate --noinput --verbosity 0
    $UV run yanglao collectstatic --noinput --verbosity 0
    $UV run yanglao worker --batch --no-startup-delay --verbosity 0   # starts, recovers, drains
    exec $UV run gunicorn -c deploy/gunicorn.conf.py --access-logfile /dev/null
  ' &
pids+=("$!")

# check, migrate, collectstatic and the worker come first: up to 5 minutes on a busy machine
# (migrate alone took 42 s on a shared 2-core one); a server that stopped fails at once.
for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:$port/healthz" -o "$work/health.json" 2>/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "生产配置启动失败（进程已退出）" >&2; exit 1; }
  sleep 0.5
done
cat "$work/health.json"; echo
grep -q '"database": "ok"' "$work/health.json"

# One page as nginx would pass it (HTTPS at the proxy): the login page, in Chinese, with HSTS.
curl -fsS -D "$work/headers" -o "$work/page.html" -H "Host: $host" -H "X-Forwarded-Proto: https" \
  "http://127.0.0.1:$port/accounts/login/"
grep -qi '^strict-transport-security: max-age=31536000' "$work/headers"
grep -q '登录' "$work/page.html"
# Plain HTTP is sent to HTTPS; a hashed static file is served by whitenoise.
code="$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $host" "http://127.0.0.1:$port/accounts/login/")"
[ "$code" = "301" ]
css="$(grep -o '/static/[^"]*\.css' "$work/page.html" | head -1)"
curl -fsS -o /dev/null -H "Host: $host" -H "X-Forwarded-Proto: https" "http://127.0.0.1:$port$css"
echo "生产配置启动正常：gunicorn、worker、/healthz、登录页、静态文件"
