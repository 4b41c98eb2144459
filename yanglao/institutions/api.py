"""REST API of the institution register: list and detail, scoped as the pages (officers by
region, operators by their own institution); no personal data."""

from __future__ import annotations

from datetime import date as _date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from yanglao.accounts.api_scope import declare_scope
from yanglao.accounts.models import User
from yanglao.core.api_schemas import Message, ValidationOut
from yanglao.institutions import queries_reports as queries
from yanglao.institutions import report_rules as rr
from yanglao.institutions import reports, rules, selectors
from yanglao.institutions import selectors_reports as sel
from yanglao.institutions.choices import FilingStatus, OperatingStatus, Ownership
from yanglao.institutions.models import Institution, MonthlyReport
from yanglao.institutions.prepaid_rules import Item

router = Router(tags=["养老机构"])
MAX_PAGE = 200


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class InstitutionOut(Schema):
    id: str
    credit_code: str
    name: str
    ownership: str
    ownership_label: str
    profit: str
    region_code: str
    region: str
    address: str
    beds_total: int
    beds_nursing: int
    beds_dementia: int
    nursing_share: float | None
    residents: int
    filing_status: str
    filing_status_label: str
    status: str
    status_label: str


class InstitutionListOut(Schema):
    count: int
    results: list[InstitutionOut]


def _out(i: Institution) -> dict[str, Any]:
    share = rules.share(i.beds_nursing, i.beds_total)
    return {
        "id": str(i.public_id),
        "credit_code": i.credit_code,
        "name": i.name,
        "ownership": i.ownership,
        "ownership_label": i.get_ownership_display(),
        "profit": i.profit,
        "region_code": i.region_id,
        "region": i.region.name,
        "address": i.address,
        "beds_total": i.beds_total,
        "beds_nursing": i.beds_nursing,
        "beds_dementia": i.beds_dementia,
        "nursing_share": float(share) if share is not None else None,
        "residents": i.residencies.filter(end__isnull=True).count(),
        "filing_status": i.filing_status,
        "filing_status_label": i.get_filing_status_display(),
        "status": i.status,
        "status_label": i.get_status_display(),
    }


@router.get(
    "",
    response={200: InstitutionListOut, 400: Message, 403: Message, 404: Message},
    summary="养老机构名录（本辖区或本机构）",
)
@declare_scope("institution:read")
def institution_list(
    request: HttpRequest,
    q: str = Query("", max_length=50, description="名称或统一社会信用代码"),
    region: str = Query("", max_length=12, description="区划代码（任意级别）"),
    ownership: str = Query("", max_length=16, description="public / public_private / private"),
    filing: str = Query("", max_length=16, description="unfiled / pending / incomplete / filed"),
    status: str = Query(
        "", max_length=16, description="preparing / operating / suspended / closed"
    ),
    offset: int = Query(0, description="从第几条开始"),
    limit: int = Query(50, description=f"每页条数，1–{MAX_PAGE}"),
) -> Any:
    user = _user(request)
    if not 0 <= offset <= 10_000_000 or not 1 <= limit <= MAX_PAGE:
        return Status(400, {"detail": f"offset 不能为负数，limit 应在 1 到 {MAX_PAGE} 之间"})
    region = region.strip()
    if region and not (region.isdigit() and len(region) in (2, 4, 6, 9, 12)):
        return Status(400, {"detail": "区划代码应为2、4、6、9或12位数字"})
    f = selectors.Filters(
        q=q.strip(),
        region=region,
        ownership=ownership if ownership in Ownership.values else "",
        filing=filing if filing in FilingStatus.values else "",
        status=status if status in OperatingStatus.values else "",
    )
    qs = selectors.institution_search(user=user, f=f)
    rows = list(qs[offset : offset + limit])
    return Status(200, {"count": qs.count(), "results": [_out(i) for i in rows]})


@router.get(
    "/{institution_id}",
    response={200: InstitutionOut, 403: Message, 404: Message},
    summary="养老机构详情",
)
@declare_scope("institution:read")
def institution_detail(request: HttpRequest, institution_id: UUID) -> Any:
    return Status(
        200, _out(selectors.institution_get(user=_user(request), public_id=institution_id))
    )


# --- Parts 3–4 and 特困 应养尽养: monthly reports, prepaid money, the county's lists ----------

INVALID = "提交的数据有误，未保存"
Count = Field(0, ge=0, le=reports.MAX_COUNT)


class IncidentIn(Schema):
    kind: str = Field(..., max_length=32, description="噎食 choking / 跌倒 fall / …")
    count: int = Field(..., ge=1, le=1000)
    serious: bool = False


