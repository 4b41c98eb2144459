"""The C report (老年人能力评估报告) as an A4 PDF in Chinese.

Fonts (embedded CJK font, fallback for rare characters such as 𠀀): yanglao.core.pdf_fonts.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yanglao.assessments import ltc, scoring
from yanglao.assessments.choices import ProviderRelation, Standard
from yanglao.assessments.models import Assessment
from yanglao.core.dates import CN_DATE, fmt_date
from yanglao.core.pdf_fonts import cjk_font, markup, needs_markup


def _styles() -> dict[str, ParagraphStyle]:
    f = cjk_font()
    return {
        "title": ParagraphStyle("t", fontName=f, fontSize=16, leading=22, alignment=1),
        "h": ParagraphStyle("h", fontName=f, fontSize=11, leading=16, spaceBefore=6),
        "p": ParagraphStyle("p", fontName=f, fontSize=10, leading=14),
    }


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    cell = ParagraphStyle("cell", fontName=cjk_font(), fontSize=10, leading=14)
    rows = [
        [Paragraph(markup(v), cell) if isinstance(v, str) and needs_markup(v) else v for v in r]
        for r in rows
    ]
    t = Table(rows, colWidths=widths)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), cjk_font(), 10),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
            ]
        )
    )
    return t


def _name(user: Any) -> str:
    return (getattr(user, "full_name", "") or getattr(user, "username", "")) if user else ""


def render_report(a: Assessment, *, grade_label: str) -> bytes:
    s = _styles()
    buf = BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"老年人能力评估报告 {a.number}",
        author="养老服务平台",
    )
    p = a.person
    story: list[Any] = [
        Paragraph("老年人能力评估报告", s["title"]),
        Spacer(1, 4 * mm),
        Paragraph(
            f"评估编号：{markup(a.number)}　评估基准日期：{fmt_date(a.assessment_date, CN_DATE)}　"
            f"评估原因：{a.get_reason_display()}",
            s["p"],
        ),
        Paragraph(
            f"姓名：{markup(p.name)}　性别：{p.get_sex_display()}　出生日期：{fmt_date(p.birth_date, CN_DATE)}　"
            f"身份证号码：{p.id_number_masked}",
            s["p"],
        ),
        Paragraph(f"评估标准：{a.get_standard_display()}（规则版本 {a.config_version}）", s["p"]),
        Spacer(1, 3 * mm),
    ]
    w = doc.width
    if a.standard == Standard.LTC_2021:
        grades = a.detail.get("dimension_grades", {})
        rows = [
            [
                f"{title}得分",
                f"{a.subtotals.get(k, '')} / {m}",
                ltc.DIMENSION_GRADES.get(grades.get(k, -1), ""),
            ]
            for k, (title, m) in ltc.DIMENSIONS.items()
        ]
        rows.append(["长期护理失能等级", grade_label, ""])
        story += [_table(rows, [w * 0.4, w * 0.3, w * 0.3])]
        story.append(Paragraph("注：分级界值与组合表为试行/待核配置。", s["p"]))
    else:
        rows = [
            [f"C.1.{n} {d.label}得分", f"{a.subtotals.get(d.key, '')} / {d.max_points}"]
            for n, d in enumerate(scoring.DIMENSIONS, start=1)
        ]
        prelim = (
            scoring.GRADE_LABELS[a.preliminary_grade]
            if a.preliminary_grade is not None
            else "不适用"
        )
        reasons = "；".join(scoring.REASON_LABELS.get(r, r) for r in a.reasons) or "无"
        rows += [
            ["C.2 老年人能力总得分", str(a.total) if a.total is not None else "不适用（昏迷）"],
            ["C.3 老年人能力初步等级", prelim],
            ["C.4 能力等级变更依据", Paragraph(markup(reasons), s["p"])],
            ["C.5 老年人能力最终等级", grade_label],
        ]
        story += [_table(rows, [w * 0.45, w * 0.55])]
    story += [Spacer(1, 6 * mm), _table(signature_rows(a), [w * 0.3, w * 0.7])]
    doc.build(story)
    return buf.getvalue()


def signature_rows(a: Assessment) -> list[list[str]]:
    """The signature block: place, both assessors and the informant, each with the local day
    they signed (the confirming assessor's day is the local day of `confirmed_at`)."""
    relation = (
        ProviderRelation(a.provider_relation).label
        if a.provider_relation in ProviderRelation.values
        else ""
    )
    assessed = fmt_date(a.assessment_date, CN_DATE)
    confirmed = fmt_date(a.confirmed_at or a.assessment_date, CN_DATE)
    return [
        ["评估地点", a.location or ""],
        ["评估员签名", f"{_name(a.assessor)}　　日期：{assessed}"],
        ["评估员签名", f"{_name(a.confirmer)}　　日期：{confirmed}"],
        ["信息提供者签名", f"{a.provider_name}（{relation}）　　日期：{assessed}"],
    ]
