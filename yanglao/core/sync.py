"""Uploads from the offline apps (visit records, inspections), shared: the request body read
with a size limit, the batch checked, and each record answered accepted / duplicate /
rejected (a retried upload with the same client UUID is a duplicate, never a second row)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"


class PayloadInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def rejected(client: Any, errors: dict[str, list[str]]) -> dict[str, Any]:
    return {"client_uuid": client, "status": REJECTED, "errors": errors}


def stored(client_uuid: Any, created: bool, public_id: Any) -> dict[str, Any]:
    return {
        "client_uuid": str(client_uuid),
        "status": ACCEPTED if created else DUPLICATE,
        "id": str(public_id),
    }


def upload_batch(
    records: Any, max_batch: int, one: Callable[[Any], dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each record on its own (one bad record never blocks the queue)."""
    if not isinstance(records, list):
        raise PayloadInvalid({"records": ["records 应为记录列表"]})
    if len(records) > max_batch:
        raise PayloadInvalid({"records": [f"一次最多上传{max_batch}条记录"]})
    return [one(r) for r in records]


def sync_response(
    request: HttpRequest, max_bytes: int, upload: Callable[[Any], list[dict[str, Any]]]
) -> JsonResponse:
    """A session-authenticated, CSRF-protected upload of `{"records": [...]}`. The stream is
    read here: a record may carry photos, more than Django's in-memory body limit."""
    raw = request.read(max_bytes + 1)
    if len(raw) > max_bytes:
        return JsonResponse({"errors": {"__all__": ["上传内容过大（照片过多或过大）"]}}, status=413)
    try:
        body = json.loads(raw.decode("utf-8"))
        results = upload(body.get("records"))
    except (ValueError, AttributeError):
        return JsonResponse({"errors": {"__all__": ["上传内容不是有效的 JSON"]}}, status=400)
    except PayloadInvalid as exc:
        return JsonResponse({"errors": exc.errors}, status=400)
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})
