"""Uploads of on-site inspections from the phone app and the API: each record is parsed and
stored on its own (one bad record never blocks the queue); a retried upload with the same
client UUID is answered "duplicate" without a write (the visits app's pattern)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.http import Http404

from yanglao.accounts.models import User
from yanglao.core.sync import PayloadInvalid, rejected, stored, upload_batch
from yanglao.institutions import supervision
from yanglao.institutions.models import SpotCheckTask
from yanglao.institutions.services import InstitutionInvalid, NotPermitted

MAX_BATCH = 20
MAX_LINES = 200
__all__ = ["PayloadInvalid", "upload"]


def _uuid(value: Any) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def parse(payload: Any) -> tuple[UUID, UUID, date, list[supervision.LineInput], str]:
    """(client uuid, task id, inspected on, lines, summary) or PayloadInvalid."""
    if not isinstance(payload, dict):
        raise PayloadInvalid({"__all__": ["记录格式不正确"]})
    errors: dict[str, list[str]] = {}
    client, task = _uuid(payload.get("client_uuid")), _uuid(payload.get("task"))
    if client is None:
        errors["client_uuid"] = ["记录编号格式不正确"]
    if task is None:
        errors["task"] = ["检查任务编号格式不正确"]
    inspected_on = _date(payload.get("inspected_on"))
    if inspected_on is None:
        errors["inspected_on"] = ["日期格式应为 年-月-日，如 2026-06-03"]
    raw = payload.get("lines")
    if not isinstance(raw, list) or not 0 < len(raw) <= MAX_LINES:
        raise PayloadInvalid({**errors, "lines": ["检查条款格式不正确"]})
    lines = []
    for n, item in enumerate(raw):
        if not isinstance(item, dict):
            errors[f"lines.{n}"] = ["检查条款格式不正确"]
            continue
        photos = item.get("photos") or []
        if not isinstance(photos, list) or not all(isinstance(p, str) for p in photos):
            errors[f"lines.{n}"] = ["照片格式不正确"]
            photos = []
        residency = None
        if item.get("residency"):
            residency = _uuid(item["residency"])
            if residency is None:
                errors[f"lines.{n}"] = ["涉及的老人编号格式不正确"]
        deadline = _date(item["deadline"]) if item.get("deadline") else None
        if item.get("deadline") and deadline is None:
            errors[f"lines.{n}"] = ["整改期限格式应为 年-月-日"]
        lines.append(
            supervision.LineInput(
                clause=str(item.get("clause", ""))[:20],
                verdict=str(item.get("verdict", ""))[:16],
                note=str(item.get("note", "") or "")[:500],
                photos=photos,
                deadline=deadline,
                serious=bool(item.get("serious")),
                residency=residency,
            )
        )
    if errors:
        raise PayloadInvalid(errors)
    assert client is not None and task is not None and inspected_on is not None
    return client, task, inspected_on, lines, str(payload.get("summary", "") or "")[:500]


def upload_one(*, actor: User, payload: Any, offline: bool) -> dict[str, Any]:
    client = payload.get("client_uuid") if isinstance(payload, dict) else None
    try:
        client_uuid, task_id, inspected_on, lines, summary = parse(payload)
        task = SpotCheckTask.objects.filter(public_id=task_id).first()
        if task is None:
            raise Http404
        outcome = supervision.inspection_record(
            actor=actor,
            task=task,
            client_uuid=client_uuid,
            inspected_on=inspected_on,
            lines=lines,
            summary=summary,
            offline=offline,
        )
    except (PayloadInvalid, InstitutionInvalid) as exc:
        return rejected(client, exc.errors)
    except Http404:
        return rejected(client, {"task": ["未找到该检查任务，或任务未分派给您"]})
    except NotPermitted:
        return rejected(client, {"__all__": ["无权登记检查"]})
    return stored(client_uuid, outcome.created, outcome.inspection.public_id)


def upload(*, actor: User, records: Any, offline: bool = True) -> list[dict[str, Any]]:
    return upload_batch(
        records, MAX_BATCH, lambda r: upload_one(actor=actor, payload=r, offline=offline)
    )
