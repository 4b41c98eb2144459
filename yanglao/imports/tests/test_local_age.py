"""The minimum age in force for the person's own village (imports.rules.below_local_age)."""

from __future__ import annotations

from datetime import date

import pytest

from yanglao.imports.rules import below_local_age
from yanglao.people.testing import person_input

TODAY = date(2026, 11, 30)
LOCAL = {"220102001001": 55}  # a village whose policy admits registrants from 55


def min_age_for(region_code: str) -> int:
    return LOCAL.get(region_code, 60)


@pytest.mark.parametrize(
    ("village", "birth", "reason"),
    [
        ("220204001001", date(1966, 11, 30), None),  # 60 today
        ("220204001001", date(1966, 12, 1), "未满60周岁，不能登记为老年人（现59岁）"),
        ("220102001001", date(1971, 11, 30), None),  # 55 today, local policy
        ("220102001001", date(1971, 12, 1), "未满55周岁，不能登记为老年人（现54岁）"),
        ("220204001001", None, None),  # no date: the row's own check reports it
    ],
)
def test_below_local_age(village: str, birth: date | None, reason: str | None) -> None:
    data = person_input(village)
    data.birth_date = birth
    assert below_local_age(data, min_age_for, TODAY) == reason