class ReportIn(Schema):
    month: str = Field(..., max_length=20, description="月份，如 2026-10")
    residents_intact: int = Count
    residents_mild: int = Count
    residents_moderate: int = Count
    residents_severe: int = Count
    residents_total: int = Count
    residents_unassessed: int = Count
    beds_general_used: int = Count
    beds_nursing_used: int = Count
    beds_dementia_used: int = Count
    staff_carer: int = Count
    staff_doctor: int = Count
    staff_nurse: int = Count
    staff_social_worker: int = Count
    staff_manager: int = Count
    staff_other: int = Count
    fees_collected: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)
    incidents: list[IncidentIn] = Field(default_factory=list, max_length=50)
    adjust_reason: str = Field("", max_length=500, description="与系统预填数不一致的原因")


class ReportOut(Schema):
    id: str
    month: str
    due_on: _date
    filed_on: _date
    late: bool
    figures: dict[str, int]
    prefilled: dict[str, int]
    fees_collected: float
    incidents: list[IncidentIn]


def _report_out(r: MonthlyReport) -> dict[str, Any]:
    return {
        "id": str(r.public_id),
        "month": f"{r.month:%Y-%m}",
        "due_on": r.due_on,
        "filed_on": r.filed_on,
        "late": r.late,
        "figures": {k: getattr(r, k) for k in queries.FIGURES},
        "prefilled": r.prefilled,
        "fees_collected": float(r.fees_collected),
        "incidents": [
            {"kind": i.kind, "count": i.count, "serious": i.serious} for i in r.incidents.all()
        ],
    }


def _invalid(exc: reports.InstitutionInvalid) -> tuple[int, dict[str, Any]]:
    return 422, {"detail": INVALID, "errors": exc.errors}


@router.get(
    "/{institution_id}/reports",
    response={200: list[ReportOut], 403: Message, 404: Message},
    summary="机构月报（本机构或辖区机构）",
)
@declare_scope("institution:read")
def report_list(request: HttpRequest, institution_id: UUID) -> Any:
    inst = selectors.institution_get(user=_user(request), public_id=institution_id)
    return 200, [_report_out(r) for r in sel.reports(inst)[:36]]


@router.post(
    "/{institution_id}/reports",
    response={201: ReportOut, 403: Message, 404: Message, 422: ValidationOut},
    summary="报送月报（机构经办人）",
)
@declare_scope("institution:report")
def report_create(request: HttpRequest, institution_id: UUID, body: ReportIn) -> Any:
    user = _user(request)
    inst = selectors.institution_get(user=user, public_id=institution_id)
    data = body.dict()
    try:
        r = reports.report_file(
            actor=user,
            institution=inst,
            data=reports.ReportInput(
                month=data["month"],
                figures={k: data[k] for k in queries.FIGURES},
                fees_collected=body.fees_collected,
                incidents=[reports.Incident(i.kind, i.count, i.serious) for i in body.incidents],
                adjust_reason=body.adjust_reason,
            ),
        )
    except reports.InstitutionInvalid as exc:
        return _invalid(exc)
    except reports.NotPermitted:
        return 403, {"detail": "您没有为该机构报送月报的权限"}
    return 201, _report_out(r)


Money = Field(..., ge=0, max_digits=12, decimal_places=2)


class PrepaidItemIn(Schema):
    kind: str = Field(..., max_length=16, description="service_fee / deposit / membership")
    amount: Decimal = Money
    months: int | None = Field(None, ge=1, le=120, description="养老服务费预收月数")
    bed_fee: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class PrepaidIn(Schema):
    items: list[PrepaidItemIn] = Field(..., max_length=10)
    total_held: Decimal = Money
    fixed_assets_net: Decimal = Money
    fixed_assets_pledged: Decimal = Money
    custody_bank: str = Field("", max_length=100)
    custody_account: str = Field("", max_length=40)
    risk_reserve: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)


class ViolationOut(Schema):
    code: str
    message: str
    document: str


class FiledOut(Schema):
    id: str
    violations: list[ViolationOut]


@router.post(
    "/{institution_id}/prepaid",
    response={201: FiledOut, 403: Message, 404: Message, 422: ValidationOut},
    summary="报备预收费用（民发〔2024〕19号）",
)
@declare_scope("institution:report")
def prepaid_create(request: HttpRequest, institution_id: UUID, body: PrepaidIn) -> Any:
    user = _user(request)
    inst = selectors.institution_get(user=user, public_id=institution_id)
    data = body.dict()
    items = [Item(i["kind"], i["amount"], i["months"], i["bed_fee"]) for i in data.pop("items")]
    try:
        f = reports.prepaid_file(
            actor=user, institution=inst, data=reports.PrepaidInput(items=items, **data)
        )
    except reports.InstitutionInvalid as exc:
        return _invalid(exc)
    except reports.NotPermitted:
        return 403, {"detail": "您没有为该机构报备预收费用的权限"}
    return 201, {"id": str(f.public_id), "violations": f.violations}


