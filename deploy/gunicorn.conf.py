"""gunicorn settings for production (`gunicorn -c deploy/gunicorn.conf.py`).

Environment: GUNICORN_BIND (default 127.0.0.1:8000, nginx in front), GUNICORN_WORKERS
(default 2 × cores + 1), GUNICORN_TIMEOUT (seconds, default 120: large exports stream).
"""

import multiprocessing
import os

wsgi_app = "yanglao.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# A worker is replaced after this many requests (with jitter), so a slow leak cannot grow.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The proxy's address is the only one allowed to set X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# No control socket under the service account's home (ProtectHome=true in the unit).
control_socket_disable = True
accesslog = "-"
errorlog = "-"
# No personal data in the access log: the path only, never the query string (it can hold a
# searched name or ID number).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
