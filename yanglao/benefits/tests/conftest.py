from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from yanglao.accounts.roles import Role
from yanglao.benefits import catalog, rules, services
from yanglao.benefits.models import OverlapRule, ServiceItem
from yanglao.people import services as people_services
from yanglao.people.models import Disability, Person
from yanglao.people.testing import person_input

VILLAGE = "220102001001"
OTHER_VILLAGE = "220204001001"
N06_BANDS = [
    {"band": "80–89周岁", "when": {"kind": "age", "min": 80, "max": 89}, "value": "100"},
    {"band": "90–99周岁", "when": {"kind": "age", "min": 90, "max": 99}, "value": "200"},
    {"band": "100周岁及以上", "when": {"kind": "age", "min": 100}, "value": "500"},
]


@pytest.fixture
def catalog_loaded(regions: None) -> None:
    catalog.seed(ServiceItem, OverlapRule)


@pytest.fixture
def county_officer(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.COUNTY_OFFICER, "220102", username="county_nanguan_t")


@pytest.fixture
def worker(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.VISIT_WORKER, VILLAGE, username="village_t")


@pytest.fixture
def township(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.TOWNSHIP_OFFICER, VILLAGE[:9], username="township_t")


@pytest.fixture
def nanguan_list(catalog_loaded: None, county_officer: Any) -> Any:
    """南关区 sets the 高龄津贴 amounts (the national row leaves them to local levels)."""
    n06 = ServiceItem.objects.get(code="N06", region__isnull=True)
    return services.item_publish(
        actor=county_officer,
        region_code="220102000000",
        data=services.ItemInput(
            code="N06",
            name=n06.name,
            category=n06.category,
            target=n06.target,
            rule=n06.rule,
            standard=N06_BANDS,
            effective_from=date(2024, 1, 1),
            document_no="南民发〔2024〕1号",
            unit="元/人/月",
            payable=True,
        ),
    )


@pytest.fixture
def make_person(make_user: Callable[..., Any]) -> Callable[..., Person]:
    registrar = make_user(Role.PROVINCE_OFFICER, "22", username="registrar_t")
    counter = {"n": 0}

    def make(birth: date, village: str = VILLAGE, name: str = "张秀英", **tags: str) -> Person:
        counter["n"] += 1
        sex = "F" if counter["n"] % 2 else "M"
        p, _ = people_services.person_register(
            actor=registrar,
            data=person_input(village, name=name, birth=birth, sex=sex, seq=counter["n"]),
            today=date(2026, 11, 1),
        )
        for category, grade in tags.items():
            if category == "severe_disability":  # derived from a disability record now
                Disability.objects.create(
                    person=p,
                    grade=rules.GRADE_CODE.get(grade, rules.SEVERE_UNKNOWN),
                    start_date=date(2024, 1, 1),
                )
                continue
            people_services.person_category_add(
                actor=registrar,
                person=p,
                category=category,
                start=date(2024, 1, 1),
                grade=grade,
                system=category == "disabled",
            )
        return p

    return make
