"""Pure rules of the department reports (no ORM): periods, deadlines, lateness, the
reporting rate, and the one way a typed figure becomes a count. Table-tested at every
boundary in tests/test_rules.py.

A data set is reported once per period by every region node of its level (DHIS2's data set
"expected reports"). A period is stored as the date of its first day; its deadline is a day
of the month after the period ends (policy data on the data set, e.g. the 10th as in
民政统计 monthly reports).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from yanglao.reporting.choices import PeriodType

MONTHS = {PeriodType.MONTHLY: 1, PeriodType.QUARTERLY: 3, PeriodType.YEARLY: 12}
MAX_COUNT = 10_000_000  # no county has more people than this: a larger figure is a typo
KEEP_YEARS = 3  # periods older than this are closed for entry


def _ascii_digits(raw: str) -> str:
    """Full-width digits and letters (what a Chinese IME types) → ASCII; spaces removed."""
    out = []
    for ch in raw.strip():
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        elif ch == "\u3000":
            continue
        if not ch.isspace():
            out.append(ch)
    return "".join(out)


def add_months(first: date, n: int) -> date:
    y, m = divmod(first.year * 12 + first.month - 1 + n, 12)
    return date(y, m + 1, 1)


def period_start(kind: str, d: date) -> date:
    """The first day of the period of `kind` that contains `d`."""
    step = MONTHS[PeriodType(kind)]
    return date(d.year, (d.month - 1) // step * step + 1, 1)


def period_end(kind: str, start: date) -> date:
    last = add_months(start, MONTHS[PeriodType(kind)] - 1)
    return last.replace(day=calendar.monthrange(last.year, last.month)[1])


def shift(kind: str, start: date, n: int) -> date:
    return add_months(start, n * MONTHS[PeriodType(kind)])


def period_key(kind: str, start: date) -> str:
    """'2026-10', '2026-Q3' or '2026' (URLs, the API, the statistics module)."""
    if kind == PeriodType.MONTHLY:
        return f"{start:%Y-%m}"
    if kind == PeriodType.QUARTERLY:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def period_label(kind: str, start: date) -> str:
    """'2026年10月', '2026年第3季度', '2026年' (what pages show)."""
    if kind == PeriodType.MONTHLY:
        return f"{start.year}年{start.month}月"
    if kind == PeriodType.QUARTERLY:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年"


_QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4}


def parse_period(kind: str, raw: str) -> date | None:
    """The first day of the period written `raw`, else None. Accepts what pages and people
    write: '2026-10', '2026年10月', '2026/10'; '2026-Q3', '2026Q3', '2026年第3季度',
    '2026年第三季度'; '2026', '2026年'. Full-width digits are normalised."""
    text = _ascii_digits(raw[:20]).upper()
    for word, n in _QUARTER_WORDS.items():
        text = text.replace(f"第{word}季度", f"Q{n}")
    text = text.replace("第", "Q").replace("季度", "").replace("年", "-").replace("月", "")
    text = text.replace("/", "-").replace(".", "-").rstrip("-")
    year = month = None
    if kind == PeriodType.MONTHLY:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if m:
            year, month = int(m[1]), int(m[2])
    elif kind == PeriodType.QUARTERLY:
        m = re.fullmatch(r"(\d{4})-?Q([1-4])", text)
        if m:
            year, month = int(m[1]), (int(m[2]) - 1) * 3 + 1
    elif kind == PeriodType.YEARLY:
        m = re.fullmatch(r"(\d{4})", text)
        if m:
            year, month = int(m[1]), 1
    if year is None or month is None or not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def due_date(kind: str, start: date, due_day: int) -> date:
    """The last day to report the period: `due_day` of the month after the period ends
    (clamped to that month's length)."""
    month = add_months(start, MONTHS[PeriodType(kind)])
    return month.replace(day=min(due_day, calendar.monthrange(month.year, month.month)[1]))


def last_complete(kind: str, today: date) -> date:
    """The newest period that has ended by `today` (the one to report now)."""
    return shift(kind, period_start(kind, today), -1)


def period_errors(kind: str, start: date | None, today: date) -> list[str]:
    """Only ended periods may be reported, and not older than KEEP_YEARS."""
    if start is None:
        example = period_label(kind, last_complete(kind, today))
        return [f"报告期格式不对，应写作“{example}”"]
    if start > last_complete(kind, today):
        return ["报告期尚未结束，结束后才能报送"]
    if start < date(today.year - KEEP_YEARS, 1, 1):
        return [f"只能报送最近{KEEP_YEARS}年内的数据"]
    return []


@dataclass(frozen=True)
class Timeliness:
    state: str  # "on_time" | "late" | "missing_overdue" | "not_due"
    days_late: int

    @property
    def label(self) -> str:
        return {
            "on_time": "按时报送",
            "late": f"迟报{self.days_late}天",
            "missing_overdue": f"逾期未报{self.days_late}天",
            "not_due": "未到截止日期",
        }[self.state]

    @property
    def is_late(self) -> bool:
        return self.state in ("late", "missing_overdue")


def timeliness(due: date, submitted_on: date | None, today: date) -> Timeliness:
    """A report submitted on the due date is on time; the day after is one day late. A report
    still missing is overdue from the day after the due date."""
    if submitted_on is not None:
        late = (submitted_on - due).days
        return Timeliness("late", late) if late > 0 else Timeliness("on_time", 0)
    overdue = (today - due).days
    return Timeliness("missing_overdue", overdue) if overdue > 0 else Timeliness("not_due", 0)


def reporting_rate(expected: int, received: int) -> Decimal | None:
    """Received ÷ expected in %, one decimal (half up); None when nothing is expected."""
    if expected <= 0:
        return None
    value = Decimal(min(received, expected) * 100) / Decimal(expected)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


_CHINESE_NUMERALS = set("〇零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟")


def parse_count(raw: str) -> tuple[int | None, str | None]:
    """A non-negative whole number typed by a person → (value, None), or (None, Chinese
    reason). Full-width digits and thousands separators (1,234 / 1，234) are accepted; empty
    is (None, None): the caller decides whether the figure is required."""
    if len(raw) > 40:
        return None, "数字过长"
    text = _ascii_digits(raw).replace(",", "").replace("、", "")
    if not text:
        return None, None
    if any(c in _CHINESE_NUMERALS for c in text):
        return None, "请用阿拉伯数字填写（如 120）"
    if text.startswith("-") and text[1:].replace(".", "", 1).isdigit():
        return None, "不能为负数"
    if re.fullmatch(r"\d+\.\d+", text):
        if set(text.split(".")[1]) == {"0"}:
            text = text.split(".")[0]
        else:
            return None, "应为整数（人数、户数、部数不能有小数）"
    if not (text.isascii() and text.isdigit()):
        return None, "应为不小于0的整数"
    value = int(text)
    if value > MAX_COUNT:
        return None, f"数值过大（不超过{MAX_COUNT:,}）"
    return value, None


def approver_level(report_level: int) -> int:
    """The level that approves a report: the one directly above (county approves a
    township's report, township a village's). Province reports have no approver here."""
    return report_level - 1
