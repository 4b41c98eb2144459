"""REST API v1: tokens, scoping, pagination, validation in Chinese, optimistic locking."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from yanglao.accounts.api_scope import AUTHENTICATED, PLATFORM, PUBLIC, SCOPES, scope_of
from yanglao.accounts.models import ApiToken, User
from yanglao.api.api import api
from yanglao.api.tests.conftest import PASSWORD, ApiClient, token_body
from yanglao.core.audit import Action
from yanglao.core.idnumber import check_char
from yanglao.core.models import AuditEvent
from yanglao.people import services
from yanglao.people.choices import Category
from yanglao.people.models import Person
from yanglao.people.rules import ContactInput
from yanglao.people.testing import make_id_number, person_input
from yanglao.regions.models import Region

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"
PERSONS = "/api/v1/persons"
NAMES = ["王桂兰", "李淑珍", "刘凤英", "陈玉梅", "杨秀云", "赵桂芝", "黄淑华", "周玉兰", "吴秀珍"]


def villages(county: str) -> list[str]:
    return list(
        Region.objects.filter(level=5, code__startswith=county, valid_to__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
    )


@pytest.fixture
def officer_a(regions: None, make_user: Callable[..., Any]) -> User:
    """County officer of 南关区 (220102), edit mode."""
    user: User = make_user("county_officer", "220102")
    return user


@pytest.fixture
def officer_b(regions: None, make_user: Callable[..., Any]) -> User:
    """County officer of 船营区 (220204), edit mode: 220102 is none of their business."""
    user: User = make_user("county_officer", "220204")
    return user


@pytest.fixture
def people_a(officer_a: User) -> list[Person]:
    """Seven people spread over several villages of 220102."""
    codes = villages("220102")
    out = []
    for i, name in enumerate(NAMES[:7]):
        data = person_input(codes[(i * 7) % len(codes)], name=name, seq=10 + i)
        person, _ = services.person_register(actor=officer_a, data=data)
        out.append(person)
    return out


@pytest.fixture
def person_b(officer_b: User) -> Person:
    person, _ = services.person_register(
        actor=officer_b, data=person_input(villages("220204")[0], name="孙丽华", seq=77)
    )
    return person


def create_body(region_code: str, seq: int = 200, **extra: Any) -> dict[str, Any]:
    birth = date(1942, 6, 1)
    body: dict[str, Any] = {
        "name": "郑淑芬",
        "sex": "F",
        "birth_date": birth.isoformat(),
        "id_number": make_id_number(region_code[:6], birth, "F", seq),
        "region_code": region_code,
        "ethnicity": "01",
        "education": "primary",
        "living_arrangement": ["spouse"],
        "marital_status": "married",
        "medical_payment": ["resident_insurance"],
        "income_sources": ["pension"],
        "address": "自由大路5号",
        "phone": "13904311234",
        "household_no": "H0001",
        "contacts": [{"name": "郑强", "relation": "child", "phone": "13504317788"}],
    }
    body.update(extra)
    return body


def has_chinese(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


# --- tokens -----------------------------------------------------------------------------


def test_token_issue_stores_only_hash_and_audits(client: Client, officer_a: User) -> None:
    before = timezone.now()
    r = client.post(TOKEN_URL, token_body(officer_a), content_type="application/json")
    assert r.status_code == 200
    raw = r.json()["token"]
    assert len(raw) >= 40
    row = ApiToken.objects.get(user=officer_a)
    assert row.key_hash == ApiToken.hash(raw) != raw
    ttl = django_settings.API_TOKEN_TTL
    assert before + ttl <= row.expires_at <= timezone.now() + ttl
    event = AuditEvent.objects.get(action=Action.TOKEN_ISSUE)
    assert event.actor_id == officer_a.pk and event.object_id == str(officer_a.pk)
    assert raw not in json.dumps(event.changes)

    me = Client()
    ok = me.get(PERSONS, headers={"Authorization": f"Bearer {raw}"})
    assert ok.status_code == 200


def test_token_wrong_password_is_401(client: Client, officer_a: User) -> None:
    r = client.post(
        TOKEN_URL,
        {"username": officer_a.username, "password": "wrong-pass-123"},
        content_type="application/json",
    )
    assert r.status_code == 401
    assert r.json() == {"detail": "账号或密码错误"}
    unknown = client.post(
        TOKEN_URL, {"username": "nobody", "password": "x"}, content_type="application/json"
    )
    assert unknown.status_code == 401
    assert not ApiToken.objects.exists()


def test_token_inactive_user_is_401(client: Client, officer_a: User) -> None:
    User.objects.filter(pk=officer_a.pk).update(is_active=False)
    r = client.post(
        TOKEN_URL,
        {"username": officer_a.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 401
    assert not ApiToken.objects.exists()


def test_token_lockout_after_five_failures(client: Client, officer_a: User) -> None:
    assert django_settings.AXES_ENABLED
    statuses = []
    for _ in range(5):
        r = client.post(
            TOKEN_URL,
            {"username": officer_a.username, "password": "bad-pass-999"},
            content_type="application/json",
        )
        statuses.append(r.status_code)
    assert statuses == [401, 401, 401, 401, 403]
    # Locked: even the right password gets no token, and the answer stays JSON.
    r = client.post(
        TOKEN_URL,
        {"username": officer_a.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert r["Content-Type"].startswith("application/json")
    assert r.json() == {"detail": "登录失败次数过多，账号已锁定15分钟"}
    assert not ApiToken.objects.exists()


def test_token_success_forgets_earlier_failures(client: Client, officer_a: User) -> None:
    def attempt(password: str) -> int:
        r = client.post(TOKEN_URL, token_body(officer_a, password), content_type="application/json")
        return int(r.status_code)

    assert [attempt("bad-pass-999") for _ in range(4)] == [401] * 4
    assert attempt(PASSWORD) == 200
    assert [attempt("bad-pass-999") for _ in range(4)] == [401] * 4
    assert attempt(PASSWORD) == 200


def test_token_endpoint_needs_no_csrf_token(officer_a: User) -> None:
    strict = Client(enforce_csrf_checks=True)
    r = strict.post(TOKEN_URL, token_body(officer_a), content_type="application/json")
    assert r.status_code == 200


def test_token_body_validated_in_chinese(client: Client, regions: None) -> None:
    r = client.post(TOKEN_URL, {"username": "x"}, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["errors"] == {"password": ["必填项"]}
    bad = client.post(TOKEN_URL, "{not json", content_type="application/json")
    assert bad.status_code == 400 and has_chinese(bad.json()["detail"])


def test_requests_without_valid_token_are_401(
    client: Client, officer_a: User, people_a: list[Person]
) -> None:
    detail = f"{PERSONS}/{people_a[0].public_id}"
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Token abc"}):
        for url in (PERSONS, detail, "/api/v1/regions/220102"):
            r = client.get(url, headers=headers)
            assert r.status_code == 401, (url, headers)
            assert r["WWW-Authenticate"] == "Bearer"
            assert has_chinese(r.json()["detail"])
    r = client.post(PERSONS, create_body(villages("220102")[0]), content_type="application/json")
    assert r.status_code == 401
    assert Person.objects.count() == len(people_a)


def test_expired_token_is_401(client: Client, officer_a: User) -> None:
    ApiToken.objects.create(
        user=officer_a,
        key_hash=ApiToken.hash("expired-raw-token"),
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    r = client.get(PERSONS, headers={"Authorization": "Bearer expired-raw-token"})
    assert r.status_code == 401


def test_token_of_deactivated_user_is_401(
    officer_a: User, api_client: Callable[[User], ApiClient]
) -> None:
    c = api_client(officer_a)
    assert c.get(PERSONS).status_code == 200
    User.objects.filter(pk=officer_a.pk).update(is_active=False)
    assert c.get(PERSONS).status_code == 401


def test_role_without_capability_is_403(
    make_user: Callable[..., Any],
    api_client: Callable[[User], ApiClient],
    people_a: list[Person],
) -> None:
    auditor = make_user("auditor", "220102")
    c = api_client(auditor)
    assert c.get(PERSONS).json() == {"detail": "无权执行此操作"}
    assert c.get(PERSONS).status_code == 403
    assert c.get(f"{PERSONS}/{people_a[0].public_id}").status_code == 403
    assert c.post(PERSONS, create_body(villages("220102")[0])).status_code == 403
    assert c.get("/api/v1/regions/220102").status_code == 403
    # Search-mode jurisdiction: may read, may not write (403 to register, 404 to change).
    search_only = make_user("county_officer", "220102", mode="search")
    s = api_client(search_only)
    assert s.get(PERSONS).status_code == 200
    assert s.post(PERSONS, create_body(villages("220102")[0])).status_code == 403
    patch = s.patch(f"{PERSONS}/{people_a[0].public_id}", {"version": 1, "name": "改名"})
    assert patch.status_code == 404
    assert Person.objects.filter(name="改名").count() == 0


# --- list -------------------------------------------------------------------------------


def test_list_is_scoped_to_jurisdiction(
    make_user: Callable[..., Any],
    api_client: Callable[[User], ApiClient],
    people_a: list[Person],
    person_b: Person,
) -> None:
    worker_b = make_user("visit_worker", villages("220204")[0])
    items = api_client(worker_b).get(PERSONS).json()["items"]
    assert [i["id"] for i in items] == [str(person_b.public_id)]

    other_village = make_user("visit_worker", villages("220204")[1])
    assert api_client(other_village).get(PERSONS).json() == {"items": [], "next_cursor": None}


def test_list_cursor_walks_every_row_once(
    officer_a: User,
    api_client: Callable[[User], ApiClient],
    people_a: list[Person],
    person_b: Person,
) -> None:
    c = api_client(officer_a)
    seen: list[str] = []
    cursor = ""
    pages = 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = c.get(PERSONS, params).json()
        pages += 1
        assert len(body["items"]) <= 3
        seen += [i["id"] for i in body["items"]]
        if body["next_cursor"] is None:
            break
        cursor = body["next_cursor"]
        assert pages < 10
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == {str(p.public_id) for p in people_a}


def test_list_rejects_bad_parameters_in_chinese(
    officer_a: User, api_client: Callable[[User], ApiClient]
) -> None:
    c = api_client(officer_a)
    r = c.get(
        PERSONS,
        {
            "region": "22x",
            "category": "rich",
            "age_band": "10-20",
            "life_status": "zombie",
            "cursor": "!!!",
            "limit": 0,
        },
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert set(errors) == {"limit"}  # the schema check runs before the view
    assert has_chinese(errors["limit"][0])
    r = c.get(
        PERSONS,
        {
            "region": "22x",
            "category": "rich",
            "age_band": "10-20",
            "life_status": "zombie",
            "cursor": "!!!",
        },
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert set(errors) == {"region", "category", "age_band", "life_status", "cursor"}
    assert all(has_chinese(m) for msgs in errors.values() for m in msgs)
    assert c.get(PERSONS, {"limit": "many"}).json()["errors"] == {"limit": ["格式不正确，应为整数"]}


def test_list_filters_region_category_and_q(
    officer_a: User, api_client: Callable[[User], ApiClient], people_a: list[Person]
) -> None:
    c = api_client(officer_a)
    target = people_a[2]
    services.person_category_add(
        actor=officer_a, person=target, category=Category.LIVING_ALONE, start=date(2024, 1, 1)
    )

    def ids(**params: Any) -> set[str]:
        r = c.get(PERSONS, params)
        assert r.status_code == 200, r.content
        return {i["id"] for i in r.json()["items"]}

    assert ids(category="living_alone") == {str(target.public_id)}
    assert ids(q=target.name[:1]) == {
        str(p.public_id) for p in people_a if p.name.startswith(target.name[:1])
    }
    assert ids(q=target.name) == {str(target.public_id)}
    assert ids(q=target.id_number) == {str(target.public_id)}
    assert ids(q=target.id_number.lower()) == {str(target.public_id)}
    village = target.region_id
    in_village = {str(p.public_id) for p in people_a if p.region_id == village}
    assert ids(region=village) == in_village
    assert ids(region=village[:9]) == ids(region=village[:9] + "000")
    assert ids(region=village[:9]) == {
        str(p.public_id) for p in people_a if p.region_id.startswith(village[:9])
    }
    assert ids(region="220102") == ids(region="220102000000") == ids()
    assert ids(region="22") == ids()
    assert ids(category="advanced_age") == {str(p.public_id) for p in people_a}  # born 1945
    assert ids(life_status="deceased") == set()


def test_list_on_foreign_region_is_404(
    officer_b: User, api_client: Callable[[User], ApiClient], people_a: list[Person]
) -> None:
    c = api_client(officer_b)
    for region in ("220102", "220102000000", people_a[0].region_id, "2202", "22"):
        r = c.get(PERSONS, {"region": region})
        expected = 200 if region in ("2202", "22") else 404
        assert r.status_code == expected, region
        if expected == 200:
            assert r.json()["items"] == []


def test_list_items_are_masked(
    officer_a: User, api_client: Callable[[User], ApiClient], people_a: list[Person]
) -> None:
    r = api_client(officer_a).get(PERSONS)
    text = r.content.decode()
    for p in people_a:
        assert p.id_number not in text
        assert p.phone not in text
    item = r.json()["items"][0]
    assert "*" in item["id_number_masked"] and "*" in item["phone_masked"]
    assert set(item) >= {"id", "name", "region_code", "region_name", "version", "age"}


# --- detail -----------------------------------------------------------------------------


def test_detail_is_masked_and_complete(
    officer_a: User, api_client: Callable[[User], ApiClient]
) -> None:
    village = villages("220102")[3]
    data = person_input(
        village,
        name="钱秀兰",
        seq=31,
        household_no="H-17",
        contacts=[ContactInput(name="钱明", relation="child", phone="13688889999")],
    )
    person, _ = services.person_register(actor=officer_a, data=data)
    services.person_category_add(
        actor=officer_a, person=person, category=Category.EMPTY_NEST, start=date(2023, 5, 1)
    )
    ended = services.person_category_add(
        actor=officer_a, person=person, category=Category.MINIMUM_LIVING, start=date(2020, 1, 1)
    )
    services.person_category_end(actor=officer_a, tag=ended, end=date(2021, 1, 1))

    r = api_client(officer_a).get(f"{PERSONS}/{person.public_id}")
    assert r.status_code == 200
    text = r.content.decode()
    assert person.id_number not in text and "13812345678" not in text
    assert "13688889999" not in text
    body = r.json()
    assert body["id"] == str(person.public_id)
    assert body["id_number_masked"] == person.id_number_masked and "*" in body["id_number_masked"]
    assert body["region_code"] == village
    assert body["region_name"] == Region.objects.get(code=village).name
    assert body["region_path"][-1] == body["region_name"] and len(body["region_path"]) == 3
    assert body["household_no"] == "H-17"
    assert body["life_status"] == "alive" and body["status_date"] is None
    assert [(c["category"], c["start_date"]) for c in body["categories"]] == [
        ("empty_nest", "2023-05-01")
    ]
    assert body["contacts"] == [
        {
            "name": "钱明",
            "relation": "child",
            "relation_label": "子女",
            "phone_masked": "136****9999",
        }
    ]
    assert body["version"] == 1
    assert body["advanced_age"] is True


def test_detail_of_unknown_or_malformed_id(
    officer_a: User, api_client: Callable[[User], ApiClient]
) -> None:
    c = api_client(officer_a)
    r = c.get(f"{PERSONS}/00000000-0000-4000-8000-000000000000")
    assert r.status_code == 404 and r.json() == {"detail": "未找到"}
    bad = c.get(f"{PERSONS}/not-a-uuid")
    assert bad.status_code == 422 and bad.json()["errors"] == {"person_id": ["编号格式不正确"]}


def test_detail_and_patch_of_other_county_are_404(
    officer_b: User, api_client: Callable[[User], ApiClient], people_a: list[Person]
) -> None:
    c = api_client(officer_b)
    target = people_a[0]
    r = c.get(f"{PERSONS}/{target.public_id}")
    assert r.status_code == 404 and r.json() == {"detail": "未找到"}
    r = c.patch(f"{PERSONS}/{target.public_id}", {"version": 1, "name": "改名"})
    assert r.status_code == 404
    target.refresh_from_db()
    assert target.name == NAMES[0] and target.version == 1


# --- create -----------------------------------------------------------------------------


def test_create_returns_201_with_record_and_audits(
    officer_a: User, api_client: Callable[[User], ApiClient]
) -> None:
    village = villages("220102")[5]
    body = create_body(village)
    r = api_client(officer_a).post(PERSONS, body)
    assert r.status_code == 201, r.content
    out = r.json()
    person = Person.objects.get(public_id=out["id"])
    assert person.id_number == body["id_number"] and person.phone == body["phone"]
    assert out["id_number_masked"] == person.id_number_masked
    assert body["id_number"] not in r.content.decode()
    assert body["phone"] not in r.content.decode()
    assert out["region_code"] == village and out["household_no"] == "H0001"
    assert out["living_arrangement"] == ["spouse"] and out["version"] == 1
    assert out["contacts"][0]["phone_masked"] == "135****7788"
    event = AuditEvent.objects.get(action="person.create")
    assert event.object_id == out["id"] and event.actor_id == officer_a.pk
    assert body["id_number"] not in json.dumps(event.changes, ensure_ascii=False)


def test_create_with_padded_or_unpadded_village_code(
    officer_a: User, api_client: Callable[[User], ApiClient]
) -> None:
    village = villages("220102")[1]
    r = api_client(officer_a).post(PERSONS, create_body(village, seq=301))
    assert r.status_code == 201
    assert r.json()["region_code"] == village


def test_create_422_domain_errors_per_field(
    officer_a: User, api_client: Callable[[User], ApiClient]
) -> None:
    c = api_client(officer_a)
    body = create_body(villages("220102")[0])
    number = body["id_number"]
    wrong_check = number[:17] + ("1" if check_char(number[:17]) != "1" else "2")
    r = c.post(
        PERSONS,
        {
            **body,
            "id_number": wrong_check,
            "name": "",
            "contacts": [{"name": "张三", "relation": "boss", "phone": "123"}],
        },
    )
    assert r.status_code == 422
    out = r.json()
    assert out["detail"] == "数据校验未通过"
    errors = out["errors"]
    assert set(errors) >= {"id_number", "name", "contact1_relation", "contact1_phone"}
    assert all(has_chinese(m) for msgs in errors.values() for m in msgs)
    assert errors["id_number"] == ["身份证号码校验位不正确，请核对是否录错"]
    assert errors["name"] == ["请填写姓名"]
    assert Person.objects.count() == 0
    assert not AuditEvent.objects.filter(action="person.create").exists()


def test_create_422_schema_errors_in_chinese(
    officer_a: User, api_client: Callable[[User], ApiClient]
) -> None:
    c = api_client(officer_a)
    body = create_body(villages("220102")[0])
    del body["name"]
    body.update(
        birth_date=12345,
        living_arrangement="alone",
        phone=13904311234,
        contacts=[{"name": "甲", "relation": "child", "phone": "13504317788"}, "乙"],
        colour="red",
    )
    r = c.post(PERSONS, body)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert errors["name"] == ["必填项"]
    assert errors["birth_date"] == ["日期格式不正确，应为 YYYY-MM-DD"]
    assert errors["living_arrangement"] == ["格式不正确，应为列表"]
    assert errors["phone"] == ["格式不正确，应为文本"]
    assert errors["colour"] == ["不支持的字段"]
    assert errors["contacts"] == ["格式不正确，应为对象"]
    assert "contact1_name" not in errors
    assert all(has_chinese(m) for msgs in errors.values() for m in msgs)
    for bad_date in ("1945/03/15", "1945-02-30", "2020-01-01T00:00:00"):
        r = c.post(PERSONS, {**create_body(villages("220102")[0]), "birth_date": bad_date})
        assert r.json()["errors"] == {"birth_date": ["日期格式不正确，应为 YYYY-MM-DD"]}
    r = c.post(PERSONS, ["not", "an", "object"])
    assert r.status_code == 422 and has_chinese(json.dumps(r.json(), ensure_ascii=False))
    assert Person.objects.count() == 0


def test_create_duplicate_id_number_is_422(
    officer_a: User, api_client: Callable[[User], ApiClient]
) -> None:
    c = api_client(officer_a)
    body = create_body(villages("220102")[0])
    assert c.post(PERSONS, body).status_code == 201
    r = c.post(PERSONS, {**body, "region_code": villages("220102")[1]})
    assert r.status_code == 422
    assert "一人只能登记一次" in r.json()["errors"]["id_number"][0]
    assert Person.objects.count() == 1


def test_create_outside_jurisdiction_is_403(
    officer_b: User, api_client: Callable[[User], ApiClient]
) -> None:
    r = api_client(officer_b).post(PERSONS, create_body(villages("220102")[0]))
    assert r.status_code == 403
    assert Person.objects.count() == 0


# --- update -----------------------------------------------------------------------------


def test_patch_merges_and_increments_version(
    officer_a: User, api_client: Callable[[User], ApiClient], people_a: list[Person]
) -> None:
    target = people_a[1]
    services.person_category_add(
        actor=officer_a, person=target, category=Category.EMPTY_NEST, start=date(2024, 2, 1)
    )
    before_id = target.id_number
    url = f"{PERSONS}/{target.public_id}"
    c = api_client(officer_a)
    r = c.patch(url, {"version": 1, "phone": "13900001111", "education": "junior"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["version"] == 2
    assert body["education"] == "junior" and body["phone_masked"] == "139****1111"
    assert body["name"] == target.name and body["categories"][0]["category"] == "empty_nest"
    target.refresh_from_db()
    assert target.version == 2 and target.phone == "13900001111"
    assert target.id_number == before_id and target.address == "幸福路12号"
    assert (
        AuditEvent.objects.filter(action="person.update", object_id=str(target.public_id)).count()
        == 1
    )
    # Contacts replace the list; a move to another own village is allowed.
    new_village = villages("220102")[-1]
    r = c.patch(
        url,
        {
            "version": 2,
            "region_code": new_village,
            "contacts": [{"name": "刘强", "relation": "child", "phone": "13100002222"}],
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["region_code"] == new_village and r.json()["version"] == 3
    assert r.json()["contacts"][0]["phone_masked"] == "131****2222"
    # Untouched contacts survive an unrelated change.
    r = c.patch(url, {"version": 3, "address": "新址1号"})
    assert r.json()["contacts"][0]["name"] == "刘强"
    target.refresh_from_db()
    assert target.contacts.get().phone == "13100002222"


def test_patch_with_stale_version_is_409_and_changes_nothing(
    officer_a: User, api_client: Callable[[User], ApiClient], people_a: list[Person]
) -> None:
    target = people_a[0]
    url = f"{PERSONS}/{target.public_id}"
    c = api_client(officer_a)
    assert c.patch(url, {"version": 1, "address": "第一次修改"}).status_code == 200
    r = c.patch(url, {"version": 1, "address": "第二次修改", "name": "覆盖者"})
    assert r.status_code == 409
    assert r.json() == {"detail": "记录已被他人修改，请刷新后重试", "current_version": 2}
    target.refresh_from_db()
    assert target.address == "第一次修改" and target.name == NAMES[0] and target.version == 2
    assert AuditEvent.objects.filter(action="person.update").count() == 1


def test_patch_stale_when_another_save_lands_in_between(
    officer_a: User,
    api_client: Callable[[User], ApiClient],
    people_a: list[Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The service's locked re-check catches a save after the view read the record."""
    target = people_a[0]
    real = services.person_update

    def racing(**kwargs: Any) -> Any:
        Person.objects.filter(pk=target.pk).update(version=5)
        return real(**kwargs)

    monkeypatch.setattr(services, "person_update", racing)
    r = api_client(officer_a).patch(
        f"{PERSONS}/{target.public_id}", {"version": 1, "name": "覆盖者"}
    )
    assert r.status_code == 409 and r.json()["current_version"] == 5
    target.refresh_from_db()
    assert target.name == NAMES[0]


