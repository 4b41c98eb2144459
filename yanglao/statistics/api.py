"""REST API of the statistics module (issue 13 part 8): indicator values by code, region and
period, read from the snapshots, for other systems and the national reporting. Scope as on
the dashboards: a node outside the caller's jurisdiction is a 404. The catalogue itself (codes,
definitions, targets) is public."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from yanglao.accounts.api_scope import PUBLIC, declare_scope
from yanglao.accounts.models import User
from yanglao.core.api_schemas import Message, ValidationOut
from yanglao.statistics import catalogue, rules, selectors
from yanglao.statistics.models import SnapshotValue

INVALID = "数据校验未通过"

router = Router(tags=["统计监测"])
# Public operations live under /api/v1/public/ (the API's rule for operations without login).
public_router = Router(tags=["统计监测（公开）"])


class TargetOut(Schema):
    value: str
    at_least: bool
    deadline: str
    document: str


class IndicatorOut(Schema):
    code: str
    name: str
    theme: str
    theme_label: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    factor: int
    breakdowns: list[str]
    source: str
    frequency: str
    available: bool
    target: TargetOut | None


class ValueOut(Schema):
    code: str
    name: str
    region_code: str
    region_name: str
    level: int
    breakdown: str
    breakdown_label: str
    numerator: int
    denominator: int | None
    value: str | None
    unit: str


class ValuesOut(Schema):
    period: str | None
    version: int | None
    status: str | None
    status_label: str | None
    as_of: str | None
    values: list[ValueOut]


def _indicator(i: catalogue.Indicator) -> dict[str, Any]:
    t = i.target
    return {
        "code": i.code,
        "name": i.name,
        "theme": i.theme,
        "theme_label": catalogue.THEMES[i.theme],
        "definition": i.definition,
        "numerator": i.numerator,
        "denominator": i.denominator,
        "unit": "元" if i.money else i.unit,
        "factor": i.factor,
        "breakdowns": list(i.breakdowns),
        "source": i.source,
        "frequency": i.frequency,
        "available": i.available,
        "target": {
            "value": str(t.value),
            "at_least": t.at_least,
            "deadline": t.deadline.isoformat(),
            "document": t.document,
        }
        if t
        else None,
    }


@public_router.get(
    "/indicators", response={200: list[IndicatorOut]}, summary="指标目录（公开）", auth=None
)
@declare_scope(PUBLIC)
def stats_indicators(request: HttpRequest) -> Any:
    return [_indicator(i) for i in catalogue.CATALOGUE]


@router.get(
    "/values",
    response={200: ValuesOut, 401: Message, 403: Message, 404: Message, 422: ValidationOut},
    summary="指标数值：按指标代码、区划和统计月份，取自统计快照",
)
@declare_scope("stats:read")
def stats_values(
    request: HttpRequest,
    region: str = Query("", max_length=12, description="区划代码（任意级别）；默认本人辖区"),
    period: str = Query("", max_length=7, description="统计月份 YYYY-MM；默认最新"),
    code: str = Query("", max_length=40, description="指标代码，逗号分隔；默认全部"),
    version: int | None = Query(None, ge=1, description="快照版本；默认该月最新版本"),
    children: bool = Query(False, description="同时返回各下级区划"),
    breakdowns: bool = Query(False, description="同时返回分组数值（性别、年龄段等）"),
) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    errors: dict[str, list[str]] = {}
    first = rules.parse_period(period) if period else None
    if period and first is None:
        errors["period"] = ["统计月份格式应为 YYYY-MM"]
    codes_ = [c.strip() for c in code.split(",") if c.strip()] if code else []
    if any(c not in catalogue.BY_CODE for c in codes_):
        errors["code"] = ["未知的指标代码"]
    if version is not None and first is None:
        errors.setdefault("version", []).append("指定版本时须同时指定统计月份")
    if errors:
        return Status(422, {"detail": INVALID, "errors": errors})
    node = selectors.node_for(user, region) if region else selectors.default_node(user)
    if node is None:
        return Status(404, {"detail": "未找到该区划"})
    snap = (
        selectors.snapshot_version(first, version)
        if first is not None and version is not None
        else selectors.snapshot_for(first)
    )
    empty: dict[str, Any] = {
        "period": None,
        "version": None,
        "status": None,
        "status_label": None,
        "as_of": None,
        "values": [],
    }
    if snap is None:
        return empty
    nodes = [node, *(selectors.children_of(node) if children else [])]
    names = {n.code: n.name for n in nodes}
    qs = SnapshotValue.objects.filter(
        snapshot=snap, region_code__in=list(names), indicator__in=codes_ or list(catalogue.BY_CODE)
    )
    if not breakdowns:
        qs = qs.filter(breakdown="")
    values = []
    for v in qs.order_by("indicator", "region_code", "breakdown"):
        ind = catalogue.BY_CODE[v.indicator]
        figure = rules.figure(v.numerator, v.denominator if ind.is_ratio else None, ind.factor)
        if ind.money and figure is not None:
            figure = figure / 100
        values.append(
            {
                "code": ind.code,
                "name": ind.name,
                "region_code": v.region_code,
                "region_name": names.get(v.region_code, ""),
                "level": v.level,
                "breakdown": v.breakdown,
                "breakdown_label": selectors.breakdown_label(v.breakdown),
                "numerator": v.numerator,
                "denominator": v.denominator,
                "value": None if figure is None else str(figure),
                "unit": "元" if ind.money else ind.unit,
            }
        )
    return {
        "period": f"{snap.period:%Y-%m}",
        "version": snap.version,
        "status": snap.status,
        "status_label": snap.get_status_display(),
        "as_of": snap.as_of.isoformat(),
        "values": values,
    }
