"""A small institution world in 南关区 (220102): a county officer, an operator bound to one
home, another home's operator, another county's officer (船营区 220204) as the outsider."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from yanglao.accounts.roles import Role
from yanglao.api.tests.conftest import api_client, token_for  # noqa: F401 (fixtures)
from yanglao.institutions import services
from yanglao.institutions.models import Institution
from yanglao.institutions.rules import credit_check_char
from yanglao.people import services as people
from yanglao.people.models import Person
from yanglao.people.testing import person_input

V1, V2 = "220102001001", "220102002001"
OTHER_COUNTY_VILLAGE = "220204001001"
TODAY = date(2026, 11, 30)


def credit_code(seq: int, authority: str = "5", area: str = "220102") -> str:
    first17 = f"{authority}2{area}MJ{seq:07d}"[:17]
    return first17 + credit_check_char(first17)


def institution_input(seq: int = 1, village: str = V1, **extra: Any) -> services.InstitutionInput:
    data = services.InstitutionInput(
        credit_code=credit_code(seq, area=village[:6]),
        name=f"南关区幸福养老院{seq}",
        ownership="private",
        profit="nonprofit",
        legal_rep="王建国",
        region_code=village,
        address="幸福路88号",
        beds_total=100,
        beds_nursing=60,
        beds_dementia=10,
    )
    for k, v in extra.items():
        setattr(data, k, v)
    return data


@dataclass
class World:
    county: Any
    operator: Any
    other_operator: Any
    outsider: Any
    worker: Any
    home: Institution
    other_home: Institution
    counter: list[int]

    def person(self, village: str = V1, **extra: Any) -> Person:
        self.counter[0] += 1
        p, _ = people.person_register(
            actor=self.county, data=person_input(village, seq=self.counter[0], **extra)
        )
        return p


@pytest.fixture
def world(regions: None, make_user: Callable[..., Any]) -> World:
    county = make_user(Role.COUNTY_OFFICER, "220102")
    operator = make_user(Role.INSTITUTION_OPERATOR, "220102", mode="stats")
    other_operator = make_user(Role.INSTITUTION_OPERATOR, "220102", mode="stats")
    home = services.institution_register(actor=county, data=institution_input(1))
    other = services.institution_register(actor=county, data=institution_input(2, V2))
    services.operator_bind(actor=county, institution=home, user=operator)
    services.operator_bind(actor=county, institution=other, user=other_operator)
    return World(
        county=county,
        operator=operator,
        other_operator=other_operator,
        outsider=make_user(Role.COUNTY_OFFICER, "220204"),
        worker=make_user(Role.VISIT_WORKER, V1),
        home=home,
        other_home=other,
        counter=[0],
    )


# 双随机 and inspection (parts 5–6): the `sup` fixture over `world`.
from yanglao.institutions.tests.supervision_world import sup  # noqa: E402, F401 (fixture)