def test_patch_validation(
    officer_a: User, api_client: Callable[[User], ApiClient], people_a: list[Person]
) -> None:
    url = f"{PERSONS}/{people_a[0].public_id}"
    c = api_client(officer_a)
    r = c.patch(url, {"name": "新名字"})
    assert r.status_code == 422 and r.json()["errors"] == {"version": ["必填项"]}
    r = c.patch(url, {"version": "1", "name": "新名字"})
    assert r.json()["errors"] == {"version": ["格式不正确，应为整数"]}
    r = c.patch(url, {"version": 1, "nmae": "新名字"})
    assert r.json()["errors"] == {"nmae": ["不支持的字段"]}
    r = c.patch(url, {"version": 1, "name": None})
    assert r.json()["errors"] == {"name": ["不能为空"]}
    r = c.patch(url, {"version": 1, "phone": "12345"})
    assert r.status_code == 422 and has_chinese(r.json()["errors"]["phone"][0])
    r = c.patch(url, {"version": 1, "region_code": villages("220204")[0]})
    assert r.status_code == 403
    people_a[0].refresh_from_db()
    assert people_a[0].version == 1 and people_a[0].name == NAMES[0]


# --- regions ----------------------------------------------------------------------------


def test_region_node_with_children_and_counts(
    officer_a: User, api_client: Callable[[User], ApiClient], people_a: list[Person]
) -> None:
    c = api_client(officer_a)
    r = c.get("/api/v1/regions/220102")
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == "220102000000" and body["name"] == "南关区"
    assert body["level"] == 3 and body["parent_code"] == "220100000000"
    assert body["people"] == 7
    assert sum(ch["people"] for ch in body["children"]) == 7
    assert all(ch["code"].startswith("220102") for ch in body["children"])
    township = next(ch for ch in body["children"] if ch["people"])
    r = c.get(f"/api/v1/regions/{township['code']}")
    assert r.json()["people"] == township["people"]
    assert r.json()["children"] and all(ch["level"] == 5 for ch in r.json()["children"])
    assert c.get(f"/api/v1/regions/{township['code'][:9]}").json()["code"] == township["code"]


