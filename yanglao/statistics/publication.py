"""The monthly bulletin (统计月报, issue 13 part 5): its tables, xlsx and PDF.

Everything comes from the bulletin's one frozen snapshot version, and every file says which
(period, version, computed on): a published figure is traceable to it. Bulletins are public,
so counts of 1–4 people are shown as "<5" (rules.SMALL_CELL), and so is a rate whose
numerator or denominator is such a count.

PDF: reportlab with the embedded CJK font of yanglao.core.pdf_fonts (as the assessment
report); no font file ships with the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from yanglao.core.dates import fmt_date, fmt_datetime
from yanglao.core.sheets import write_xlsx
from yanglao.regions.models import Region
from yanglao.statistics import catalogue, rules, selectors
from yanglao.statistics.catalogue import Indicator
from yanglao.statistics.models import Bulletin, Snapshot, SnapshotValue


@dataclass
class Line:
    indicator: Indicator
    values: list[str]  # the region, then each child


@dataclass
class Section:
    theme: str
    lines: list[Line]


@dataclass
class Tables:
    region: Region
    columns: list[str]  # region names: the region itself, then its children
    sections: list[Section]
    source: str


def public_text(ind: Indicator, numerator: int | None, denominator: int | None) -> str:
    if numerator is None:
        return "0" if not ind.is_ratio else "—"
    if rules.suppress(numerator, ind.people) or (
        ind.is_ratio and rules.suppress(denominator, ind.people)
    ):
        return rules.SUPPRESSED
    return selectors.format_value(ind, numerator, denominator)


def source_line(snap: Snapshot) -> str:
    return (
        f"数据来源：统计快照 {snap.period:%Y-%m} 第{snap.version}版（数据截止 {fmt_date(snap.as_of)}，"
        f"计算于 {fmt_datetime(snap.finished_at) if snap.finished_at else '—'}）"
    )


def tables(region: Region, snap: Snapshot) -> Tables:
    """The public indicators of every available theme at the region and each child."""
    kids = selectors.children_of(region)
    nodes = [region, *kids]
    inds = [i for i in catalogue.CATALOGUE if i.public and i.available]
    rows = SnapshotValue.objects.filter(
        snapshot=snap,
        indicator__in=[i.code for i in inds],
        region_code__in=[n.code for n in nodes],
        breakdown="",
    ).values_list("indicator", "region_code", "numerator", "denominator")
    cells = {(i, r): (n, d) for i, r, n, d in rows}
    sections = []
    for theme, label in catalogue.THEMES.items():
        lines = []
        for ind in (i for i in inds if i.theme == theme):
            values = []
            for node in nodes:
                n, d = cells.get((ind.code, node.code), (None, None))
                values.append(public_text(ind, n, d))
            lines.append(Line(ind, values))
        if lines:
            sections.append(Section(label, lines))
    names = [region.name, *((k.short_name or k.name) for k in kids)]
    return Tables(region, names, sections, source_line(snap))


def title_of(region: Region, snap: Snapshot) -> str:
    return f"{region.name}{snap.period.year}年{snap.period.month}月基本养老服务统计月报"


def xlsx(bulletin: Bulletin) -> bytes:
    """One sheet: a row per indicator (its code traces the definition), a column per region;
    the last row names the snapshot version every figure comes from."""
    t = tables(bulletin.region, bulletin.snapshot)
    header = ["类别", "指标", "指标代码", "单位", *t.columns, "口径"]
    rows = [
        [
            section.theme,
            line.indicator.name,
            line.indicator.code,
            "元" if line.indicator.money else line.indicator.unit,
            *line.values,
            line.indicator.definition,
        ]
        for section in t.sections
        for line in section.lines
    ]
    footer = [f"{bulletin.title}。{t.source}。涉及人数少于5人的数字以“<5”表示。"]
    out = BytesIO()
    write_xlsx(out, header, rows, sheet_name="统计月报", footer=footer)
    return out.getvalue()


def pdf(bulletin: Bulletin) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from yanglao.core.pdf_fonts import cjk_font

    font = cjk_font()
    t = tables(bulletin.region, bulletin.snapshot)
    title = ParagraphStyle("t", fontName=font, fontSize=15, leading=20, spaceAfter=4)
    body = ParagraphStyle("b", fontName=font, fontSize=8, leading=11)
    small = ParagraphStyle("s", fontName=font, fontSize=7, leading=9)
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=bulletin.title,
    )
    story: list[object] = [
        Paragraph(bulletin.title, title),
        Paragraph(t.source, body),
        Paragraph("涉及人数少于5人的数字以“&lt;5”表示。", body),
        Spacer(1, 4 * mm),
    ]
    # At most 10 region columns per table; more children continue in the next table.
    width = 10
    groups = [
        list(range(i, min(i + width, len(t.columns)))) for i in range(0, len(t.columns), width)
    ]
    for cols in groups:
        data = [[Paragraph("指标", small), *[Paragraph(t.columns[c], small) for c in cols]]]
        style = [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 7),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ]
        for section in t.sections:
            style.append(
                ("BACKGROUND", (0, len(data)), (-1, len(data)), colors.HexColor("#f7f7f7"))
            )
            data.append([Paragraph(section.theme, small), *["" for _ in cols]])
            for line in section.lines:
                ind = line.indicator
                unit = "元" if ind.money else ind.unit
                data.append(
                    [Paragraph(f"{ind.name}（{unit}）", small), *[line.values[c] for c in cols]]
                )
        table = Table(data, colWidths=[60 * mm, *[20 * mm for _ in cols]], repeatRows=1)
        table.setStyle(TableStyle(style))
        story += [table, Spacer(1, 5 * mm)]
    doc.build(story)
    return out.getvalue()
