"""The C report (老年人能力评估报告) as an A4 PDF in Chinese.

Font: a CJK TrueType font installed from Debian's registry (`fonts-wqy-zenhei`, which
`.ci/run` installs; override with YANGLAO_PDF_FONT=/path/to/font.ttf|ttc), embedded as a
subset so the PDF prints the same on any reader. Nothing is downloaded at run time. Where no
such font is installed, reportlab's built-in CID font STSong-Light is named instead and the
reader supplies the glyphs (poppler needs poppler-data).

Rare characters (GB 18030-2022: CJK Extension B and beyond, such as 𠀀, common in older
people's names) are missing from WenQuanYi and Noto CJK. Each character the report font lacks
is set in a fallback font that has it (`fonts-babelstone-han`, BabelStone Han, 14,000+ Ext. B
characters; override with YANGLAO_PDF_FALLBACK_FONT), also embedded as a subset. A character
no installed font has is printed as its code point in brackets, e.g. [U+2B81D], so the name is
never silently wrong (documented limitation, docs/security-input.md).
"""

from __future__ import annotations

import os
from functools import lru_cache
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yanglao.assessments import ltc, scoring
from yanglao.assessments.choices import ProviderRelation, Standard
from yanglao.assessments.models import Assessment
from yanglao.core.dates import CN_DATE, fmt_date

CID_FONT = "STSong-Light"
EMBEDDED = "YanglaoCJK"
FALLBACK = "YanglaoCJKExt"
FALLBACK_CANDIDATES = (
    "/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
)
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@lru_cache(maxsize=1)
def _font() -> str:
    """Register the report font once; an embedded TrueType font when one is installed."""
    configured = os.environ.get("YANGLAO_PDF_FONT")
    for path in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if path and os.path.exists(path):
            pdfmetrics.registerFont(TTFont(EMBEDDED, path, subfontIndex=0))
            return EMBEDDED
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _coverage(name: str) -> frozenset[int] | None:
    """Code points a registered TrueType font has; None for the CID font (BMP assumed)."""
    # The CID font's face has no charToGlyph (a server without the TrueType fonts crashed here).
    cmap = getattr(getattr(pdfmetrics.getFont(name), "face", None), "charToGlyph", None)
    return frozenset(cmap) if cmap is not None else None


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, frozenset[int] | None, frozenset[int]]:
    """(report font, its code points, the fallback font's code points)."""
    main = _font()
    configured = os.environ.get("YANGLAO_PDF_FALLBACK_FONT")
    for path in ([configured] if configured else []) + list(FALLBACK_CANDIDATES):
        if path and os.path.exists(path):
            pdfmetrics.registerFont(TTFont(FALLBACK, path))
            return main, _coverage(main), _coverage(FALLBACK) or frozenset()
    return main, _coverage(main), frozenset()


def markup(text: str) -> str:
    """Paragraph markup for a value: escaped, with each character the report font lacks set in
    the fallback font, and one no installed font has printed as [U+XXXX]."""
    _, main, fallback = _fonts()
    out: list[str] = []
    for ch in str(text):
        cp = ord(ch)
        if (main is None and cp < 0x10000) or (main is not None and cp in main) or ch in "\n\t":
            out.append(escape(ch))
        elif cp in fallback:
            out.append(f'<font name="{FALLBACK}">{escape(ch)}</font>')
        else:
            out.append(f"[U+{cp:04X}]")
    return "".join(out)


def _needs_markup(text: str) -> bool:
    _, main, _ = _fonts()
    return any(
        (ord(ch) >= 0x10000) if main is None else (ord(ch) not in main and ch not in "\n\t")
        for ch in text
    )


def _styles() -> dict[str, ParagraphStyle]:
    f = _font()
    return {
        "title": ParagraphStyle("t", fontName=f, fontSize=16, leading=22, alignment=1),
        "h": ParagraphStyle("h", fontName=f, fontSize=11, leading=16, spaceBefore=6),
        "p": ParagraphStyle("p", fontName=f, fontSize=10, leading=14),
    }


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    cell = ParagraphStyle("cell", fontName=_font(), fontSize=10, leading=14)
    rows = [
        [Paragraph(markup(v), cell) if isinstance(v, str) and _needs_markup(v) else v for v in r]
        for r in rows
    ]
    t = Table(rows, colWidths=widths)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), _font(), 10),
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
