"""Parsing of the one-page assessment form into AssessmentData (no scoring here)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict

from yanglao.assessments import ltc, scoring
from yanglao.assessments.choices import (
    DISEASES,
    HEALTH_CHOICES,
    HEALTH_MULTI,
    HEALTH_TEXT,
    ProviderRelation,
    Reason,
    Standard,
)
from yanglao.assessments.services import AssessmentData

DIAGNOSIS_ROWS = 2
MEDICATION_ROWS = 4


@dataclass
class Option:
    points: int
    label: str


@dataclass
class FormItem:
    code: str
    label: str
    options: list[Option]
    value: Any


@dataclass
class Group:
    key: str
    title: str
    max_points: int
    items: list[FormItem]


def groups(standard: str, values: dict[str, Any]) -> list[Group]:
    """The B items grouped as the standard groups them, with the stored answers."""
    if standard == Standard.LTC_2021:
        return [
            Group(
                key,
                f"{title}（0～{maximum}分）",
                maximum,
                [
                    FormItem(
                        i.code,
                        i.label,
                        [Option(p, f"{p}分") for p in sorted(i.allowed, reverse=True)],
                        values.get(i.code),
                    )
                    for i in ltc.ITEMS
                    if i.dimension == key
                ],
            )
            for key, (title, maximum) in ltc.DIMENSIONS.items()
        ]
    return [
        Group(
            d.key,
            f"{d.prefix} {d.label}（0～{d.max_points}分）",
            d.max_points,
            [
                FormItem(i.code, i.label, [Option(p, t) for p, t in i.options], values.get(i.code))
                for i in scoring.ITEMS
                if i.dimension == d.key
            ],
        )
        for d in scoring.DIMENSIONS
    ]


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def parse(post: QueryDict, standard: str) -> AssessmentData:
    codes = (
        [i.code for i in ltc.ITEMS] if standard == Standard.LTC_2021 else list(scoring.ITEM_CODES)
    )
    items = {c: v for c in codes if (v := _int(post.get(c))) is not None}
    risk = {k: _int(post.get(f"risk_{k}")) or 0 for k in scoring.RISK_TYPES}
    diagnoses = []
    for n in range(1, DIAGNOSIS_ROWS + 1):
        icd = (post.get(f"dx_icd_{n}") or "").strip().upper()
        if icd:
            diagnoses.append(
                {
                    "icd": icd[:10],
                    "diagnosed_by": post.get(f"dx_by_{n}") or "unknown",
                    "confirmed": post.get(f"dx_confirmed_{n}") == "on",
                }
            )
    medications = []
    for n in range(1, MEDICATION_ROWS + 1):
        row = {
            k: (post.get(f"med_{k}_{n}") or "").strip()[:50]
            for k in ("name", "method", "dose", "frequency")
        }
        if row["name"]:
            medications.append(row)
    health: dict[str, Any] = {}
    for key, _, options in HEALTH_CHOICES:
        choice = post.get(f"h_{key}") or ""
        if choice in options:
            health[key] = choice
    for key, _, options in HEALTH_MULTI:
        health[key] = [v for v in post.getlist(f"h_{key}") if v in options]
    for key, _ in HEALTH_TEXT:
        text = (post.get(f"h_{key}") or "").strip()[:200]
        if text:
            health[key] = text
    when = None
    raw_date = post.get("assessment_date") or ""
    try:
        when = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        when = None
    phone = post.get("contact_phone")
    return AssessmentData(
        assessment_date=when,
        location=(post.get("location") or "").strip(),
        height_cm=(post.get("height_cm") or "").strip(),
        weight_kg=(post.get("weight_kg") or "").strip(),
        religion=post.get("religion") or "",
        risk_events=risk,
        provider_name=(post.get("provider_name") or "").strip(),
        provider_relation=post.get("provider_relation") or "",
        contact_name=(post.get("contact_name") or "").strip(),
        contact_phone=phone.strip() if phone else None,
        diseases=[d for d in post.getlist("diseases") if d],
        diagnoses=diagnoses,
        medications=medications,
        health=health,
        coma=post.get("coma") == "on",
        b39_state=post.get("b39_state") or "",
        items=items,
    )


CONTEXT: dict[str, Any] = {
    "reasons": Reason.choices,
    "standards": Standard.choices,
    "relations": ProviderRelation.choices,
    "diseases": DISEASES,
    "health_choices": HEALTH_CHOICES,
    "health_multi": HEALTH_MULTI,
    "health_text": HEALTH_TEXT,
    "risk_types": list(scoring.RISK_TYPES.items()),
    "risk_counts": list(scoring.RISK_COUNTS.items()),
    "b39_states": [(k, v[0]) for k, v in scoring.B39_STATES.items()],
    "diagnosed_by": list(scoring.DIAGNOSED_BY.items()),
    "diagnosis_rows": range(1, DIAGNOSIS_ROWS + 1),
    "medication_rows": range(1, MEDICATION_ROWS + 1),
}


def config_json(data: dict[str, Any], *, editable_only: bool = True) -> str:
    """A configuration as indented JSON; by default only the part edited in the JSON box
    (version, status and note are form fields of their own)."""
    if editable_only:
        data = {k: v for k, v in data.items() if k not in ("version", "status", "note")}
    return json.dumps(data, ensure_ascii=False, indent=2)


def config_tables(data: dict[str, Any]) -> dict[str, Any]:
    """Bands per dimension and the combination matrix, labelled for display."""
    bands = [
        (label, [(low, ltc.DIMENSION_GRADES.get(g, g)) for low, g in data["bands"][dim]])
        for dim, (label, _) in ltc.DIMENSIONS.items()
    ]
    matrix = [
        (ltc.DIMENSION_GRADES.get(i, i), [ltc.GRADE_LABELS.get(g, g) for g in row])
        for i, row in enumerate(data["matrix"])
    ]
    return {"bands": bands, "matrix": matrix, "columns": list(ltc.DIMENSION_GRADES.values())}


class ConfigForm(forms.Form):
    """A new LTC-2021 bands/matrix version; the structure is checked by ltc.check_config."""

    version = forms.CharField(label="版本", max_length=32, help_text="例如 2021-official-1")
    effective_from = forms.DateField(
        label="生效日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="评估日期在此日及以后的长期护理失能等级评估按此版本评分",
    )
    confirmed = forms.BooleanField(
        label="已核对", required=False, help_text="已与官方文本逐项核对；未勾选则标记为试行/待核"
    )
    note = forms.CharField(label="说明", max_length=200, required=False)
    config = forms.CharField(
        label="配置（JSON）",
        widget=forms.Textarea(attrs={"rows": 18, "class": "mono", "spellcheck": "false"}),
        help_text="bands：各维度 [最低分, 等级]，从高到低；matrix：4×4 组合表，"
        "行为日常生活活动能力等级，列为认知与感知觉沟通中较重者的等级，取值 0–5",
    )

    def clean_config(self) -> dict[str, Any]:
        text = self.cleaned_data["config"]
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近有误"
            ) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError("配置须为 JSON 对象（以 { 开头）")
        try:
            ltc.check_config({**value, "version": self.cleaned_data.get("version") or "-"})
        except ltc.ConfigInvalid as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for name, msgs in errors.items():
            name = "config" if name == "data" else name  # the service's field name
            for msg in msgs:
                self.add_error(name if name in self.fields else None, msg)