def test_region_counts_come_from_the_snapshot_once_there_is_one(
    officer_a: User, api_client: Callable[[User], ApiClient], people_a: list[Person]
) -> None:
    """Issue 16: live counts (people_as_of null) until the first snapshot; then the snapshot's
    figures and data date, unchanged by a death until the next nightly run."""
    from django.utils import timezone

    from yanglao.people.choices import LifeStatus
    from yanglao.statistics import snapshot

    c = api_client(officer_a)
    assert c.get("/api/v1/regions/220102").json()["people_as_of"] is None
    today = timezone.localdate()
    snapshot.compute(today, today=today)
    Person.objects.filter(pk=people_a[0].pk).update(
        life_status=LifeStatus.DECEASED, status_date=today
    )
    body = c.get("/api/v1/regions/220102").json()
    assert body["people"] == 7 and body["people_as_of"] == today.isoformat()
    assert sum(ch["people"] for ch in body["children"]) == 7
    snapshot.compute(today, today=today + timedelta(days=1))
    assert c.get("/api/v1/regions/220102").json()["people"] == 6


def test_region_of_other_county_is_404(
    officer_b: User, api_client: Callable[[User], ApiClient]
) -> None:
    c = api_client(officer_b)
    for code in ("220102", "220102000000", villages("220102")[0], "22", "2201", "abc", "999999"):
        r = c.get(f"/api/v1/regions/{code}")
        assert r.status_code == 404, code
        assert r.json() == {"detail": "未找到"}
    assert c.get("/api/v1/regions/220204").status_code == 200


