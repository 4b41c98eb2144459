"""Pure rules of 意见建议反馈, table-driven at every boundary."""

from __future__ import annotations

from datetime import date

import pytest

from yanglao.feedback import rules
from yanglao.feedback.rules import PolicyRow


@pytest.mark.parametrize(
    ("submitted", "days", "due"),
    [
        (date(2026, 11, 30), 15, date(2026, 12, 21)),  # Monday + 15 working days
        (date(2026, 11, 28), 15, date(2026, 12, 18)),  # submitted on a Saturday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday → next Monday
        (date(2026, 11, 30), 5, date(2026, 12, 7)),
    ],
)
def test_answer_due_counts_working_days(submitted: date, days: int, due: date) -> None:
    assert rules.answer_due(submitted, days) == due


def test_answer_due_skips_listed_holidays() -> None:
    assert rules.answer_due(date(2026, 12, 30), 1, {date(2026, 12, 31): False}) == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("due", "answered", "today", "days"),
    [
        (date(2026, 12, 21), None, date(2026, 12, 21), 0),  # due today: not overdue
        (date(2026, 12, 21), None, date(2026, 12, 22), 1),
        (date(2026, 12, 21), None, date(2027, 1, 20), 30),
        (date(2026, 12, 21), date(2026, 12, 21), date(2027, 1, 20), 0),  # answered in time
        (date(2026, 12, 21), date(2026, 12, 24), date(2027, 1, 20), 3),  # answered late
    ],
)
def test_overdue_days(due: date, answered: date | None, today: date, days: int) -> None:
    assert rules.overdue_days(due, answered, today) == days


ON = date(2026, 11, 30)
CHAIN = [None, "220000000000", "220100000000", "220102000000", "220102001000"]


@pytest.mark.parametrize(
    ("rows", "days"),
    [
        ([], 15),  # the shipped default
        ([PolicyRow(None, 15, date(2020, 1, 1))], 15),
        ([PolicyRow(None, 20, date(2020, 1, 1))], 20),  # a national row replaces the default
        ([PolicyRow("220000000000", 10, date(2026, 1, 1), "吉")], 10),  # a province shortens
        ([PolicyRow("220102000000", 30, date(2026, 1, 1))], 15),  # a county cannot lengthen
        ([PolicyRow("220000000000", 10, date(2026, 12, 1))], 15),  # not yet in force
        (
            [
                PolicyRow("220000000000", 10, date(2025, 1, 1)),
                PolicyRow("220000000000", 12, date(2026, 1, 1)),  # the newest row of a level
            ],
            12,
        ),
        ([PolicyRow("220200000000", 5, date(2026, 1, 1))], 15),  # another city's rule
    ],
)
def test_working_days_for(rows: list[PolicyRow], days: int) -> None:
    assert rules.working_days_for(rows, CHAIN, ON)[0] == days


def test_reference_round_trip() -> None:
    ref = rules.new_reference(date(2026, 11, 30))
    assert ref.startswith("FK2611") and len(ref) == 14 and rules.reference_ok(ref)
    typed = " " + ref.lower()[:6] + "-" + ref[6:].lower() + " "
    assert rules.normalise_reference(typed) == ref
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in ref)
    assert rules.normalise_reference(full_width) == ref


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("FK2611AB12CD34", True),
        ("FK2611AB12CD3", False),  # 13
        ("FK2611AB12CD345", False),  # 15
        ("XX2611AB12CD34", False),
        ("FK26110B12CD34", True),
        ("FK2611ab12cdO4", True),  # lower case, O read as 0
        ("", False),
        ("FK2611AB12CD3\x00", False),
    ],
)
def test_reference_ok(raw: str, ok: bool) -> None:
    assert rules.reference_ok(rules.normalise_reference(raw)) is ok


@pytest.mark.parametrize(
    ("phone", "typed", "ok"),
    [
        ("", "", True),  # no phone: the reference alone
        ("", "1234", True),
        ("13812345678", "5678", True),
        ("13812345678", "５６７８", True),  # full-width digits
        ("13812345678", "", False),
        ("13812345678", "5679", False),
        ("13812345678", "678", False),
    ],
)
def test_lookup_allowed(phone: str, typed: str, ok: bool) -> None:
    assert rules.lookup_allowed(phone, rules.last4(typed)) is ok


@pytest.mark.parametrize(("recent", "limited"), [(0, False), (4, False), (5, True), (50, True)])
def test_rate_limited(recent: int, limited: bool) -> None:
    assert rules.rate_limited(recent) is limited


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        ("养老院伙食差", []),
        ("𠀀𠀀王〇先生反映", []),  # rare characters are real names and words
        ("太差", ["内容至少5个字"]),
        ("好" * 2000, []),
        ("好" * 2001, ["内容不能超过2000个字（现为2,001个字）"]),
        ("私用区字符\ue000", ["内容含有无法显示的字符，请删除后再提交"]),
    ],
)
def test_text_errors(text: str, errors: list[str]) -> None:
    assert rules.text_errors("内容", text, 5, 2000) == errors
