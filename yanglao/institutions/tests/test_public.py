"""Public pages and API (no login): filed homes only, institution facts only, filters,
pagination, the 60-second cache, hostile parameters, a phone-width layout."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from yanglao.institutions import public, rating, services
from yanglao.institutions.public import PublicInspectionResult
from yanglao.institutions.rating_testing import file_home, run_to_publicity
from yanglao.institutions.tests.conftest import TODAY, V1, V2, World, credit_code, institution_input

pytestmark = pytest.mark.django_db

RESIDENT = "上官婉清"


@pytest.fixture
def listed(world: World) -> World:
    """world.home filed, with a phone and a resident; other_home filed."""
    from yanglao.institutions.services import InstitutionInput, institution_update

    data = InstitutionInput.of(world.home)
    data.fire_approved, data.phone = True, "0431-88886666"
    home = institution_update(
        actor=world.county, institution=world.home, data=data, expected_version=1
    )
    file_home(officer=world.county, institution=home, today=TODAY - timedelta(days=60))
    file_home(officer=world.county, institution=world.other_home, today=TODAY)
    person = world.person(name=RESIDENT)
    services.resident_admit(
        actor=world.operator,
        institution=home,
        id_number=person.id_number,
        bed=None,
        start=TODAY - timedelta(days=5),
        today=TODAY,
    )
    return world


def _chuanying(world: World, make_user: Any, beds: int = 250) -> Any:
    from yanglao.accounts.roles import Role

    officer = make_user(Role.COUNTY_OFFICER, "220204")
    inst = services.institution_register(
        actor=officer,
        data=institution_input(
            31,
            "220204001001",
            credit_code=credit_code(31, area="220204"),
            name="船营区公办养老院",
            ownership="public",
            beds_total=beds,
            beds_nursing=100,
        ),
    )
    return file_home(officer=officer, institution=inst, today=TODAY)


def test_directory_lists_filed_homes_without_login(listed: World, make_user: Any) -> None:
    services.institution_register(
        actor=listed.county, data=institution_input(9, name="未备案养老院")
    )
    _chuanying(listed, make_user)
    r = Client().get("/public/institutions/")
    body = r.content.decode()
    assert r.status_code == 200
    assert (
        listed.home.name in body and listed.other_home.name in body and "船营区公办养老院" in body
    )
    assert "未备案养老院" not in body
    assert "共 3 家" in body


def test_no_personal_data_anywhere(listed: World) -> None:
    person_id = listed.home.residencies.get().person.id_number
    c = Client()
    pages = [
        c.get("/public/institutions/"),
        c.get(f"/public/institutions/{listed.home.public_id}/"),
        c.get("/api/v1/public/institutions"),
        c.get(f"/api/v1/public/institutions/{listed.home.public_id}"),
    ]
    for r in pages:
        body = r.content.decode()
        assert r.status_code == 200
        assert RESIDENT not in body
        assert person_id not in body and person_id[-4:] + "<" not in body
        assert "王建国" not in body  # the legal representative
        assert listed.operator.username not in body
    detail = pages[1].content.decode()
    assert "0431-88886666" in detail and "检查结果" in detail and "暂无已公布的检查结果" in detail


def test_detail_of_unlisted_home_is_404(world: World) -> None:
    assert Client().get(f"/public/institutions/{world.home.public_id}/").status_code == 404
    assert Client().get(f"/api/v1/public/institutions/{world.home.public_id}").status_code == 404
    assert Client().get("/public/institutions/not-a-uuid/").status_code == 404


def test_filters(listed: World, make_user: Any) -> None:
    _chuanying(listed, make_user)
    c = Client()

    def names(query: str) -> str:
        return c.get("/public/institutions/?" + query).content.decode()

    body = names("district=220204")
    assert "船营区公办养老院" in body and listed.home.name not in body
    body = names("ownership=public")
    assert "船营区公办养老院" in body and listed.home.name not in body
    body = names("beds=200")
    assert "船营区公办养老院" in body and listed.home.name not in body
    body = names("beds=100")
    assert "船营区公办养老院" not in body and listed.home.name in body
    body = names("rating=none")
    assert "共 3 家" in body
    body = names("rating=3")
    assert "共 0 家" in body


@pytest.mark.parametrize(
    "query",
    [
        "district=22%00",
        "district=２２０１０２",
        "district=9999999999",
        "ownership=<script>",
        "beds=-1",
        "rating=9",
        "page=-3",
        "page=99999999999999",
        "page=%EF%BC%92",
    ],
)
def test_hostile_parameters_get_a_message_not_an_error(listed: World, query: str) -> None:
    r = Client().get("/public/institutions/?" + query)
    assert r.status_code == 200
    body = r.content.decode()
    assert "<script>" not in body
    if not query.startswith("page"):
        assert "notice error" in body


def test_api_hostile_parameters(listed: World) -> None:
    c = Client()
    assert c.get("/api/v1/public/institutions?rating=9").status_code == 400
    assert "等级" in c.get("/api/v1/public/institutions?rating=9").json()["detail"]
    assert c.get("/api/v1/public/institutions?page=0").status_code == 422
    r = c.get("/api/v1/public/institutions?district=220102")
    assert r.status_code == 200 and r.json()["count"] == 2


def test_rating_and_publicity_are_public(listed: World) -> None:
    app = run_to_publicity(
        operator=listed.operator,
        officer=listed.county,
        institution=listed.home,
        level=3,
        share=D("0.7"),
        today=TODAY - timedelta(days=20),
    )
    from django.utils import timezone

    today = timezone.localdate()
    # In publicity: announced on the directory page.
    app.publicity_until = today + timedelta(days=3)
    app.save(update_fields=["publicity_until"])
    body = Client().get("/public/institutions/").content.decode()
    assert "拟评定为三级" in body
    rating.rating_certify(actor=listed.county, application=app, today=today + timedelta(days=4))
    cache.clear()
    body = Client().get("/public/institutions/?rating=3").content.decode()
    assert listed.home.name in body and "三级" in body
    r = Client().get(f"/api/v1/public/institutions/{listed.home.public_id}").json()
    assert r["rating"] == 3 and r["rating_label"] == "三级"


def test_list_is_cached_for_a_minute(listed: World, django_assert_max_num_queries: Any) -> None:
    f = public.DirectoryFilters()
    first = public.directory(f, 1, TODAY)
    services.institution_register(actor=listed.county, data=institution_input(12))
    with django_assert_max_num_queries(0):
        again = public.directory(f, 1, TODAY)
    assert again == first
    cache.clear()
    assert public.directory(f, 1, TODAY).count == first.count  # the new one is unfiled


def test_pagination(listed: World) -> None:
    for seq in range(40, 40 + public.PAGE_SIZE):
        inst = services.institution_register(
            actor=listed.county, data=institution_input(seq, V2, name=f"分页养老院{seq}")
        )
        file_home(officer=listed.county, institution=inst, today=TODAY)
    c = Client()
    p1 = c.get("/public/institutions/?district=220102").content.decode()
    assert "第 1/2 页" in p1 and "page=2" in p1 and "?district=220102&page=2" in p1
    p2 = c.get("/public/institutions/?district=220102&page=2").content.decode()
    assert "第 2/2 页" in p2 and p2.count('<li class="card">') == 2
    api = c.get("/api/v1/public/institutions?page=2").json()
    assert api["pages"] == 2 and len(api["results"]) == 2


def test_no_inspection_results_before_any_is_published(world: World) -> None:
    # A published result on the public page: tests/e2e/test_inspection_flow.py and
    # test_supervision.py (test_public_page_shows_only_published_results).
    assert public.public_inspection_results(world.home) == []
    r = PublicInspectionResult(TODAY, "双随机抽查", "未发现问题", 0, True, TODAY)
    assert r.kind == "双随机抽查"


def test_village_is_not_shown(listed: World) -> None:
    from yanglao.regions.models import Region

    village = Region.objects.get(code=V1).name
    body = Client().get(f"/public/institutions/{listed.home.public_id}/").content.decode()
    assert "南关区" in body and village not in body