# --- declarations and the jurisdiction walk ---------------------------------------------


def operations() -> Iterator[tuple[str, str, Any]]:
    """(method, url template, operation) for every registered API operation."""
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            url = "/api/" + "/".join(s.strip("/") for s in (bound.prefix, path) if s.strip("/"))
            for op in path_view.operations:
                for method in op.methods:
                    yield method, url, op


def test_every_operation_declares_its_scope() -> None:
    ops = list(operations())
    assert len(ops) >= 6
    for method, url, op in ops:
        declared = scope_of(op.view_func)
        assert declared in SCOPES, f"{method} {url} does not declare its scope"
        if declared == PUBLIC:
            # The token exchange, the public institution directory (no personal data) and
            # the answer lookup by reference number (feedback.api).
            assert url == "/api/v1/auth/token" or url.startswith("/api/v1/public/"), (
                f"{method} {url} is public"
            )
        else:
            assert op.auth_callbacks, f"{method} {url} declares {declared} but has no auth"


# Operations that create a resource of the caller's own (an import batch): an outsider gets
# one of their own, and the rows are checked against their jurisdiction (imports tests).
OWN_RESOURCE_CREATORS = {"batch_upload"}


def _benefits_application(person: Person, county: User) -> Any:
    """An application of 220102 waiting for the county's approval (for the walk)."""
    from yanglao.accounts.services import user_create
    from yanglao.benefits import catalog
    from yanglao.benefits import services as benefits
    from yanglao.benefits.models import OverlapRule, ServiceItem

    catalog.seed(ServiceItem, OverlapRule)
    township = user_create(
        actor=None,
        username="township_walk",
        password="Yl-test-pass-2026",
        role="township_officer",
        jurisdictions=[(person.region_id[:9], "edit")],
    )
    app = benefits.application_create(
        actor=county, person=person, item_code="N06", account="6217000012345678"
    )
    return benefits.application_decide(actor=township, application=app, approve=True, reason="属实")


