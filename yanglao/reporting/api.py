"""REST API of the department reports: approved values by data element, region and period
(for the statistics module's peers and national reporting), scoped as the pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from yanglao.accounts.api_scope import declare_scope
from yanglao.accounts.models import User
from yanglao.accounts.scoping import READ_FIGURES, in_scope
from yanglao.core.api_schemas import Message
from yanglao.regions import codes
from yanglao.reporting import rules
from yanglao.reporting.choices import ReportStatus
from yanglao.reporting.models import ReportValue

router = Router(tags=["部门数据报送"])
MAX_ROWS = 10_000


class ValueOut(Schema):
    data_set: str
    element: str
    element_name: str
    unit: str
    period: str
    period_label: str
    region_code: str
    region: str
    value: int


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


@router.get(
    "/values",
    response={200: list[ValueOut], 400: Message, 403: Message, 404: Message},
    summary="已审核的部门数据（按数据项、区划、报告期）",
)
@declare_scope("reporting:read")
def reporting_values(
    request: HttpRequest,
    region: str = Query(..., max_length=12, description="区划代码（6、9或12位），含下级"),
    element: str = Query("", max_length=20, description="数据项编码，如 WJ-JTYS-01；空为全部"),
    period: str = Query(
        "", max_length=20, description="报告期：2026-10、2026-Q3 或 2026；空为全部"
    ),
) -> Any:
    try:
        code = codes.pad(region)
    except ValueError:
        return Status(400, {"detail": "区划代码应为2、4、6、9或12位数字"})
    if not in_scope(_user(request), code, READ_FIGURES):
        raise Http404
    low, high = codes.subtree_range(code)
    qs = ReportValue.objects.filter(
        report__status=ReportStatus.APPROVED,
        report__region_id__gte=low,
        report__region_id__lte=high,
    ).select_related("element__data_set", "report__region")
    if element:
        qs = qs.filter(element__code=element)
    out = []
    for v in qs.order_by("report__period", "report__region_id", "element__order")[: MAX_ROWS * 4]:
        kind = v.element.data_set.period_type
        key = rules.period_key(kind, v.report.period)
        if period and rules.parse_period(kind, period) != v.report.period:
            continue
        out.append(
            {
                "data_set": v.element.data_set.code,
                "element": v.element.code,
                "element_name": v.element.name,
                "unit": v.element.unit,
                "period": key,
                "period_label": rules.period_label(kind, v.report.period),
                "region_code": v.report.region_id,
                "region": v.report.region.name,
                "value": v.value,
            }
        )
        if len(out) >= MAX_ROWS:
            break
    return out
