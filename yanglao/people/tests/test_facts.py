"""Issue 10: 户籍地 and 居住方式 on the person; disability (残疾人证) and dementia (失智) as facts;
重残 derived, no longer addable by hand; the migration that converts existing data."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms

from yanglao.accounts.roles import Role
from yanglao.core.models import AuditEvent
from yanglao.people import rules, selectors, services
from yanglao.people.choices import Category
from yanglao.people.models import Dementia, Disability, Person
from yanglao.people.testing import certificate_for, make_id_number, person_input
from yanglao.regions.models import Region

pytestmark = pytest.mark.django_db

V = "220102001001"
TODAY = date(2026, 6, 15)
ID = make_id_number("220102", date(1945, 3, 15), "F", 1)


@pytest.fixture
def officer(regions, make_user):
    return make_user(Role.COUNTY_OFFICER, "220102")


@pytest.fixture
def person(officer) -> Person:
    p, _ = services.person_register(actor=officer, data=person_input(V))
    return p


# --- pure validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "grade", "cert", "issued", "field", "message"),
    [
        ("4", "1", ID + "41", date(2020, 1, 1), None, ""),
        ("4", "1", ID.lower() + "41", date(2020, 1, 1), None, ""),  # normalised by the caller
        ("", "1", ID + "41", date(2020, 1, 1), "kind", "残疾类别"),
        ("4", "", ID + "41", date(2020, 1, 1), "grade", "残疾等级"),
        ("4", "1-2", ID + "41", date(2020, 1, 1), "grade", "一级至四级"),  # never by hand
        ("4", "5", ID + "45", date(2020, 1, 1), "grade", "残疾等级"),
        ("4", "1", "", date(2020, 1, 1), "certificate", "请填写"),
        ("4", "1", ID + "4", date(2020, 1, 1), "certificate", "20位"),
        ("4", "1", ID + "411", date(2020, 1, 1), "certificate", "20位"),
        ("4", "1", ID[:17] + "Y41", date(2020, 1, 1), "certificate", "20位"),
        (
            "4",
            "1",
            make_id_number("220102", date(1945, 3, 15), "F", 2) + "41",
            date(2020, 1, 1),
            "certificate",
            "前18位",
        ),
        ("4", "1", ID + "81", date(2020, 1, 1), "certificate", "第19位"),
        ("4", "1", ID + "51", date(2020, 1, 1), "certificate", "智力残疾"),
        ("4", "1", ID + "40", date(2020, 1, 1), "certificate", "第20位"),
        ("4", "1", ID + "42", date(2020, 1, 1), "certificate", "二级"),
        ("4", "1", ID + "41", None, "issue_date", "发证日期"),
        ("4", "1", ID + "41", date(2026, 6, 16), "issue_date", "晚于今天"),
        ("4", "1", ID + "41", date(1945, 3, 14), "issue_date", "早于出生日期"),
    ],
)
def test_check_disability(kind, grade, cert, issued, field, message) -> None:
    errors = rules.check_disability(
        kind=kind,
        grade=grade,
        certificate=rules.normalise_certificate(cert),
        issue_date=issued,
        id_number=ID,
        today=TODAY,
        birth_date=date(1945, 3, 15),
    )
    if field is None:
        assert errors == {}
    else:
        assert message in " ".join(errors[field]), errors


def test_certificate_with_x_check_character() -> None:
    x_id = next(
        n
        for n in (make_id_number("220102", date(1945, 3, 15), "F", s) for s in range(400))
        if n.endswith("X")
    )
    errors = rules.check_disability(
        kind="2",
        grade="3",
        certificate=rules.normalise_certificate(x_id[:17] + "ｘ23"),  # full-width, lower case
        issue_date=date(2020, 1, 1),
        id_number=x_id,
        today=TODAY,
        birth_date=date(1945, 3, 15),
    )
    assert errors == {}


@pytest.mark.parametrize(
    ("source", "on", "field"),
    [
        ("hospital", date(2025, 1, 1), None),
        ("assessment", date(2025, 1, 1), None),
        ("other", TODAY, None),
        ("clinic", date(2025, 1, 1), "source"),
        ("hospital", None, "diagnosed_on"),
        ("hospital", date(2026, 6, 16), "diagnosed_on"),
        ("hospital", date(1945, 3, 14), "diagnosed_on"),
    ],
)
def test_check_dementia(source, on, field) -> None:
    errors = rules.check_dementia(
        source=source, diagnosed_on=on, today=TODAY, birth_date=date(1945, 3, 15)
    )
    assert (list(errors) == [field]) if field else errors == {}


# --- services --------------------------------------------------------------------------------


def test_disability_recorded_encrypted_and_regraded(officer, person) -> None:
    cert = certificate_for(person.id_number, "4", "3")
    row = services.disability_add(
        actor=officer,
        person=person,
        kind="4",
        grade="3",
        certificate=cert,
        issue_date=date(2020, 5, 1),
    )
    raw = Disability.objects.values("certificate_cipher").get(pk=row.pk)["certificate_cipher"]
    assert cert not in raw and row.certificate == cert
    assert row.certificate_masked == person.id_number_masked + "43"
    assert row.start_date == date(2020, 5, 1) and row.source == "manual"
    assert selectors.person_groups(person, TODAY) == ["高龄（80周岁及以上）"]  # 三级: not 重残
    # Re-graded: a new certificate ends the open record on its issue date.
    services.disability_add(
        actor=officer,
        person=person,
        kind="4",
        grade="2",
        certificate=certificate_for(person.id_number, "4", "2"),
        issue_date=date(2025, 1, 1),
    )
    rows = list(Disability.objects.filter(person=person).order_by("start_date"))
    assert [(r.grade, r.end_date) for r in rows] == [("3", date(2025, 1, 1)), ("2", None)]
    assert "重残（一级、二级残疾）" in selectors.person_groups(person, TODAY)
    event = AuditEvent.objects.filter(action="person.disability_add").latest("pk")
    assert person.id_number not in str(event.changes)  # masked only
    assert event.changes["ended"]["grade"] == "3"
    services.disability_end(actor=officer, row=rows[1], end=date(2026, 1, 1))
    assert "重残（一级、二级残疾）" not in selectors.person_groups(person, TODAY)
    with pytest.raises(services.PersonInvalid):
        services.disability_end(actor=officer, row=rows[1], end=date(2026, 2, 1))


def test_disability_refused_changes_nothing(officer, person) -> None:
    with pytest.raises(services.PersonInvalid) as exc:
        services.disability_add(
            actor=officer,
            person=person,
            kind="4",
            grade="1",
            certificate="\x00" + "1" * 19,
            issue_date=date(2020, 1, 1),
        )
    assert "certificate" in exc.value.errors
    assert not Disability.objects.exists()
    assert not AuditEvent.objects.filter(action="person.disability_add").exists()


def test_outsider_cannot_record_facts(person, make_user) -> None:
    from django.http import Http404

    outsider = make_user(Role.COUNTY_OFFICER, "220204")
    with pytest.raises(Http404):
        services.dementia_add(
            actor=outsider, person=person, source="hospital", diagnosed_on=date(2025, 1, 1)
        )
    assert not Dementia.objects.exists()


def test_dementia_recorded_counted_and_withdrawn(officer, person, regions) -> None:
    row = services.dementia_add(
        actor=officer,
        person=person,
        source="hospital",
        diagnosed_on=date(2025, 1, 1),
        reference="吉林大学第一医院",
    )
    assert row is not None
    with pytest.raises(services.PersonInvalid):
        services.dementia_add(
            actor=officer, person=person, source="other", diagnosed_on=date(2025, 2, 1)
        )
    with pytest.raises(services.PersonInvalid) as exc:
        services.dementia_add(
            actor=officer, person=person, source="assessment", diagnosed_on=date(2025, 2, 1)
        )
    assert "评估编号" in exc.value.errors["reference"][0]
    nanguan = Region.objects.get(code="220102000000")
    township = Region.objects.get(code="220102001000")
    other = Region.objects.get(code="220204000000")
    assert selectors.dementia_count(user=officer, region=nanguan, on=TODAY) == 1
    assert selectors.dementia_count(user=officer, region=township, on=TODAY) == 1
    assert selectors.dementia_count(user=officer, region=nanguan, on=date(2024, 12, 31)) == 0
    assert selectors.dementia_count(user=officer, region=other, on=TODAY) == 0
    assert "失能（含失智）" in selectors.person_groups(person, TODAY)
    with pytest.raises(services.PersonInvalid):
        services.dementia_end(actor=officer, row=row, note=" ")
    services.dementia_end(actor=officer, row=row, note="误登记，实为他人")
    assert selectors.dementia_count(user=officer, region=nanguan, on=TODAY) == 0
    assert "失能（含失智）" not in selectors.person_groups(person, TODAY)


def test_severe_disability_tag_no_longer_addable(officer, person) -> None:
    with pytest.raises(services.PersonInvalid) as exc:
        services.person_category_add(
            actor=officer, person=person, category=Category.SEVERE_DISABILITY, start=TODAY
        )
    assert "残疾信息" in exc.value.errors["category"][0]
    from yanglao.people.forms import CategoryAddForm

    field = CategoryAddForm().fields["category"]
    assert isinstance(field, forms.ChoiceField)
    choices = [c for c, _ in list(field.choices)]  # type: ignore[arg-type]
    assert Category.SEVERE_DISABILITY not in choices and Category.LIVING_ALONE in choices


def test_household_region_and_dwelling(officer, regions) -> None:
    p, _ = services.person_register(actor=officer, data=person_input(V))
    assert p.household_region_id == V and p.dwelling == "home"  # blank 户籍 = residence
    # 户籍 in another county (outside the officer's jurisdiction is fine: it is not scoping).
    p2, _ = services.person_register(
        actor=officer,
        data=person_input(V, seq=2, household_region_code="２２０２０４", dwelling="institution"),
    )
    assert p2.household_region_id == "220204000000" and p2.dwelling == "institution"
    assert p2.region_id == V  # residence unchanged: scoping follows it
    for code, message in (
        ("22", "6位"),
        ("220204001", ""),  # a township is fine
        ("2202", "6位"),
        ("220000", "至少具体到县"),
        ("999999", "未找到"),
        ("22020\x00", "6位"),
    ):
        data = person_input(V, seq=3, household_region_code=code)
        if not message:
            person, _ = services.person_register(actor=officer, data=data)
            assert person.household_region_id == "220204001000"
            continue
        with pytest.raises(services.PersonInvalid) as exc:
            services.person_register(actor=officer, data=data)
        assert message in exc.value.errors["household_region_code"][0]
    with pytest.raises(services.PersonInvalid) as exc:
        services.person_register(actor=officer, data=person_input(V, seq=4, dwelling="hotel"))
    assert "居住方式" in exc.value.errors["dwelling"][0]


def test_update_audits_household_region_and_dwelling(officer, person) -> None:
    data = person_input(V, household_region_code="220204", dwelling="institution")
    services.person_update(actor=officer, person=person, data=data, expected_version=1)
    event = AuditEvent.objects.get(action="person.update")
    assert event.changes["changed"]["household_region"] == [V, "220204000000"]
    assert event.changes["changed"]["dwelling"] == ["home", "institution"]


@pytest.mark.django_db(transaction=True)
def test_migration_converts_tags_and_fills_household_region() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("people", "0003_household_region_dwelling_disability_dementia")]
    after = [("people", "0005_household_region_required")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Region_ = apps.get_model("regions", "Region")
    Person_ = apps.get_model("people", "Person")
    Tag_ = apps.get_model("people", "PersonCategory")
    village = Region_.objects.create(code=V, name="测试社区", short_name="测试社区", level=5)
    people_ = [
        Person_.objects.create(
            name=f"测{i}",
            sex="F",
            birth_date=date(1945, 1, 1),
            id_number_cipher="x",
            id_number_hash=f"m{i}",
            id_number_masked="x",
            region=village,
        )
        for i in range(3)
    ]
    assert Person_.objects.filter(household_region__isnull=True).count() == 3
    Tag_.objects.create(
        person=people_[0], category="severe_disability", grade="", start_date=date(2020, 1, 1)
    )
    Tag_.objects.create(
        person=people_[1],
        category="severe_disability",
        grade="三级",
        start_date=date(2019, 1, 1),
        end_date=date(2024, 1, 1),
        source="import",
    )
    Tag_.objects.create(person=people_[2], category="living_alone", start_date=date(2020, 1, 1))
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    assert set(Person.objects.values_list("household_region_id", flat=True)) == {V}
    assert not Person.objects.filter(categories__category="severe_disability").exists()
    assert Person.objects.filter(categories__category="living_alone").count() == 1
    got = sorted(
        Disability.objects.values_list(
            "person__name", "kind", "grade", "start_date", "end_date", "source"
        )
    )
    assert got == [
        ("测0", "", "1-2", date(2020, 1, 1), None, "manual"),
        ("测1", "", "3", date(2019, 1, 1), date(2024, 1, 1), "import"),
    ]
    assert all("重残" in n for n in Disability.objects.values_list("note", flat=True))
    # Backwards: the tags come back, the converted records go.
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    tags = apps.get_model("people", "PersonCategory").objects.filter(category="severe_disability")
    assert sorted(tags.values_list("grade", flat=True)) == ["", "三级"]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
