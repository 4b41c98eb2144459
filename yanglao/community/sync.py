"""Uploads from the worker's offline app (and the providers' API): check-in, check-out and
confirmation records, each stored once on its client UUID and answered accepted / duplicate /
rejected with Chinese reasons (core.sync, as the visits app).

A record: {"client_uuid", "kind": "check_in" | "check_out" | "confirm", "at" (ISO time),
"order" (check-in), "log" (the check-in's client UUID, for check-out and confirm),
"latitude", "longitude", "photo" (data URL), "quantity", "note", "method", "signature"
(PNG data URL), "sms_code", "rating", "evaluation"}.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.http import Http404
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.community import services
from yanglao.core.sync import PayloadInvalid, rejected, stored, upload_batch

MAX_BATCH = 50
KINDS = ("check_in", "check_out", "confirm")


def _uuid(payload: dict[str, Any], key: str, label: str, errors: dict[str, list[str]]) -> UUID:
    try:
        return UUID(str(payload.get(key)))
    except ValueError:
        errors.setdefault(key, []).append(f"{label}格式不正确")
        return UUID(int=0)


def _at(value: Any, errors: dict[str, list[str]]) -> datetime:
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        errors.setdefault("at", []).append("时间格式不正确")
        return timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return at


def _float(value: Any, errors: dict[str, list[str]]) -> float | None:
    if value in (None, ""):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        errors.setdefault("location", []).append("经纬度应为数字")
        return None
    if out != out:  # NaN
        errors.setdefault("location", []).append("经纬度应为数字")
        return None
    return out


def upload_one(*, actor: User, payload: Any) -> dict[str, Any]:
    client = payload.get("client_uuid") if isinstance(payload, dict) else None
    try:
        if not isinstance(payload, dict):
            raise PayloadInvalid({"__all__": ["记录格式不正确"]})
        errors: dict[str, list[str]] = {}
        kind = payload.get("kind")
        if kind not in KINDS:
            raise PayloadInvalid({"kind": ["记录类型应为签到、签退或确认"]})
        client_uuid = _uuid(payload, "client_uuid", "记录编号", errors)
        photo = payload.get("photo") or None
        if photo is not None and not isinstance(photo, str):
            errors.setdefault("photo", []).append("照片格式不正确")
        quantity = None
        if payload.get("quantity") not in (None, ""):
            try:
                quantity = Decimal(str(payload["quantity"]))
                if not quantity.is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors.setdefault("quantity", []).append("服务量应为数字")
        if kind == "check_in":
            order = _uuid(payload, "order", "工单编号", errors)
            at = _at(payload.get("at"), errors)
            lat, lon = (
                _float(payload.get("latitude"), errors),
                _float(payload.get("longitude"), errors),
            )
            if errors:
                raise PayloadInvalid(errors)
            out = services.check_in(
                actor=actor,
                order_id=order,
                client_uuid=client_uuid,
                at=at,
                latitude=lat,
                longitude=lon,
                photo=photo,
            )
        elif kind == "check_out":
            log = _uuid(payload, "log", "签到记录编号", errors)
            at = _at(payload.get("at"), errors)
            lat, lon = (
                _float(payload.get("latitude"), errors),
                _float(payload.get("longitude"), errors),
            )
            if errors:
                raise PayloadInvalid(errors)
            out = services.check_out(
                actor=actor,
                log_uuid=log,
                at=at,
                latitude=lat,
                longitude=lon,
                photo=photo,
                quantity=quantity,
                note=str(payload.get("note") or "")[:500],
            )
        else:
            log = _uuid(payload, "log", "签到记录编号", errors)
            rating = payload.get("rating")
            if rating in (None, ""):
                rating = None
            elif not isinstance(rating, int) or isinstance(rating, bool):
                errors.setdefault("rating", []).append("评价应为1至5星")
                rating = None
            signature = payload.get("signature")
            if signature is not None and not isinstance(signature, str):
                errors.setdefault("signature", []).append("签名格式不正确")
            if errors:
                raise PayloadInvalid(errors)
            out = services.confirm(
                actor=actor,
                log_uuid=log,
                method=str(payload.get("method") or ""),
                signature=signature,
                sms_code=str(payload.get("sms_code") or "")[:10],
                rating=rating,
                evaluation=str(payload.get("evaluation") or "")[:300],
            )
            # A confirmation is a step of the check-in's log: its own UUID is the answer key.
            return stored(client_uuid, out.created, out.log.public_id)
    except (PayloadInvalid, services.CommunityInvalid) as exc:
        return rejected(client, exc.errors)
    except Http404:
        return rejected(client, {"order": ["未找到该工单或服务记录，或不属于您的服务商"]})
    except services.NotPermitted:
        return rejected(client, {"__all__": ["无权登记上门服务"]})
    return stored(client_uuid, out.created, out.log.public_id)


def upload(*, actor: User, records: Any) -> list[dict[str, Any]]:
    return upload_batch(records, MAX_BATCH, lambda r: upload_one(actor=actor, payload=r))


def upload_log_one(*, actor: User, payload: Any) -> dict[str, Any]:
    """A completed service from a provider's system: check-in and check-out in one record
    ({"client_uuid", "order", "check_in_at", "check_out_at", "quantity", "note",
    "latitude", "longitude"}), stored once on its client UUID."""
    if not isinstance(payload, dict):
        return rejected(None, {"__all__": ["记录格式不正确"]})
    first = upload_one(
        actor=actor,
        payload={**payload, "kind": "check_in", "at": payload.get("check_in_at")},
    )
    if first["status"] == "rejected":
        return first
    second = upload_one(
        actor=actor,
        payload={
            **payload,
            "kind": "check_out",
            "log": payload.get("client_uuid"),
            "at": payload.get("check_out_at"),
        },
    )
    if second["status"] == "rejected":
        return second
    return first


def upload_logs(*, actor: User, records: Any) -> list[dict[str, Any]]:
    return upload_batch(records, MAX_BATCH, lambda r: upload_log_one(actor=actor, payload=r))
