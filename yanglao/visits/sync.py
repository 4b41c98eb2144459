"""Uploads from the offline app (and the API): parse each record, store it idempotently, and
answer per record accepted / duplicate / rejected with Chinese reasons.

Each record is stored in its own transaction, so one bad record never blocks the others in
a queue, and a retried upload (same client UUID) is answered "duplicate" without a write.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any
from uuid import UUID

from django.http import Http404

from yanglao.accounts.models import User
from yanglao.accounts.scoping import WRITE_RECORDS
from yanglao.core.sync import (
    ACCEPTED,
    DUPLICATE,
    REJECTED,
    PayloadInvalid,
    rejected,
    stored,
    upload_batch,
)
from yanglao.people import selectors as people_selectors
from yanglao.people.services import NotPermitted
from yanglao.visits import selectors, services
from yanglao.visits.rules import FollowUpInput, VisitInput

MAX_BATCH = 100
__all__ = ["ACCEPTED", "DUPLICATE", "REJECTED", "PayloadInvalid", "upload"]


def _date(value: Any, key: str, errors: dict[str, list[str]], required: bool = True) -> date | None:
    if value in (None, "") and not required:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(key, []).append("日期格式应为 年-月-日，如 2026-06-03")
        return None


def _float(value: Any, key: str, errors: dict[str, list[str]]) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        errors.setdefault(key, []).append("经纬度应为数字")
        return None


def parse(payload: Any) -> tuple[UUID, UUID, VisitInput, time | None, UUID | None, list[str]]:
    """(client uuid, person id, input, time, supersedes id, photos) or PayloadInvalid."""
    errors: dict[str, list[str]] = {}
    if not isinstance(payload, dict):
        raise PayloadInvalid({"__all__": ["记录格式不正确"]})

    def uuid_of(key: str, label: str, required: bool = True) -> UUID | None:
        value = payload.get(key)
        if value in (None, "") and not required:
            return None
        try:
            return UUID(str(value))
        except ValueError:
            errors.setdefault(key, []).append(f"{label}格式不正确")
            return None

    client = uuid_of("client_uuid", "记录编号")
    person = uuid_of("person", "老人编号")
    supersedes = uuid_of("supersedes", "更正记录编号", required=False)
    visit_date = _date(payload.get("visit_date"), "visit_date", errors)
    visit_time = None
    if payload.get("visit_time"):
        try:
            visit_time = time.fromisoformat(str(payload["visit_time"]))
        except ValueError:
            errors.setdefault("visit_time", []).append("时间格式应为 时:分，如 09:30")
    findings = payload.get("findings") or {}
    if not isinstance(findings, dict) or not all(isinstance(v, dict) for v in findings.values()):
        errors.setdefault("findings", []).append("巡访内容格式不正确")
        findings = {}
    follow_ups: list[FollowUpInput] = []
    raw_fus = payload.get("follow_ups") or []
    if not isinstance(raw_fus, list) or len(raw_fus) > 10:
        errors.setdefault("follow_ups", []).append("跟进事项格式不正确（最多10项）")
        raw_fus = []
    for i, f in enumerate(raw_fus):
        if not isinstance(f, dict):
            errors.setdefault(f"follow_ups.{i}", []).append("跟进事项格式不正确")
            continue
        follow_ups.append(
            FollowUpInput(
                kind=str(f.get("kind", "")),
                note=str(f.get("note", ""))[:200],
                due_date=_date(f.get("due_date"), f"follow_ups.{i}", errors, required=False),
                call_made=bool(f.get("call_made")),
            )
        )
    photos = payload.get("photos") or []
    if not isinstance(photos, list) or not all(isinstance(p, str) for p in photos):
        errors.setdefault("photos", []).append("照片格式不正确")
        photos = []
    data = VisitInput(
        method=str(payload.get("method", "")),
        visit_date=visit_date or date.min,
        risk_level=str(payload.get("risk_level", "")),
        findings=findings,
        location=str(payload.get("location", "") or ""),
        latitude=_float(payload.get("latitude"), "location", errors),
        longitude=_float(payload.get("longitude"), "location", errors),
        summary=str(payload.get("summary", "") or ""),
        marked_change=bool(payload.get("marked_change")),
        follow_ups=follow_ups,
    )
    if errors:
        raise PayloadInvalid(errors)
    assert client is not None and person is not None
    return client, person, data, visit_time, supersedes, photos


def upload_one(*, actor: User, payload: Any, offline: bool) -> dict[str, Any]:
    client = payload.get("client_uuid") if isinstance(payload, dict) else None
    try:
        client_uuid, person_id, data, visit_time, supersedes_id, photos = parse(payload)
        person = people_selectors.person_get(user=actor, public_id=person_id, modes=WRITE_RECORDS)
        supersedes = (
            selectors.record_get(user=actor, public_id=supersedes_id) if supersedes_id else None
        )
        outcome = services.visit_record(
            actor=actor,
            person=person,
            data=data,
            client_uuid=client_uuid,
            visit_time=visit_time,
            supersedes=supersedes,
            photos=photos,
            offline=offline,
        )
    except (PayloadInvalid, services.VisitInvalid) as exc:
        return rejected(client, exc.errors)
    except Http404:
        return rejected(client, {"person": ["未找到该老人，或不在您负责的村（社区）"]})
    except NotPermitted:
        return rejected(client, {"__all__": ["无权登记巡访"]})
    return stored(client_uuid, outcome.created, outcome.record.public_id)


def upload(*, actor: User, records: Any, offline: bool = True) -> list[dict[str, Any]]:
    return upload_batch(
        records, MAX_BATCH, lambda r: upload_one(actor=actor, payload=r, offline=offline)
    )