def _walk_alarm(county: User, person: Person) -> str:
    """An alarm of 220102's person from a device platform (community programmes)."""
    from yanglao.community.programmes.testing import alarm_for

    return str(alarm_for(county, person).public_id)


def _bound_outsiders(officer_b: User, make_user: Callable[..., Any]) -> dict[str, User]:
    """An operator bound to a 船营区 home and an inspector with a drawn task there: bound
    users of another county (their own objects exist, so an empty scope proves nothing)."""
    from yanglao.institutions import services as inst_services
    from yanglao.institutions import supervision
    from yanglao.institutions.tests.conftest import credit_code, institution_input

    theirs = inst_services.institution_register(
        actor=officer_b,
        data=institution_input(62, "220204001001", credit_code=credit_code(62, area="220204")),
    )
    operator = make_user("institution_operator", "220204", mode="stats")
    inst_services.operator_bind(actor=officer_b, institution=theirs, user=operator)
    inspectors = [make_user("inspector", "220204", mode="stats") for _ in range(2)]
    for u in inspectors:
        supervision.inspector_add(
            actor=officer_b, user=u, organisation="civil", region_code="220204"
        )
    plan = supervision.plan_create(
        actor=officer_b,
        data=supervision.PlanInput("220204", 2026, "船营区抽查", "1", "测试", ["YL-02"]),
    )
    assert supervision.draw_run(actor=officer_b, plan=plan).tasks.filter(institution=theirs)
    return {"operator": operator, "inspector": inspectors[0]}


