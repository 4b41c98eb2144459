from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from yanglao.accounts.models import User
from yanglao.accounts.roles import Role
from yanglao.community.models import Facility, Provider
from yanglao.community.programmes.testing import make_provider, make_site
from yanglao.people import services as people
from yanglao.people.models import Person
from yanglao.people.testing import person_input

VILLAGE = "220102001001"
OTHER_COUNTY_VILLAGE = "220204001001"


@dataclass
class World:
    county: User
    worker: User
    outsider: User
    provider: Provider
    site: Facility
    people: list[Person]

    def tag(self, person: Person, category: str, start: date = date(2024, 1, 1)) -> None:
        people.person_category_add(actor=self.county, person=person, category=category, start=start)


@pytest.fixture
def world(regions: None, make_user: Callable[..., Any], settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path
    county = make_user(Role.COUNTY_OFFICER, "220102")
    worker = make_user(Role.VISIT_WORKER, VILLAGE)
    outsider = make_user(Role.COUNTY_OFFICER, "220204")
    persons = [
        people.person_register(actor=county, data=person_input(VILLAGE, name=name, seq=i + 1))[0]
        for i, name in enumerate(["王桂兰", "李淑珍", "刘凤英", "陈玉梅"])
    ]
    provider = make_provider()
    site = make_site(provider, VILLAGE)
    return World(county, worker, outsider, provider, site, persons)
