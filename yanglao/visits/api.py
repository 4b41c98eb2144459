"""REST API of home visits: the worker's list, record upload, coverage.

Uploads use the same code as the offline app's sync (visits.sync): each record carries a
client UUID, so a retried upload answers "duplicate" and stores nothing twice. Scope as on
the web pages: a node or person outside the caller's jurisdiction is a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from yanglao.accounts.api_scope import declare_scope
from yanglao.accounts.models import User
from yanglao.core.api_schemas import Message, ValidationOut
from yanglao.visits import rules, selectors, sync
from yanglao.visits.choices import SPECIAL_CATEGORIES

INVALID = "数据校验未通过"

router = Router(tags=["巡访关爱"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class TaskOut(Schema):
    status: str
    status_label: str
    period: str
    period_start: str
    period_end: str
    due_date: str


class ListItemOut(Schema):
    person_id: str
    name: str
    village_code: str
    village: str
    risk_level: str
    last_visit: str | None
    backup: bool
    task: TaskOut | None


class UploadIn(Schema):
    model_config = ConfigDict(extra="forbid")
    records: list[dict[str, Any]] = Field(
        max_length=sync.MAX_BATCH,
        description="巡访记录，字段同离线应用：client_uuid、person、method、visit_date、"
        "visit_time、risk_level、findings、follow_ups、summary、marked_change、location、"
        "latitude、longitude、supersedes、photos（data URL）",
    )


class UploadResult(Schema):
    client_uuid: str | None
    status: str = Field(description="accepted / duplicate / rejected")
    id: str | None = None
    errors: dict[str, list[str]] | None = None


class UploadOut(Schema):
    results: list[UploadResult]


class CoverageRowOut(Schema):
    code: str
    name: str
    roster: int
    visited: int
    rate: float | None


class CoverageOut(Schema):
    region: str
    month: str
    category: str
    target: float
    rows: list[CoverageRowOut]
    total: CoverageRowOut


@router.get(
    "/tasks",
    response={200: list[ListItemOut], 401: Message, 403: Message},
    summary="我的巡访名单（逾期在前）",
)
@declare_scope("visit:record")
def visit_tasks(request: HttpRequest) -> Any:
    items = selectors.worker_list(user=_user(request), today=timezone.localdate())
    return [
        {
            "person_id": str(i.person.public_id),
            "name": i.person.name,
            "village_code": i.person.region_id,
            "village": i.person.region.name,
            "risk_level": i.risk_level,
            "last_visit": i.last_visit.isoformat() if i.last_visit else None,
            "backup": i.backup,
            "task": None
            if i.task is None
            else {
                "status": i.task.status,
                "status_label": i.task.get_status_display(),
                "period": i.task.period_kind,
                "period_start": i.task.period_start.isoformat(),
                "period_end": i.task.period_end.isoformat(),
                "due_date": i.task.due_date.isoformat(),
            },
        }
        for i in items
    ]


@router.post(
    "/records",
    response={200: UploadOut, 401: Message, 403: Message, 422: ValidationOut},
    summary="上传巡访记录（按 client_uuid 幂等；逐条返回 accepted / duplicate / rejected）",
)
@declare_scope("visit:record")
def visit_records_upload(request: HttpRequest, data: UploadIn) -> Any:
    results = sync.upload(actor=_user(request), records=data.records, offline=False)
    return Status(200, {"results": results})


@router.get(
    "/coverage",
    response={200: CoverageOut, 401: Message, 403: Message, 404: Message, 422: ValidationOut},
    summary="月探访率：各下级区划的月初在册人数、已探访人数与探访率",
)
@declare_scope("visit:view")
def visit_coverage(
    request: HttpRequest,
    region: str = Query("", max_length=12, description="区划代码（任意级别）；默认本人辖区"),
    month: str = Query("", max_length=7, description="月份 YYYY-MM；默认本月"),
    category: str = Query(selectors.ALL, max_length=32, description="特殊困难类别；all 为全部"),
) -> Any:
    user = _user(request)
    first = rules.parse_month(month) if month else timezone.localdate().replace(day=1)
    if first is None:
        return Status(422, {"detail": INVALID, "errors": {"month": ["月份格式应为 YYYY-MM"]}})
    if category != selectors.ALL and category not in SPECIAL_CATEGORIES:
        return Status(422, {"detail": INVALID, "errors": {"category": ["未知的类别"]}})
    code = region
    if not code:
        from yanglao.accounts.scoping import READ_FIGURES, user_ranges

        ranges = user_ranges(user, READ_FIGURES)
        code = ranges[0][0] if ranges else "99"
    node = selectors.coverage_node(user, code)
    rows, total = selectors.coverage_table(user=user, region=node, month=first, category=category)

    def out(r: selectors.CoverageRow) -> dict[str, Any]:
        return {
            "code": r.code,
            "name": r.name,
            "roster": r.roster,
            "visited": r.visited,
            "rate": r.rate,
        }

    return {
        "region": node.code,
        "month": f"{first:%Y-%m}",
        "category": category,
        "target": 1.0,
        "rows": [out(r) for r in rows],
        "total": out(total),
    }
