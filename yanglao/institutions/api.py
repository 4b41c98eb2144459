"""REST API of the institution register: list and detail, scoped as the pages (officers by
region, operators by their own institution); no personal data."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from yanglao.accounts.api_scope import declare_scope
from yanglao.accounts.models import User
from yanglao.core.api_schemas import Message
from yanglao.institutions import rules, selectors
from yanglao.institutions.choices import FilingStatus, OperatingStatus, Ownership
from yanglao.institutions.models import Institution

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
