"""`GET /healthz`: for the load balancer and monitoring. No login, no personal data.

200 `{"status": "ok", "database": "ok"}` when the database answers a query; 503 with
`"database": "error"` when it does not (the exception is logged, never shown).
"""

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from yanglao.core.decorators import scope

log = logging.getLogger(__name__)


@scope(public=True)
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        log.exception("健康检查：数据库不可用")
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