class BalanceIn(Schema):
    month: str = Field(..., max_length=20)
    residents: int = Count
    service_fees_monthly: Decimal = Money
    bed_fees_monthly: Decimal = Money
    service_balance: Decimal = Money
    deposit_balance: Decimal = Money
    membership_balance: Decimal = Money
    custody_balance: Decimal = Money
    fixed_assets_net: Decimal = Money
    fixed_assets_pledged: Decimal = Money
    arrears: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)


@router.post(
    "/{institution_id}/prepaid/balances",
    response={201: FiledOut, 403: Message, 404: Message, 422: ValidationOut},
    summary="报告预收费用月度余额",
)
@declare_scope("institution:report")
def balance_create(request: HttpRequest, institution_id: UUID, body: BalanceIn) -> Any:
    user = _user(request)
    inst = selectors.institution_get(user=user, public_id=institution_id)
    try:
        b = reports.balance_report(
            actor=user, institution=inst, data=reports.BalanceInput(**body.dict())
        )
    except reports.InstitutionInvalid as exc:
        return _invalid(exc)
    except reports.NotPermitted:
        return 403, {"detail": "您没有为该机构报告余额的权限"}
    return 201, {"id": str(b.public_id), "violations": b.violations}


def _list_params(region: str, month: str) -> tuple[str, _date] | str:
    region = region.strip()
    if region and not (region.isascii() and region.isdigit() and len(region) in (2, 4, 6, 9, 12)):
        return "区划代码应为2、4、6、9或12位数字"
    today = timezone.localdate()
    m = rr.parse_month(month) if month else rr.last_complete_month(today)
    if rr.month_errors(m, today):
        return "月份格式应为 2026-10，且须为已结束的最近24个月之一"
    assert m is not None
    return region, m


class OwedOut(Schema):
    institution_id: str
    name: str
    region_code: str
    region: str
    month: str
    due: _date
    late: bool


@router.get(
    "/supervision/late-reports",
    response={200: list[OwedOut], 400: Message, 403: Message, 404: Message},
    summary="未报送月报的机构（催报与逾期名单）",
)
@declare_scope("institution:read")
def late_reports(
    request: HttpRequest,
    region: str = Query("", max_length=12),
    month: str = Query("", max_length=20, description="月份，默认上月"),
) -> Any:
    params = _list_params(region, month)
    if isinstance(params, str):
        return 400, {"detail": params}
    today = timezone.localdate()
    rows = sel.reports_owed(user=_user(request), month=params[1], region=params[0])
    return 200, [
        {
            "institution_id": o.public_id,
            "name": o.name,
            "region_code": o.region_id,
            "region": o.region_name,
            "month": f"{o.month:%Y-%m}",
            "due": o.due,
            "late": o.due < today,
        }
        for o in rows
    ]


class RiskOut(Schema):
    institution_id: str
    name: str
    region_code: str
    score: int
    level: str
    parts: dict[str, int]


@router.get(
    "/supervision/risk",
    response={200: list[RiskOut], 400: Message, 403: Message, 404: Message},
    summary="预收费风险排序",
)
@declare_scope("institution:read")
def risk_list(
    request: HttpRequest,
    region: str = Query("", max_length=12),
    month: str = Query("", max_length=20),
) -> Any:
    params = _list_params(region, month)
    if isinstance(params, str):
        return 400, {"detail": params}
    rows = sel.risk_list(
        user=_user(request), month=params[1], today=timezone.localdate(), region=params[0]
    )
    return 200, [
        {
            "institution_id": r.public_id,
            "name": r.name,
            "region_code": r.region_id,
            "score": r.risk.score,
            "level": r.risk.level,
            "parts": r.risk.parts,
        }
        for r in rows
    ]


class UnplacedOut(Schema):
    person_id: str
    name: str
    id_number_masked: str
    region_code: str
    requested_on: _date


@router.get(
    "/supervision/tekun-unplaced",
    response={200: list[UnplacedOut], 400: Message, 403: Message, 404: Message},
    summary="特困人员应养尽养：申请集中供养而未入住机构的名单",
)
@declare_scope("institution:read")
def tekun_unplaced(request: HttpRequest, region: str = Query("", max_length=12)) -> Any:
    params = _list_params(region, "")
    if isinstance(params, str):
        return 400, {"detail": params}
    rows = sel.tekun_unplaced(user=_user(request), on=timezone.localdate(), region=params[0])
    return (
        200,
        [
            {
                "person_id": str(p.public_id),
                "name": p.name,
                "id_number_masked": p.id_number_masked,
                "region_code": p.region_id,
                "requested_on": p.requested_on,  # type: ignore[attr-defined]
            }
            for p in rows[:1000]
        ],
    )
