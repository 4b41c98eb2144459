from datetime import date

import pytest

from yanglao.accounts.roles import Role
from yanglao.core.models import AuditEvent
from yanglao.people import selectors, services
from yanglao.people.choices import Category, LifeStatus
from yanglao.people.models import Person
from yanglao.people.rules import ContactInput
from yanglao.people.testing import person_input
from yanglao.regions.models import Region

pytestmark = pytest.mark.django_db

V_NANGUAN = "220102001001"  # 南关区 南岭街道 华阳社区
V_CHUANYING_PREFIX = "220204"


@pytest.fixture
def village_b(regions) -> str:
    region = Region.objects.filter(level=5, code__startswith=V_CHUANYING_PREFIX).first()
    assert region is not None
    return region.code


@pytest.fixture
def officer(regions, make_user):
    return make_user(Role.COUNTY_OFFICER, "220102")


def test_register_encrypts_hashes_masks_and_audits(officer) -> None:
    data = person_input(V_NANGUAN, contacts=[ContactInput("李强", "child", "13900001111")])
    person, warnings = services.person_register(actor=officer, data=data)
    assert warnings == []
    raw = Person.objects.values("id_number_cipher", "phone_cipher").get(pk=person.pk)
    assert data.id_number not in raw["id_number_cipher"]
    assert "13812345678" not in raw["phone_cipher"]
    assert person.id_number == data.id_number
    assert person.id_number_masked == data.id_number[:6] + "********" + data.id_number[-4:]
    assert person.phone_masked == "138****5678"
    event = AuditEvent.objects.get(action="person.create")
    assert event.actor == officer and event.region_code == V_NANGUAN
    assert data.id_number not in str(event.changes)  # audit never holds the clear number
    assert person.contacts.get().phone == "13900001111"


def test_one_person_per_id_number(officer) -> None:
    services.person_register(actor=officer, data=person_input(V_NANGUAN))
    with pytest.raises(services.PersonInvalid) as exc:
        services.person_register(actor=officer, data=person_input(V_NANGUAN, name="王芳"))
    assert "已在本辖区登记" in exc.value.errors["id_number"][0]


def test_registered_in_another_county_is_named_as_such(officer, make_user, village_b) -> None:
    other = make_user(Role.COUNTY_OFFICER, "220204")
    elsewhere = person_input(village_b)
    services.person_register(actor=other, data=elsewhere)
    here = person_input(V_NANGUAN, id_number=elsewhere.id_number)
    with pytest.raises(services.PersonInvalid) as exc:
        services.person_register(actor=officer, data=here)
    assert "其他地区" in exc.value.errors["id_number"][0]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "张三3"}, "name", "不能含有数字"),
        ({"name": ""}, "name", "请填写姓名"),
        ({"birth": date(1975, 1, 1)}, "birth_date", "未满60周岁"),
        ({"phone": "1381234567"}, "phone", "手机号码应为11位"),
        ({"region_code": "220102001000"}, "region_code", "村（社区）"),
        ({"living_arrangement": ["alone", "spouse"]}, "living_arrangement", "独居"),
        ({"ethnicity": "99"}, "ethnicity", "民族"),
    ],
)
def test_validation_messages(officer, overrides, field, message) -> None:
    data = person_input(V_NANGUAN, **{k: v for k, v in overrides.items() if k == "birth"})
    for key, value in overrides.items():
        if key != "birth":
            setattr(data, key, value)
    with pytest.raises(services.PersonInvalid) as exc:
        services.person_register(actor=officer, data=data)
    assert message in " ".join(exc.value.errors[field])
    assert Person.objects.count() == 0 and not AuditEvent.objects.filter(action="person.create")


def test_birth_date_disagreeing_with_id(officer) -> None:
    data = person_input(V_NANGUAN)
    data.birth_date = date(1945, 3, 16)
    with pytest.raises(services.PersonInvalid) as exc:
        services.person_register(actor=officer, data=data)
    assert "出生日期与身份证号码不一致" in exc.value.errors["id_number"][0]


def test_cannot_register_outside_jurisdiction(officer, village_b) -> None:
    with pytest.raises(services.PersonInvalid) as exc:
        services.person_register(actor=officer, data=person_input(village_b))
    assert "不在您的辖区内" in exc.value.errors["region_code"][0]


