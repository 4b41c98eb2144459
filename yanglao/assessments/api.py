"""REST API of assessments: the stateless scoring calculator.

`POST /api/v1/assessments/score` grades a set of answers without touching any record; any
logged-in user may call it. Bad or missing items are a 422 naming each item in Chinese.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from yanglao.accounts.api_scope import declare_scope
from yanglao.assessments import ltc, scoring, services
from yanglao.assessments.choices import ConfigStatus, Standard
from yanglao.core.api_schemas import Message, ValidationOut

INVALID = "数据校验未通过"


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class DiagnosisIn(_In):
    icd: str = Field(max_length=10, description="ICD-10 编码，如 F03")
    diagnosed_by: str = Field("unknown", description="psychiatrist / physician / unknown")
    confirmed: bool = False


class ScoreIn(_In):
    standard: str = Field(Standard.GBT_42195, description="GB/T 42195-2022 或 LTC-2021")
    items: dict[str, Any] = Field(description='项目编号 → 分值，如 {"B.1.1": 4}')
    coma: bool = Field(False, description="A.5.11 昏迷")
    b39_state: str | None = Field(None, description="clear / drowsy / confused / stupor / coma")
    diagnoses: list[DiagnosisIn] = Field(default_factory=list, max_length=50)
    risk_events: dict[str, Any] = Field(
        default_factory=dict, description="fall / wander / choke / self_harm / other，各 0–3"
    )


class ScoreOut(Schema):
    standard: str
    subtotals: dict[str, int]
    total: int | None
    preliminary_grade: int | None
    final_grade: int
    final_grade_label: str
    reasons: list[str]
    dimension_grades: dict[str, int] | None = None
    config_version: str | None = None
    config_status: str | None = None


router = Router(tags=["能力评估"])


@router.post(
    "/score",
    response={200: ScoreOut, 401: Message, 403: Message, 422: ValidationOut},
    summary="评分计算（不保存，不涉及任何老年人记录）",
)
@declare_scope("assessment:score")
def score(request: HttpRequest, data: ScoreIn) -> Any:
    if data.standard == Standard.LTC_2021:
        cfg = services.ltc_config(timezone.localdate())
        config = cfg.data if cfg is not None else ltc.DEFAULT_CONFIG
        try:
            r = ltc.score(data.items, config)
        except scoring.ScoreInvalid as exc:
            return Status(422, {"detail": INVALID, "errors": exc.errors})
        return Status(
            200,
            {
                "standard": ltc.STANDARD,
                "subtotals": r.subtotals,
                "total": None,
                "preliminary_grade": r.grade,
                "final_grade": r.grade,
                "final_grade_label": ltc.GRADE_LABELS[r.grade],
                "reasons": [],
                "dimension_grades": r.dimension_grades,
                "config_version": r.config_version,
                "config_status": cfg.status if cfg is not None else ConfigStatus.TRIAL,
            },
        )
    if data.standard != Standard.GBT_42195:
        return Status(
            422,
            {
                "detail": INVALID,
                "errors": {"standard": ["评估标准只能是 GB/T 42195-2022 或 LTC-2021"]},
            },
        )
    inp = scoring.GbtInput(
        items=data.items,
        coma=data.coma,
        b39_state=data.b39_state,
        diagnoses=[scoring.Diagnosis(d.icd, d.diagnosed_by, d.confirmed) for d in data.diagnoses],
        risk_events=data.risk_events,
    )
    try:
        res = scoring.score(inp)
    except scoring.ScoreInvalid as exc:
        return Status(422, {"detail": INVALID, "errors": exc.errors})
    return Status(
        200,
        {
            "standard": scoring.STANDARD,
            "subtotals": res.subtotals,
            "total": res.total,
            "preliminary_grade": res.preliminary_grade,
            "final_grade": res.final_grade,
            "final_grade_label": scoring.GRADE_LABELS[res.final_grade],
            "reasons": res.reasons,
        },
    )
