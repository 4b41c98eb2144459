"""A small visiting world in 南关区 南岭街道 (220102001): two communities, a township officer,
two village workers, and another county's officer (船营区 220204) as the outsider."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from yanglao.accounts.roles import Role
from yanglao.api.tests.conftest import api_client, token_for  # noqa: F401 (fixtures)
from yanglao.people import services as people
from yanglao.people.choices import SYSTEM_CATEGORIES, Category
from yanglao.people.models import Person
from yanglao.people.testing import certificate_for, person_input

V1, V2 = "220102001001", "220102001002"
TOWNSHIP, COUNTY = "220102001", "220102"


@dataclass
class World:
    county: Any
    township: Any
    worker1: Any
    worker2: Any
    outsider: Any
    counter: list[int]

    def person(
        self,
        village: str = V1,
        *,
        name: str = "张秀英",
        tags: tuple[str, ...] = (Category.LIVING_ALONE,),
        tag_start: date = date(2024, 1, 1),
        birth: date = date(1950, 3, 15),  # under 80 in 2026: not 高龄 unless a test says so
        **extra: Any,
    ) -> Person:
        self.counter[0] += 1
        p, _ = people.person_register(
            actor=self.county,
            data=person_input(village, name=name, seq=self.counter[0], birth=birth, **extra),
        )
        for tag in tags:
            if tag == Category.SEVERE_DISABILITY:  # 重残 is derived: a grade 一级 record
                people.disability_add(
                    actor=self.county,
                    person=p,
                    kind="4",
                    grade="1",
                    certificate=certificate_for(p.id_number, "4", "1"),
                    issue_date=tag_start,
                )
                continue
            # 失能 is only ever set by an assessment (system=True), as in production.
            people.person_category_add(
                actor=self.county,
                person=p,
                category=tag,
                start=tag_start,
                system=tag in SYSTEM_CATEGORIES,
            )
        return p


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Closed months' rates are cached; each test builds its own world.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(regions, make_user) -> World:
    return World(
        county=make_user(Role.COUNTY_OFFICER, COUNTY),
        township=make_user(Role.TOWNSHIP_OFFICER, TOWNSHIP),
        worker1=make_user(Role.VISIT_WORKER, V1),
        worker2=make_user(Role.VISIT_WORKER, V2),
        outsider=make_user(Role.COUNTY_OFFICER, "220204"),
        counter=[0],
    )
