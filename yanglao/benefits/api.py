"""REST API of the service list and subsidies (`/api/v1/benefits/...`).

Reads go through benefits.selectors and writes through benefits.services, so the API sees
and changes exactly what the pages would for the same account: another county's person or
application is a 404, a step the caller's role may not take is a 403, a refused request a
422 with Chinese messages per field. Identifiers leave masked only.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from yanglao.accounts.api_scope import declare_scope
from yanglao.accounts.models import User
from yanglao.accounts.scoping import READ_RECORDS, user_ranges
from yanglao.benefits import rules, selectors, services
from yanglao.benefits.models import Application
from yanglao.core.api_schemas import Message, ValidationOut
from yanglao.core.dates import iso_datetime, parse_month
from yanglao.people import selectors as people_selectors
from yanglao.regions import codes

INVALID = "数据校验未通过"
router = Router(tags=["基本养老服务与补贴"])


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class BandOut(Schema):
    band: str
    value: str | None
    when: dict[str, Any] | None


class ItemOut(Schema):
    code: str
    name: str
    category: str
    target: str
    rule: dict[str, Any]
    standard: list[BandOut]
    unit: str
    payable: bool
    machine_evaluable: bool
    sources: str
    provisional: bool
    effective_from: date


class EligibilityOut(Schema):
    code: str
    name: str
    eligible: bool | None = Field(description="true 符合 / false 不符合 / null 缺少信息待核实")
    reasons: list[str]
    missing: list[str]
    band: str
    amount: str | None
    receiving: bool
    open_application: UUID | None


class ApplicationIn(_In):
    item_code: str = Field(max_length=16)
    account: str = Field("", max_length=40, description="发放账号（按月发放资金的项目必填）")
    note: str = Field("", max_length=500)
    acknowledge_ineligible: bool = Field(
        False,
        description="系统核对不符合条件时，已告知申请人核对结果、申请人坚持申请（否则 422）",
    )


class DecisionIn(_In):
    approve: bool
    reason: str = Field(max_length=500, description="审核/审批意见（必填）")
    reason_code: str = Field("", description="不予批准的原因代码")


class DecisionOut(Schema):
    step: str
    approved: bool
    reason_code: str
    reason: str
    actor_name: str
    at: str


class ApplicationOut(Schema):
    id: UUID
    person_id: UUID
    person_name: str
    region_code: str
    item_code: str
    status: str
    status_label: str
    accepted_on: date
    account: str
    warnings: list[str]
    eligible: bool | None = Field(
        description="系统核对：true 符合 / false 不符合 / null 缺少信息待核实"
    )
    eligibility_reasons: list[str]
    eligibility_notice: str = Field(
        description="不符合时为“经系统核对，不符合该项目条件：……”，否则为空"
    )
    eligibility_checked_on: date = Field(
        description="核对日期：办理中的申请在单件查询和办理时为当日核对，列表及已办结的为受理时核对"
    )
    decisions: list[DecisionOut]


class ApplicationListOut(Schema):
    items: list[ApplicationOut]
    page: int
    pages: int
    count: int


class CandidateOut(Schema):
    person_id: UUID
    person_name: str
    region_code: str
    item_code: str
    first_found: date


class CandidateListOut(Schema):
    items: list[CandidateOut]
    page: int
    pages: int
    count: int


class RollOut(Schema):
    id: UUID
    county: str
    month: str
    status: str
    totals: dict[str, Any]


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _region(user: User, raw: str) -> str | None:
    """A region the caller may ask about: inside a jurisdiction or above one (the lists of
    the levels above apply to it); anything else is a 404."""
    if not raw:
        return selectors.home_region(user)
    try:
        code = codes.pad(raw)
    except ValueError as exc:
        raise Http404 from exc
    for low, high in user_ranges(user, READ_RECORDS):
        if low <= code <= high or codes.contains(code, low):
            return code
    raise Http404


def _application_out(app: Application, live: bool = False) -> dict[str, Any]:
    """`live`: check eligibility today (one application); otherwise the check stored at
    acceptance (lists: no engine run per row)."""
    today = timezone.localdate()
    verdict = selectors.application_verdict(app, today) if live else None
    if verdict is not None:
        value, reasons, checked_on = verdict.value, verdict.reasons, today
    else:
        value = app.eligibility.get("value")
        reasons, checked_on = list(app.eligibility.get("reasons", [])), app.accepted_on
    return {
        "id": app.public_id,
        "person_id": app.person.public_id,
        "person_name": app.person.name,
        "region_code": app.region_id,
        "item_code": app.item_code,
        "status": app.status,
        "status_label": app.get_status_display(),
        "accepted_on": app.accepted_on,
        "account": app.account_masked,
        "warnings": app.warnings,
        "eligible": value,
        "eligibility_reasons": reasons,
        "eligibility_notice": rules.ineligible_notice(value, reasons),
        "eligibility_checked_on": checked_on,
        "decisions": [
            {
                "step": d.step,
                "approved": d.approved,
                "reason_code": d.reason_code,
                "reason": d.reason,
                "actor_name": d.actor_name,
                "at": iso_datetime(d.at),
            }
            for d in app.decisions.all()
        ],
    }


@router.get("/items", response={200: list[ItemOut], 401: Message, 403: Message, 404: Message})
@declare_scope("benefit:read")
def items(request: HttpRequest, region: str = "", on: date | None = None) -> Any:
    """The service list in force for a region (default: the caller's county)."""
    code = _region(_user(request), region)
    rows = selectors.service_list(code, on or timezone.localdate())
    return [
        {
            "code": r.item.code,
            "name": r.item.item.name,
            "category": r.item.item.category,
            "target": r.item.item.target,
            "rule": r.item.rule,
            "standard": r.item.standard,
            "unit": r.item.item.unit,
            "payable": r.item.item.payable,
            "machine_evaluable": r.machine,
            "sources": r.item.sources,
            "provisional": r.item.item.provisional,
            "effective_from": r.item.item.effective_from,
        }
        for r in rows
    ]


@router.get(
    "/persons/{person_id}/eligibility",
    response={200: list[EligibilityOut], 401: Message, 403: Message, 404: Message},
)
@declare_scope("benefit:read")
def eligibility(request: HttpRequest, person_id: UUID) -> Any:
    """Every item for one person: eligible or not, why, and which facts are missing."""
    user = _user(request)
    person = people_selectors.person_get(user=user, public_id=person_id)
    rows = selectors.person_overview(user=user, person=person, on=timezone.localdate())
    return [
        {
            "code": r.item.code,
            "name": r.item.item.name,
            "eligible": r.verdict.value,
            "reasons": r.verdict.reasons,
            "missing": r.verdict.missing,
            "band": r.band,
            "amount": r.amount or None,
            "receiving": r.holding is not None,
            "open_application": r.open_app.public_id if r.open_app else None,
        }
        for r in rows
    ]


@router.post(
    "/persons/{person_id}/applications",
    response={201: ApplicationOut, 401: Message, 403: Message, 404: Message, 422: ValidationOut},
    summary="受理申请（村/乡镇/县窗口）",
)
@declare_scope("benefit:apply")
def application_create(request: HttpRequest, person_id: UUID, data: ApplicationIn) -> Any:
    user = _user(request)
    person = people_selectors.person_get(user=user, public_id=person_id)
    try:
        app = services.application_create(
            actor=user,
            person=person,
            item_code=data.item_code,
            account=data.account,
            note=data.note,
            acknowledge_ineligible=data.acknowledge_ineligible,
        )
    except services.BenefitInvalid as exc:
        return Status(422, {"detail": INVALID, "errors": exc.errors})
    return Status(201, _application_out(app, live=True))


@router.get(
    "/applications", response={200: ApplicationListOut, 401: Message, 403: Message, 404: Message}
)
@declare_scope("benefit:read")
def applications(
    request: HttpRequest, status: str = "open", region: str = "", item: str = "", page: int = 1
) -> Any:
    user = _user(request)
    code = _region(user, region) if region else ""
    pg = selectors.page(
        selectors.applications(user=user, status=status, item=item, region=code or ""), str(page)
    )
    return {
        "items": [_application_out(a) for a in pg.object_list],
        "page": pg.number,
        "pages": pg.paginator.num_pages,
        "count": pg.paginator.count,
    }


@router.get(
    "/applications/{application_id}",
    response={200: ApplicationOut, 401: Message, 403: Message, 404: Message},
)
@declare_scope("benefit:read")
def application_detail(request: HttpRequest, application_id: UUID) -> Any:
    return _application_out(
        selectors.application_get(user=_user(request), public_id=application_id), live=True
    )


@router.post(
    "/applications/{application_id}/decisions",
    response={200: ApplicationOut, 401: Message, 403: Message, 404: Message, 422: ValidationOut},
    summary="审核（乡镇）/审批、复核（县）",
)
@declare_scope("benefit:decide")
def application_decide(request: HttpRequest, application_id: UUID, data: DecisionIn) -> Any:
    user = _user(request)
    app = selectors.application_get(user=user, public_id=application_id)
    try:
        app = services.application_decide(
            actor=user,
            application=app,
            approve=data.approve,
            reason=data.reason,
            reason_code=data.reason_code,
        )
    except services.NotPermitted as exc:
        raise PermissionDenied from exc
    except services.BenefitInvalid as exc:
        return Status(422, {"detail": INVALID, "errors": exc.errors})
    return _application_out(app, live=True)


@router.get(
    "/candidates", response={200: CandidateListOut, 401: Message, 403: Message, 404: Message}
)
@declare_scope("benefit:read")
def candidates(
    request: HttpRequest, region: str = "", item: str = "", page: int = 1, new: bool = False
) -> Any:
    """The nightly "eligible but not receiving" list (应保尽保)."""
    user = _user(request)
    code = _region(user, region) if region else ""
    latest = selectors.latest_run()
    pg = selectors.page(
        selectors.candidates(
            user=user, item=item, region=code or "", since=latest if new and latest else None
        ),
        str(page),
    )
    return {
        "items": [
            {
                "person_id": c.person.public_id,
                "person_name": c.person.name,
                "region_code": c.region_id,
                "item_code": c.item_code,
                "first_found": c.first_found,
            }
            for c in pg.object_list
        ],
        "page": pg.number,
        "pages": pg.paginator.num_pages,
        "count": pg.paginator.count,
    }


@router.get(
    "/rolls",
    response={200: list[RollOut], 401: Message, 403: Message, 404: Message, 422: ValidationOut},
)
@declare_scope("benefit:read")
def rolls(request: HttpRequest, region: str = "", month: str = "") -> Any:
    """Roll summaries (totals per item and kind); lines with personal data stay on the page
    and in the audited bank export."""
    user = _user(request)
    qs = selectors.rolls(user=user)
    if region:
        code = _region(user, region)
        assert code is not None
        low, high = codes.subtree_range(code)
        qs = qs.filter(county_id__gte=low, county_id__lte=high)
    if month:
        first = parse_month(month)
        if first is None:
            return Status(422, {"detail": INVALID, "errors": {"month": ["月份格式应为 2026-03"]}})
        qs = qs.filter(month=first)
    return [
        {
            "id": r.public_id,
            "county": r.county_id,
            "month": f"{r.month:%Y-%m}",
            "status": r.status,
            "totals": r.totals,
        }
        for r in qs[:120]
    ]