def test_stale_version_is_refused_and_nothing_changes(officer) -> None:
    person, _ = services.person_register(actor=officer, data=person_input(V_NANGUAN))
    first = person_input(V_NANGUAN, address="新地址1号")
    services.person_update(actor=officer, person=person, data=first, expected_version=1)
    second = person_input(V_NANGUAN, address="覆盖的地址")
    with pytest.raises(services.StaleVersion) as exc:
        services.person_update(actor=officer, person=person, data=second, expected_version=1)
    assert exc.value.current == 2
    person.refresh_from_db()
    assert person.address == "新地址1号" and person.version == 2
    update = AuditEvent.objects.get(action="person.update")
    assert update.changes["changed"]["address"] == ["幸福路12号", "新地址1号"]


def test_death_ends_tags_and_blocks_edits(officer) -> None:
    person, _ = services.person_register(actor=officer, data=person_input(V_NANGUAN))
    services.person_category_add(
        actor=officer, person=person, category=Category.LIVING_ALONE, start=date(2024, 1, 1)
    )
    services.person_record_death(
        actor=officer,
        person=person,
        on=date(2026, 11, 12),
        reason="病故",
        expected_version=1,
        today=date(2026, 11, 23),
    )
    person.refresh_from_db()
    assert person.life_status == LifeStatus.DECEASED and person.status_date == date(2026, 11, 12)
    assert person.categories.get().end_date == date(2026, 11, 12)
    with pytest.raises(services.PersonInvalid):
        services.person_update(
            actor=officer, person=person, data=person_input(V_NANGUAN), expected_version=2
        )
    with pytest.raises(services.PersonInvalid, match="死亡"):
        services.person_record_move_out(
            actor=officer,
            person=person,
            on=date(2026, 11, 20),
            reason="迁往长春",
            expected_version=2,
            today=date(2026, 11, 23),
        )
    assert AuditEvent.objects.filter(action="person.death").count() == 1


def test_future_death_date_refused(officer) -> None:
    person, _ = services.person_register(actor=officer, data=person_input(V_NANGUAN))
    with pytest.raises(services.PersonInvalid):
        services.person_record_death(
            actor=officer, person=person, on=date(2030, 1, 1), reason="x", expected_version=1
        )


def test_disability_tag_is_not_manual(officer) -> None:
    person, _ = services.person_register(actor=officer, data=person_input(V_NANGUAN))
    with pytest.raises(services.PersonInvalid, match="能力评估"):
        services.person_category_add(
            actor=officer, person=person, category=Category.DISABLED, start=date(2025, 1, 1)
        )


def test_reveal_is_audited_and_needs_the_capability(officer, make_user) -> None:
    person, _ = services.person_register(actor=officer, data=person_input(V_NANGUAN))
    assert (
        services.person_reveal(actor=officer, person=person, field="id_number") == person.id_number
    )
    assert AuditEvent.objects.filter(action="person.reveal_identifier", actor=officer).count() == 1
    worker = make_user(Role.VISIT_WORKER, V_NANGUAN)
    with pytest.raises(services.NotPermitted):
        services.person_reveal(actor=worker, person=person, field="id_number")


def test_household_links_members(officer) -> None:
    a, _ = services.person_register(
        actor=officer, data=person_input(V_NANGUAN, household_no="H001")
    )
    b, _ = services.person_register(
        actor=officer,
        data=person_input(V_NANGUAN, name="张国华", sex="M", seq=2, household_no="H001"),
    )
    assert a.household_id == b.household_id
    assert selectors.household_members(a) == [b]


def test_advanced_age_is_derived(officer) -> None:
    services.person_register(actor=officer, data=person_input(V_NANGUAN, birth=date(1946, 11, 23)))
    services.person_register(
        actor=officer, data=person_input(V_NANGUAN, birth=date(1946, 11, 24), seq=2)
    )
    on = date(2026, 11, 23)
    rows, _ = selectors.person_list(
        user=officer, f=selectors.PersonFilter(category="advanced_age"), on=on
    )
    assert [p.birth_date for p in rows] == [date(1946, 11, 23)]  # 80 today; the other is 79
    counts = selectors.jurisdiction_counts(user=officer, on=on)
    assert counts["age_bands"] == {"60-69": 0, "70-79": 1, "80-89": 1, "90+": 0}


def test_duplicate_candidates_listed_never_merged(officer) -> None:
    services.person_register(actor=officer, data=person_input(V_NANGUAN, name="刘桂兰", seq=1))
    services.person_register(actor=officer, data=person_input("220102001002", name="刘桂兰", seq=2))
    services.person_register(actor=officer, data=person_input(V_NANGUAN, name="刘桂芝", seq=3))
    groups = selectors.duplicate_candidates(user=officer)
    assert [(g["name"], g["n"], len(g["members"])) for g in groups] == [("刘桂兰", 2, 2)]
    assert Person.objects.count() == 3
