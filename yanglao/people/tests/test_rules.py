"""check_person at its boundaries: rare characters in names (GB 18030-2022), every text
field's length against its column (an over-long value fails its own line, never the database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from yanglao.people import rules
from yanglao.people.models import EmergencyContact, Household, Person
from yanglao.people.rules import ContactInput
from yanglao.people.testing import person_input

TODAY = date(2026, 11, 23)


def _check(**overrides: object) -> dict[str, list[str]]:
    data = replace(person_input("220102001001"), **overrides)  # type: ignore[arg-type]
    return rules.check_person(data, today=TODAY)[1]


@pytest.mark.parametrize(
    "name",
    [
        "𠀀",  # U+20000, first of Extension B
        "王𠀀",
        "李〇",  # U+3007 IDEOGRAPHIC NUMBER ZERO, used in names
        "𪚥",  # U+2A6A5 (Ext. B)
        "张\U0002b740",  # Ext. D
        "陈\U00030000",  # Ext. G (plane 3)
        "刘\U00031350",  # Ext. H
        "\uf900丽",  # CJK compatibility ideograph
        "㐀",  # Ext. A
        "阿依古丽·买买提",
        "王" * 30,
    ],
)
def test_names_with_rare_characters_are_accepted(name: str) -> None:
    assert "name" not in _check(name=name)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("王" * 31, "不超过30个字"),
        ("王2", "不能含有数字"),
        ("王٣", "不能含有数字"),  # Arabic-Indic three
        ("王😀", "只能包含汉字"),
        ("王\U000e0100", "只能包含汉字"),  # variation selector alone
        ("", "请填写姓名"),
    ],
)
def test_names_refused(name: str, message: str) -> None:
    assert message in " ".join(_check(name=name).get("name", []))


def _max(model: Any, field: str) -> int:
    return int(model._meta.get_field(field).max_length)


@pytest.mark.parametrize(
    ("field", "limit", "make"),
    [
        ("name", _max(Person, "name"), lambda n: {"name": "王" * n}),
        ("address", _max(Person, "address"), lambda n: {"address": "路" * n}),
        ("household_no", _max(Household, "household_no"), lambda n: {"household_no": "H" * n}),
        (
            "contact1_name",
            _max(EmergencyContact, "name"),
            lambda n: {"contacts": [ContactInput("李" * n, "child", "13812345678")]},
        ),
    ],
)
def test_every_text_field_is_refused_before_its_column_overflows(
    field: str, limit: int, make
) -> None:
    """PostgreSQL refuses a value longer than its column with a raw error that aborted the
    whole import; the rules must refuse it first, for that line alone."""
    assert field in _check(**make(limit + 1))
    assert field in _check(**make(limit * 10))
