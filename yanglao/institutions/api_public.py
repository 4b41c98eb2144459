"""Public REST API of the institution directory (issue 11 parts 8 and 10): no token, the same
facts and cache as the public pages (institutions.public), never personal data."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from yanglao.accounts.api_scope import PUBLIC, declare_scope
from yanglao.core.api_schemas import Message
from yanglao.institutions import public

router = Router(tags=["养老机构名录（公开）"])


class PublicInstitutionOut(Schema):
    id: str
    name: str
    types: list[str]
    ownership: str
    district: str
    address: str
    status: str
    beds_total: int
    beds_nursing: int
    beds_dementia: int
    beds_daycare: int
    bed_fee: str
    care_fee: str
    meal_fee: str
    rating: int | None
    rating_label: str
    rating_valid_until: date | None


class PublicInspectionOut(Schema):
    checked_on: date
    kind: str
    conclusion: str
    findings: int
    rectified: bool
    published_on: date


class PublicInstitutionDetailOut(PublicInstitutionOut):
    phone: str
    medical: str
    ltc_designated: bool
    liability_insured: bool
    filed_on: date | None
    inspections: list[PublicInspectionOut]


class PublicListOut(Schema):
    count: int
    page: int
    pages: int
    results: list[PublicInstitutionOut]


@router.get(
    "/institutions",
    auth=None,
    response={200: PublicListOut, 400: Message},
    summary="养老机构名录（无需登录）",
)
@declare_scope(PUBLIC)
def public_institutions(
    request: HttpRequest,
    district: str = Query("", max_length=6, description="区县代码（6位）"),
    ownership: str = Query("", max_length=16, description="public / public_private / private"),
    beds: str = Query("", max_length=4, description="床位规模：lt50 / 50 / 100 / 200"),
    rating: str = Query("", max_length=4, description="等级 1–5，或 none（未评级）"),
    page: int = Query(1, ge=1, le=100_000, description="页码"),
) -> Any:
    f, errors = public.parse_filters(
        {"district": district, "ownership": ownership, "beds": beds, "rating": rating}
    )
    if errors:
        return Status(400, {"detail": "；".join(errors)})
    p = public.directory(f, page, timezone.localdate())
    return {"count": p.count, "page": p.number, "pages": p.num_pages, "results": p.rows}


@router.get(
    "/institutions/{institution_id}",
    auth=None,
    response={200: PublicInstitutionDetailOut, 404: Message},
    summary="养老机构公开信息",
)
@declare_scope(PUBLIC)
def public_institution(request: HttpRequest, institution_id: UUID) -> Any:
    card = public.institution(institution_id, timezone.localdate())
    if card is None:
        return Status(404, {"detail": "未找到"})
    card.pop("rating_history", None)
    return card