def test_every_operation_refuses_other_county(
    officer_a: User,
    officer_b: User,
    api_client: Callable[[User], ApiClient],
    people_a: list[Person],
    on_commit_now: None,
    make_user: Callable[..., Any],
    settings: Any,
    tmp_path: Any,
) -> None:
    """Call every operation on 220102 objects as 220204's officer: all 404 or 403.

    The same calls as 220102's own officer succeed, so the walk tests real targets.
    """
    target = people_a[0]
    village = target.region_id
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yanglao.imports.services import batch_upload
    from yanglao.imports.tests.conftest import csv_bytes, line

    application = _benefits_application(target, officer_a)
    ledger = csv_bytes([line(seq=77, name="导入甲")])
    batch = batch_upload(actor=officer_a, upload=SimpleUploadedFile("a.csv", ledger))
    from yanglao.institutions import services as inst_services
    from yanglao.institutions.tests.conftest import institution_input

    home = inst_services.institution_register(
        actor=officer_a, data=institution_input(61, fire_approved=True)
    )
    # 等级评定 waiting for the experts' scores (rating_scores, then rating_decision).
    from yanglao.institutions import rating
    from yanglao.institutions.rating_catalog import CLAUSES, EDITION
    from yanglao.institutions.rating_testing import entries_at, file_home

    operator = make_user("institution_operator", "220102", mode="stats")
    inst_services.operator_bind(actor=officer_a, institution=home, user=operator)
    file_home(officer=officer_a, institution=home, today=timezone.localdate())
    rated = rating.rating_apply(actor=operator, institution=home, level=3)
    rating.rating_self_assess(
        actor=operator, application=rated, entries=entries_at(Decimal("0.7")), submit=True
    )
    # 双随机: a drawn plan with an inspected task and a finding, and a plan not drawn yet.
    from yanglao.institutions import supervision
    from yanglao.institutions.tests.supervision_world import inspect, make_supervision, payload

    settings.MEDIA_ROOT = tmp_path
    sup = make_supervision(officer_a, make_user)
    task = sup.task(home)
    inspect(task, sup.inspector)
    undrawn = supervision.plan_create(
        actor=officer_a,
        data=supervision.PlanInput("220102", 2026, "第二批", "1", "测试", ["YL-02"]),
    )
    path_values = {
        "rating_id": str(rated.public_id),
        "institution_id": str(home.public_id),
        "plan_id": str(undrawn.public_id),
        "draw_id": str(sup.draw.public_id),
        "inspection_task_id": str(task.public_id),
        "finding_id": str(task.findings.get().public_id),
        "person_id": str(target.public_id),
        "alarm_id": _walk_alarm(officer_a, target),
        "code": "220102",
        "batch_id": str(batch.public_id),
        "application_id": str(application.public_id),
        # A second token of the owner's (the walk's own token must live on).
        "token_id": str(
            ApiToken.objects.create(
                user=officer_a,
                key_hash=ApiToken.hash("walk"),
                expires_at=timezone.now() + timedelta(hours=1),
            ).public_id
        ),
    }
    # Issue 13: a feedback addressed to 220102 and an approved department report there.
    from yanglao.feedback import services as feedback_services

    feedback = feedback_services.feedback_submit(
        data=feedback_services.FeedbackInput(
            kind="complaint", topic="meals", region_code=village, content="助餐点饭菜偏咸，希望改进"
        ),
        address="10.0.0.1",
    )
    path_values["reference"] = feedback.reference
    query = "?region=220102"
    from yanglao.institutions.report_rules import last_complete_month

    last_month = last_complete_month(timezone.localdate())
    bodies: dict[str, Any] = {
        "person_create": create_body(village, seq=401),
        "person_update": {"version": 1, "name": "越权改名", "region_code": village},
        "score": {"items": {"B.1.1": 4}, "coma": True},
        "batch_upload": {"file_name": "b.csv", "content_base64": base64.b64encode(ledger).decode()},
        "batch_validate": {},
        "batch_commit": {},
        "application_create": {"item_code": "N01", "note": "本人申请"},
        "application_decide": {"approve": True, "reason": "同意"},
        "visit_records_upload": {"records": []},
        "service_records_upload": {"records": []},
        "service_logs_upload": {"records": []},
        "rating_scores": {
            "scores": [
                {"clause": c.code, "score": str(c.max_points), "evidence": "现场查看"}
                for c in CLAUSES[EDITION]
            ]
        },
        "rating_decision": {"approve": True, "note": "同意"},
        "draw_create": {},
        "draw_replay": {"seed": "s", "ratio": "5%", "homes": ["a"], "inspectors": ["x", "y"]},
        # An inspection of 220102's task: an inspector of another county is refused.
        "records_upload": {"records": [payload(task)]},
        "finding_answer": {"note": "越权答复"},
        "finding_recheck": {"close": True},
        "feedback_create": {
            "kind": "suggestion",
            "topic": "policy",
            "region_code": village,
            "content": "建议公布助餐点的菜单",
        },
        # Institutions parts 3–4: a month's report, a prepaid filing and its balance.
        "report_create": {"month": f"{last_month:%Y-%m}", "staff_carer": 2},
        "prepaid_create": {
            "items": [{"kind": "service_fee", "amount": "3000", "months": 3}],
            "total_held": "10000",
            "fixed_assets_net": "100000",
            "fixed_assets_pledged": "0",
        },
        "balance_create": {
            "month": f"{last_month:%Y-%m}",
            "residents": 1,
            **dict.fromkeys(
                (
                    "service_fees_monthly",
                    "bed_fees_monthly",
                    "service_balance",
                    "deposit_balance",
                    "membership_balance",
                    "custody_balance",
                    "fixed_assets_net",
                    "fixed_assets_pledged",
                ),
                "0",
            ),
        },
    }

    def calls(outsider: bool = False, owner: User | None = None) -> Iterator[tuple[str, str, str]]:
        for method, url, op in operations():
            if url == "/api/v1/auth/token" or scope_of(op.view_func) == PUBLIC:
                continue  # open to anyone (the directory: institutions/tests/test_public.py)
            if scope_of(op.view_func) == PLATFORM:
                continue  # a device platform's token, not a user's (community tests)
            cap = SCOPES.get(scope_of(op.view_func) or "")
            if owner is not None and cap not in (None, AUTHENTICATED) and not owner.can(cap):
                continue  # e.g. recording visits is a village worker's, not a county officer's
            if outsider and SCOPES.get(scope_of(op.view_func) or "") == AUTHENTICATED:
                continue  # open to every logged-in user and touches no record
            if outsider and op.view_func.__name__ in OWN_RESOURCE_CREATORS:
                continue
            names = re.findall(r"\{(\w+)\}", url)
            missing = [n for n in names if n not in path_values]
            assert not missing, f"add a value for {missing} of {url} to this test"
            filled = re.sub(r"\{(\w+)\}", lambda m: path_values[m.group(1)], url)
            name = op.view_func.__name__
            if method in {"POST", "PUT", "PATCH"}:
                assert name in bodies, f"add a body for {method} {url} to this test"
            body = (
                json.dumps(bodies.get(name, {}), ensure_ascii=False)
                if method in {"POST", "PUT", "PATCH"}
                else None
            )
            yield method, filled + (query if method == "GET" and not names else ""), body or ""

    # The outsiders: 220204's officer (a region), and the users bound to objects instead
    # (DESIGN "Scopes"): an operator bound to a 220204 home, an inspector assigned a task
    # there. Each walks every operation on 220102's objects and gets 403 or 404.
    outsiders = {"officer": officer_b, **_bound_outsiders(officer_b, make_user)}
    for who, user in outsiders.items():
        outsider = api_client(user)
        walked = 0
        for method, url, body in calls(outsider=True):
            r = outsider.call(method, url, body or None)
            walked += 1
            if (
                who != "officer"
                and method == "GET"
                and url.endswith(query)
                and r.status_code == 200
            ):
                # A bound user has no jurisdiction to leave: a list under 220102 is
                # simply empty for them (institutions.selectors, supervision_queries.in_region).
                data = r.json()
                rows = data.get("results", data) if isinstance(data, dict) else data
                assert rows == [], f"{who}: {method} {url} -> {data}"
                assert not any(v in r.content.decode() for v in path_values.values() if len(v) > 6)
                continue
            if who != "officer" and method == "POST" and url.endswith("/records"):
                # A batch upload answers per record: the foreign task's record is refused.
                results = r.json()["results"] if r.status_code == 200 else []
                assert all(x["status"] == "rejected" for x in results), (who, url, results)
                continue
            assert r.status_code in (403, 404), f"{who}: {method} {url} -> {r.status_code}"
        assert walked >= 5
    from yanglao.institutions.models import Finding

    finding = Finding.objects.get(public_id=path_values["finding_id"])
    assert finding.status == "open" and not finding.steps.exists()
    assert task.inspections.count() == 1  # the foreign inspector's upload was refused
    target.refresh_from_db()
    assert target.name == NAMES[0] and target.version == 1
    assert Person.objects.filter(region__code__startswith="220204").count() == 0
    assert Person.objects.count() == len(people_a)
    batch.refresh_from_db()
    assert batch.status == "uploaded"  # the outsider could neither validate nor commit it

    owner = api_client(officer_a)
    for method, url, body in calls(owner=officer_a):
        r = owner.call(method, url, body or None)
        assert r.status_code in (200, 201, 204), f"owner {method} {url} -> {r.status_code}"


