from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from yanglao.accounts.roles import Role
from yanglao.assessments import scoring
from yanglao.people import services as people_services
from yanglao.people.models import Person
from yanglao.people.testing import person_input

VILLAGE = "220102001001"
FULL: dict[str, int] = {i.code: i.max_points for i in scoring.ITEMS}


@pytest.fixture
def officer(regions: None, make_user: Callable[..., Any]) -> Any:
    return make_user(Role.COUNTY_OFFICER, "220102")


@pytest.fixture
def person(officer: Any) -> Person:
    p, _ = people_services.person_register(actor=officer, data=person_input(VILLAGE, name="李桂兰"))
    return p


@pytest.fixture
def assessor_a(make_user: Callable[..., Any], regions: None) -> Any:
    return make_user(Role.ASSESSOR, "220102", mode="search", username="assessor_a")


@pytest.fixture
def assessor_b(make_user: Callable[..., Any], regions: None) -> Any:
    return make_user(Role.ASSESSOR, "220102", mode="search", username="assessor_b")
