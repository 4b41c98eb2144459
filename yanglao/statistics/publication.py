"""The monthly bulletin (统计月报, issue 13 part 5): its tables, xlsx and PDF.

Everything comes from the bulletin's one frozen snapshot version, and every file says which
(period, version, computed on): a published figure is traceable to it. Bulletins are public,
so counts of 1–4 people are shown as "<5" (rules.SMALL_CELL), and so is a rate whose
numerator or denominator is such a count.

PDF: reportlab with the embedded CJK font of yanglao.core.pdf_fonts (as the assessment
report); no font file ships with the project.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from yanglao.core.dates import fmt_date, fmt_datetime
from yanglao.core.sheets import write_xlsx
from yanglao.regions.models import Region
from yanglao.statistics import catalogue, rules, selectors
from yanglao.statistics.catalogue import Indicator
from yanglao.statistics.models import Bulletin, BulletinKind, Snapshot, SnapshotValue


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


def sources_line(snaps: Sequence[Snapshot]) -> str:
    """Every version a bulletin's figures come from (one for a month, three for a quarter)."""
    if len(snaps) == 1:
        return source_line(snaps[0])
    parts = "、".join(f"{s.period:%Y-%m} 第{s.version}版" for s in snaps)
    return f"数据来源：统计快照 {parts}（各月已冻结；期末数取最后一个月，当月发生数按三个月合计）"


def tables(region: Region, snap: Snapshot, earlier: Sequence[Snapshot] = ()) -> Tables:
    """The public indicators of every available theme at the region and each child. With
    `earlier` months (a quarter's first two), an indicator of what happened in a month (flow)
    adds every month's numerator and denominator; a state at the month's end is the last
    month's."""
    kids = selectors.children_of(region)
    nodes = [region, *kids]
    inds = [i for i in catalogue.CATALOGUE if i.public and i.available]
    flows = {i.code for i in inds if i.flow}
    rows = SnapshotValue.objects.filter(
        snapshot__in=[snap, *earlier],
        indicator__in=[i.code for i in inds],
        region_code__in=[n.code for n in nodes],
        breakdown="",
    ).values_list("snapshot_id", "indicator", "region_code", "numerator", "denominator")
    cells: dict[tuple[str, str], tuple[int | None, int | None]] = {}
    for sid, i, r, num, den in rows:
        if sid != snap.pk and i not in flows:
            continue  # a state: the last month's only
        n: int | None = num
        d: int | None = den
        if (i, r) in cells and i in flows:
            n0, d0 = cells[(i, r)]
            n = (n0 or 0) + (num or 0)
            d = None if den is None and d0 is None else (d0 or 0) + (den or 0)
        cells[(i, r)] = (n, d)
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
    return Tables(region, names, sections, sources_line([*earlier, snap]))


def bulletin_tables(bulletin: Bulletin) -> Tables:
    earlier: list[Snapshot] = []
    if bulletin.kind == BulletinKind.QUARTER:
        by_id = Snapshot.objects.in_bulk(bulletin.sources)
        earlier = [by_id[i] for i in bulletin.sources if i != bulletin.snapshot_id and i in by_id]
    return tables(bulletin.region, bulletin.snapshot, earlier)


def quarter_of(period: date) -> int:
    return (period.month - 1) // 3 + 1


def title_of(region: Region, snap: Snapshot, kind: str = BulletinKind.MONTH) -> str:
    if kind == BulletinKind.QUARTER:
        return (
            f"{region.name}{snap.period.year}年第{quarter_of(snap.period)}季度基本养老服务统计季报"
        )
    return f"{region.name}{snap.period.year}年{snap.period.month}月基本养老服务统计月报"


def xlsx(bulletin: Bulletin) -> bytes:
    """One sheet: a row per indicator (its code traces the definition), a column per region;
    the last row names the snapshot version every figure comes from."""
    t = bulletin_tables(bulletin)
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
    write_xlsx(out, header, rows, sheet_name=bulletin.get_kind_display(), footer=footer)
    return out.getvalue()


def pdf(bulletin: Bulletin) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from yanglao.core.pdf_fonts import cjk_font

    font = cjk_font()
    t = bulletin_tables(bulletin)
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
