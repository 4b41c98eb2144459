"""REST API for providers' systems (issue 12 part 10): their orders, check-in/out and
confirmation records, completed logs. Uploads use the offline app's code (community.sync):
each record carries a client UUID, so a retried upload answers "duplicate" and stores nothing
twice. Scope as on the pages: provider staff see their provider's orders, officers their
region's; a region outside the caller's jurisdiction is a 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from yanglao.accounts.api_scope import declare_scope
from yanglao.accounts.models import User
from yanglao.accounts.scoping import READ_RECORDS, in_scope
from yanglao.community import selectors, sync
from yanglao.community.choices import OrderStatus
from yanglao.core.api_schemas import Message, ValidationOut
from yanglao.regions import codes

INVALID = "数据校验未通过"

router = Router(tags=["居家社区养老服务"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class OrderOut(Schema):
    id: str
    person_id: str
    name: str
    village_code: str
    village: str
    item_code: str
    item: str
    unit: str
    quantity: str
    status: str
    status_label: str
    provider: str | None
    worker: str | None
    scheduled_for: str | None


class UploadIn(Schema):
    model_config = ConfigDict(extra="forbid")
    records: list[dict[str, Any]] = Field(
        max_length=sync.MAX_BATCH,
        description="记录，字段同离线应用：client_uuid、kind（check_in / check_out / confirm）、"
        "order、log、at、latitude、longitude、photo（data URL）、quantity、note、method、"
        "signature（PNG data URL）、sms_code、rating、evaluation",
    )


class LogsIn(Schema):
    model_config = ConfigDict(extra="forbid")
    records: list[dict[str, Any]] = Field(
        max_length=sync.MAX_BATCH,
        description="已完成的服务：client_uuid、order、check_in_at、check_out_at、quantity、"
        "note、latitude、longitude",
    )


class UploadResult(Schema):
    client_uuid: str | None
    status: str = Field(description="accepted / duplicate / rejected")
    id: str | None = None
    errors: dict[str, list[str]] | None = None


class UploadOut(Schema):
    results: list[UploadResult]


@router.get(
    "/orders",
    response={200: list[OrderOut], 401: Message, 403: Message, 404: Message, 422: ValidationOut},
    summary="服务工单（服务商人员：本服务商的工单；工作人员：辖区内的工单）",
)
@declare_scope("community:read")
def service_orders(
    request: HttpRequest,
    region: str = Query("", max_length=12, description="区划代码（可选）"),
    status: str = Query("", max_length=16, description="状态，默认已派单（dispatched）"),
) -> Any:
    user = _user(request)
    if region and not (region.isdigit() and len(region) in (2, 4, 6, 9, 12)):
        return Status(422, {"detail": INVALID, "errors": {"region": ["区划代码应为数字"]}})
    if region and not in_scope(user, codes.pad(region), READ_RECORDS):
        return Status(404, {"detail": "未找到"})
    status = status or OrderStatus.DISPATCHED
    if status not in OrderStatus.values:
        return Status(422, {"detail": INVALID, "errors": {"status": ["未知的状态"]}})
    qs = selectors.orders(user, selectors.OrderFilters(status=status))
    if region:
        low, high = codes.subtree_range(codes.pad(region))
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    return [
        {
            "id": str(o.public_id),
            "person_id": str(o.person.public_id),
            "name": o.person.name,
            "village_code": o.region_id,
            "village": o.region.name,
            "item_code": o.item.code,
            "item": o.item.name,
            "unit": o.item.get_unit_display(),
            "quantity": str(o.quantity),
            "status": o.status,
            "status_label": o.get_status_display(),
            "provider": o.provider.name if o.provider else None,
            "worker": o.worker.username if o.worker else None,
            "scheduled_for": o.scheduled_for.isoformat() if o.scheduled_for else None,
        }
        for o in qs[:500]
    ]


@router.post(
    "/records",
    response={200: UploadOut, 401: Message, 403: Message, 422: ValidationOut},
    summary="上传签到、签退与确认记录（按 client_uuid 幂等；逐条返回 accepted / duplicate / rejected）",
)
@declare_scope("community:serve")
def service_records_upload(request: HttpRequest, data: UploadIn) -> Any:
    return Status(200, {"results": sync.upload(actor=_user(request), records=data.records)})


@router.post(
    "/logs",
    response={200: UploadOut, 401: Message, 403: Message, 422: ValidationOut},
    summary="上传已完成的服务记录（签到与签退一并提交，按 client_uuid 幂等）",
)
@declare_scope("community:serve")
def service_logs_upload(request: HttpRequest, data: LogsIn) -> Any:
    return Status(200, {"results": sync.upload_logs(actor=_user(request), records=data.records)})