# --- docs -------------------------------------------------------------------------------


def test_docs_are_public_and_carry_no_data(client: Client, people_a: list[Person]) -> None:
    r = client.get("/api/docs")
    assert r.status_code == 200
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    text = schema.content.decode()
    paths = schema.json()["paths"]
    assert {
        "/api/v1/auth/token",
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/regions/{code}",
    } <= set(paths)
    for p in people_a:
        assert p.name not in text and str(p.public_id) not in text
    assert "BearerAuth" in json.dumps(schema.json()["components"]["securitySchemes"])


@pytest.mark.xfail(
    "ninja" not in django_settings.INSTALLED_APPS,
    strict=True,
    reason="needs 'ninja' in INSTALLED_APPS for the bundled Swagger UI",
)
def test_docs_work_offline(client: Client, regions: None) -> None:
    html = client.get("/api/docs").content.decode()
    assert "cdn." not in html and "unpkg" not in html and "https://" not in html
    for asset in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html):
        assert asset.startswith(django_settings.STATIC_URL), asset
        assert finders.find(asset.removeprefix(django_settings.STATIC_URL)), asset


def test_household_region_dwelling_and_facts_in_the_schema(
    officer_a: User, api_client: Callable[[User], ApiClient]
) -> None:
    """Issue 10: 户籍地 and 居住方式 are written and read; facts and key groups are shown."""
    village = villages("220102")[2]
    c = api_client(officer_a)
    body = {**create_body(village, seq=311), "household_region_code": "220204"}
    r = c.post(PERSONS, body)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["region_code"] == village
    assert out["household_region_code"] == "220204000000" and out["dwelling"] == "home"
    assert out["household_region_name"] and out["dwelling_label"] == "居家"
    assert out["disabilities"] == [] and out["dementia"] == []
    person = Person.objects.get(public_id=out["id"])
    services.disability_add(
        actor=officer_a,
        person=person,
        kind="1",
        grade="2",
        certificate=person.id_number + "12",
        issue_date=date(2024, 1, 1),
    )
    r = c.patch(f"{PERSONS}/{out['id']}", {"version": 1, "dwelling": "institution"})
    assert r.status_code == 200, r.content
    got = r.json()
    assert got["dwelling"] == "institution" and got["household_region_code"] == "220204000000"
    assert got["disabilities"][0]["grade_label"] == "二级"
    assert got["disabilities"][0]["certificate_masked"].endswith("12")
    assert person.id_number not in r.content.decode()
    assert "severe_disability" in got["key_groups"]
    r = c.patch(f"{PERSONS}/{out['id']}", {"version": 2, "household_region_code": "22"})
    assert r.status_code == 422
    assert "household_region_code" in r.json()["errors"]


def test_create_with_arabic_indic_digits_is_refused_not_a_duplicate(
    officer_a: User, api_client: Callable[[User], ApiClient]
) -> None:
    """Issue 15: the same number in Arabic-Indic digits registered a second person."""
    c = api_client(officer_a)
    body = create_body(villages("220102")[0])
    assert c.post(PERSONS, body).status_code == 201
    arabic = "".join(chr(0x0660 + int(d)) if d.isdigit() else d for d in body["id_number"])
    r = c.post(PERSONS, {**body, "id_number": arabic, "region_code": villages("220102")[1]})
    assert r.status_code == 422
    assert "只能使用数字0-9和X" in r.json()["errors"]["id_number"][0]
    assert Person.objects.count() == 1
