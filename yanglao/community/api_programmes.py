"""紧急呼叫 API (issue 12 part 7): device platforms post alarms (their own bearer token,
idempotent on the platform's alarm id); officers and responders read the alarms in scope."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field, PlainSerializer

from yanglao.accounts.api_scope import PLATFORM, declare_scope
from yanglao.accounts.models import User
from yanglao.accounts.scoping import READ_RECORDS, user_ranges
from yanglao.community.models import Alarm, DevicePlatform
from yanglao.community.programmes import rules, selectors, services
from yanglao.core.api_schemas import Message, ValidationOut
from yanglao.core.dates import iso_datetime
from yanglao.regions import codes

LocalDateTime = Annotated[datetime, PlainSerializer(iso_datetime, return_type=str)]


class PlatformAuth(HttpBearer):
    """`Authorization: Bearer <platform token>`; the token is stored only as its SHA-256."""

    def authenticate(self, request: HttpRequest, token: str) -> DevicePlatform | None:
        token = token.strip()
        if not token or len(token) > 200:
            return None
        return DevicePlatform.objects.filter(
            token_hash=DevicePlatform.hash(token), active=True
        ).first()


class AlarmIn(Schema):
    model_config = ConfigDict(extra="forbid")
    alarm_id: str = Field(min_length=1, max_length=64, description="平台的报警编号（幂等键）")
    device_id: str = Field(min_length=1, max_length=64, description="设备编号")
    kind: str = Field(max_length=8, description="sos / fall / smoke / gas")
    raised_at: datetime = Field(description="报警时间（带时区，如 2026-11-30T08:15:00+08:00）")


class AlarmOut(Schema):
    id: UUID
    alarm_id: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    dispatch_to: str
    dispatch_label: str
    region_code: str
    raised_at: LocalDateTime
    arrived_at: LocalDateTime | None
    response_minutes: int | None
    late: bool
    duplicate: bool = False


router = Router(tags=["紧急呼叫"])


def _out(a: Alarm, duplicate: bool = False) -> dict[str, Any]:
    r = rules.response(a.raised_at, a.arrived_at, timezone.now())
    return {
        "id": a.public_id,
        "alarm_id": a.platform_alarm_id,
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "status": a.status,
        "status_label": a.get_status_display(),
        "dispatch_to": a.dispatch_to,
        "dispatch_label": a.get_dispatch_to_display(),
        "region_code": a.region_id,
        "raised_at": a.raised_at,
        "arrived_at": a.arrived_at,
        "response_minutes": r.minutes,
        "late": r.late,
        "duplicate": duplicate,
    }


@router.post(
    "/intake",
    auth=PlatformAuth(),
    response={200: AlarmOut, 201: AlarmOut, 401: Message, 422: ValidationOut},
    summary="设备平台推送报警（平台令牌；按平台报警编号幂等，重复推送返回200）",
)
@declare_scope(PLATFORM)
def alarm_intake(request: HttpRequest, data: AlarmIn) -> Any:
    platform = request.auth  # type: ignore[attr-defined]
    assert isinstance(platform, DevicePlatform)
    raised = data.raised_at
    if timezone.is_naive(raised):
        raised = timezone.make_aware(raised)
    try:
        got = services.alarm_intake(
            platform=platform,
            platform_alarm_id=data.alarm_id.strip(),
            device_id=data.device_id.strip(),
            kind=data.kind,
            raised_at=raised,
        )
    except services.ProgrammeInvalid as exc:
        return Status(422, {"detail": "数据校验未通过", "errors": exc.errors})
    return Status(201 if got.created else 200, _out(got.alarm, duplicate=not got.created))


@router.get(
    "",
    response={200: list[AlarmOut], 401: Message, 403: Message, 404: Message, 422: ValidationOut},
    summary="辖区内未办结及近7天办结的紧急呼叫（超时在前）",
)
@declare_scope("alarm:read")
def alarm_list(
    request: HttpRequest,
    region: str = Query("", max_length=12, description="任一级区划代码，可不补零"),
) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    board = selectors.alarm_board(user=user)
    if region.strip():
        try:
            low, high = codes.subtree_range(codes.pad(region.strip()))
        except ValueError:
            return Status(
                422, {"detail": "数据校验未通过", "errors": {"region": ["区划代码格式不正确"]}}
            )
        # A region wholly outside the caller's jurisdiction: not found, as a record there.
        if not any(lo <= high and low <= hi for lo, hi in user_ranges(user, READ_RECORDS)):
            raise Http404
        board = [b for b in board if low <= b.alarm.region_id <= high]
    return Status(200, [_out(b.alarm) for b in board])


@router.get(
    "/{alarm_id}",
    response={200: AlarmOut, 401: Message, 403: Message, 404: Message, 422: ValidationOut},
    summary="一次紧急呼叫",
)
@declare_scope("alarm:read")
def alarm_detail(request: HttpRequest, alarm_id: UUID) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return Status(200, _out(selectors.alarm_get(user=user, public_id=alarm_id)))
