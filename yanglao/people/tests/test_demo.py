"""`yanglao demo` and the synthetic-population generator."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.roles import Role
from yanglao.core import crypto, idnumber
from yanglao.core.models import AuditEvent
from yanglao.people import generator
from yanglao.people.choices import Category, LivingArrangement, TagSource
from yanglao.people.models import EmergencyContact, Household, Person, PersonCategory
from yanglao.people.rules import age_on
from yanglao.regions import codes
from yanglao.regions.models import Region

TODAY = date(2026, 3, 1)
PASSWORD = "Yanglao-Demo-2026"


def _villages() -> list[generator.Village]:
    """A handful of villages of the real tree, urban and rural, in three cities."""
    rows = [
        ("220102001001", "华阳社区", "南岭街道"),
        ("220102001002", "恒安社区", "南岭街道"),
        ("220122100201", "伏山村委会", "合隆镇"),
        ("220171100203", "新农村委会（长春经济技术开发区）（省级）", "兴隆山镇"),
        ("220204100200", "大绥河村委会", "大绥河镇"),
        ("222401001001", "新风社区", "建工街道"),
        ("222426103200", "东明村委会", "两江镇"),
    ]
    return generator.make_villages(rows, seed=7)


def _people(seed: int, n: int = 3000) -> list[generator.PersonRow]:
    gen = generator.PopulationGenerator(
        _villages(), seed=seed, today=TODAY, pinned=["220204100200"]
    )
    return list(gen.people(n))


def test_same_seed_same_people_and_id_numbers() -> None:
    a, b = _people(7), _people(7)
    assert [(p.public_id, p.name, p.id_number, p.address, p.phone) for p in a] == [
        (p.public_id, p.name, p.id_number, p.address, p.phone) for p in b
    ]
    assert [[(t.category, t.start_date) for t in p.tags] for p in a] == [
        [(t.category, t.start_date) for t in p.tags] for p in b
    ]
    assert [p.id_number for p in _people(8)] != [p.id_number for p in a]


def test_generated_rows_are_valid_and_consistent() -> None:
    people = _people(11, 6000)  # few villages: many share an area code and birth date
    assert len(people) == 6000
    assert len({p.id_number for p in people}) == 6000
    assert len({p.public_id for p in people}) == 6000
    assert sum(p.region_id == "220204100200" for p in people) >= generator.PINNED_PER_VILLAGE
    urban = {v.code for v in _villages() if v.urban}
    for p in people:
        check = idnumber.validate(p.id_number, today=TODAY, birth_date=p.birth_date, sex=p.sex)
        assert check.ok, (p.id_number, check.errors)
        assert p.id_number[:6] == generator.id_area_code(p.region_id)
        assert 60 <= age_on(p.birth_date, TODAY) <= generator.MAX_AGE
        tags = {t.category for t in p.tags}
        assert (Category.LIVING_ALONE in tags) == (
            p.living_arrangement == [LivingArrangement.ALONE]
        )
        assert not {Category.LIVING_ALONE, Category.EMPTY_NEST} <= tags
        assert (
            len(
                tags
                & {Category.EXTREME_POVERTY, Category.MINIMUM_LIVING, Category.MARGINAL_LOW_INCOME}
            )
            <= 1
        )
        if Category.LEFT_BEHIND in tags:
            assert p.region_id not in urban
        for t in p.tags:
            assert p.birth_date <= t.start_date <= TODAY
            assert (t.grade != "") == (t.category == Category.DISABLED)
        if p.phone:
            assert len(p.phone) == 11 and p.phone.startswith("1")
        assert p.living_arrangement == sorted(p.living_arrangement)
    # Development-zone county 220171 is not an ID address code: the city's 220101 is used.
    assert {p.id_number[:6] for p in people if p.region_id.startswith("220171")} == {"220101"}
    spouses = [p for p in people if p.household is not None]
    assert spouses and Counter(p.household.index for p in spouses).most_common(1)[0][1] == 2  # type: ignore[union-attr]


def test_population_shape() -> None:
    people = _people(3, 20_000)
    n = len(people)
    ages = [age_on(p.birth_date, TODAY) for p in people]
    assert 0.29 < sum(a <= 64 for a in ages) / n < 0.35
    assert 0.115 < sum(a >= 80 for a in ages) / n < 0.16

    def female(low: int, high: int) -> float:
        group = [p for p, a in zip(people, ages, strict=True) if low <= a <= high]
        return sum(p.sex == "F" for p in group) / len(group)

    assert female(60, 69) < female(80, 89) < female(90, 105)
    tags = Counter(t.category for p in people for t in p.tags)
    assert 0.07 < tags[Category.LIVING_ALONE] / n < 0.13
    assert 0.20 < tags[Category.EMPTY_NEST] / n < 0.30
    assert 0.02 < tags[Category.DISABLED] / n < 0.06
    korean = Counter(p.ethnicity == "10" for p in people if p.region_id.startswith("2224"))
    assert korean[True] / (korean[True] + korean[False]) > 0.15


def _run_demo(tmp_path: Path, *args: str) -> tuple[str, list[dict[str, str]]]:
    out = StringIO()
    path = tmp_path / "accounts.json"
    call_command(
        "demo", "--people", "300", "--seed", "7", "--accounts-json", str(path), *args, stdout=out
    )
    return out.getvalue(), json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_demo_command(tmp_path: Path) -> None:
    output, accounts = _run_demo(tmp_path)
    assert Region.objects.filter(level=codes.VILLAGE).count() == 11_860
    assert Person.objects.count() == 300
    assert "已生成 300 名老年人" in output and "人/秒" in output
    # the generator's bulk audit rows are hash-chained like every other audit row (issue 15)
    from yanglao.core import chain

    assert chain.verify().broken is None
    # the dashboards and the bulletin page have figures at once: frozen past months, this month
    from yanglao.statistics.models import Snapshot, SnapshotStatus

    assert Snapshot.objects.filter(status=SnapshotStatus.FROZEN).count() >= 5
    assert Snapshot.objects.filter(period=timezone.localdate().replace(day=1)).exists()
    assert "统计快照：7 个月" in output

    today = timezone.localdate()
    # The demo admits some people to demo institutions: a life event, one more version.
    from yanglao.institutions.models import Residency

    admitted = set(Residency.objects.values_list("person_id", flat=True))
    assert all(
        d == "institution"
        for d in Person.objects.filter(pk__in=admitted).values_list("dwelling", flat=True)
    )
    for p in Person.objects.all():
        number = crypto.decrypt(p.id_number_cipher)
        check = idnumber.validate(number, today=today, birth_date=p.birth_date, sex=p.sex)
        assert check.ok, (number, check.errors)
        assert p.id_number_hash == crypto.lookup_hash(number)
        assert p.id_number_masked == idnumber.mask(number)
        assert number[:6] == generator.id_area_code(p.region_id)
        phone = p.phone
        assert p.phone_hash == crypto.lookup_hash(phone)
        assert p.phone_masked == crypto.mask_phone(phone)
        assert age_on(p.birth_date, today) >= 60
        assert p.version == (2 if p.pk in admitted else 1)
        assert p.life_status == "alive" and p.created_at is not None
        assert isinstance(p.living_arrangement, list) and isinstance(p.income_sources, list)
    # One audit row per generated person, with that person's village (bulk, not one event).
    rows = AuditEvent.objects.filter(action="person.bulk_create")
    assert rows.count() == 300
    at_birth = dict(rows.values_list("object_id", "region_code"))
    assert len(at_birth) == 300
    for pub, region in Person.objects.exclude(pk__in=admitted).values_list(
        "public_id", "region_id"
    ):
        assert at_birth[str(pub)] == region  # the admitted moved to their home's village
    assert all(c == {"via": "generator"} for c in rows.values_list("changes", flat=True))
    regions = Region.objects.in_bulk(set(Person.objects.values_list("region_id", flat=True)))
    assert all(r.level == codes.VILLAGE and r.valid_to is None for r in regions.values())
    assert not PersonCategory.objects.exclude(source=TagSource.DEMO).exists()
    assert not PersonCategory.objects.filter(end_date__isnull=False).exists()
    contact = EmergencyContact.objects.first()
    assert contact is not None and crypto.mask_phone(contact.phone) == contact.phone_masked
    for h in Household.objects.all():
        assert h.members.count() == 2  # couples registered together

    # Accounts: every role, the two visit workers in two counties, each can log in.
    assert {a["role"] for a in accounts} == set(Role.values)
    workers = [a for a in accounts if a["role"] == Role.VISIT_WORKER]
    assert len(workers) == 2 and len({a["region_code"][:6] for a in workers}) == 2
    for a in workers:
        assert Person.objects.filter(region_id=a["region_code"]).count() >= 30
    request = RequestFactory().post("/accounts/login/")
    from django.contrib.auth import authenticate

    for a in accounts:
        assert len(a["region_code"]) == 12
        user = User.objects.get(username=a["username"])
        assert user.check_password(PASSWORD) and a["password"] == PASSWORD
        assert user.role == a["role"]
        assert user.jurisdictions.filter(region_id=a["region_code"]).exists()
        assert authenticate(request, username=a["username"], password=PASSWORD) == user

    event = AuditEvent.objects.get(action="demo.load")
    assert event.changes["people"] == 300 and event.changes["seed"] == 7
    assert event.changes["tags"] == PersonCategory.objects.count()
    ids = sorted(Person.objects.values_list("id", flat=True))
    assert ids == list(range(ids[0], ids[0] + 300))

    # Re-running never duplicates people or accounts.
    output, _ = _run_demo(tmp_path, "--if-empty")
    assert "跳过" in output
    output, _ = _run_demo(tmp_path)
    assert "未生成演示数据" in output
    assert Person.objects.count() == 300
    assert User.objects.count() == len(accounts)
    assert AuditEvent.objects.filter(action="demo.load").count() == 1

    # The id sequence continues after the explicit ids (PostgreSQL setval).
    from yanglao.people.services import person_register
    from yanglao.people.testing import person_input

    officer = User.objects.get(username="county_nanguan")
    person, _ = person_register(
        actor=officer, data=person_input("220102001001", seq=499, birth=date(1930, 1, 2))
    )
    assert person.pk > ids[-1]


def test_parallel_chunks_split_by_id_area_code() -> None:
    """write_population_parallel's plan: every person in exactly one chunk, one chunk per ID
    area code (so ID numbers cannot collide between processes), ids contiguous."""
    villages = _villages()
    chunks = generator.plan_chunks(villages, 10_001, pinned=["220204100200"])
    assert sum(c.quota for c in chunks) == 10_001
    assert len({c.area for c in chunks}) == len(chunks)
    assert {generator.id_area_code(v.code) for c in chunks for v in c.residence} == {
        c.area for c in chunks
    }
    offset = 0
    for c in chunks:
        assert c.offset == offset and all(
            generator.id_area_code(v.code) == c.area for v in c.residence
        )
        offset += c.quota
    assert [c.pinned for c in chunks if c.pinned] == [("220204100200",)]
    # 220171 (a development zone) shares the area code 220101 with nothing else here.
    assert "220101" in {c.area for c in chunks}


def test_a_chunk_is_deterministic_and_lives_in_its_area() -> None:
    villages = _villages()
    chunk = next(c for c in generator.plan_chunks(villages, 4000) if c.area == "220102")

    def run() -> list[tuple[str, str, str]]:
        gen = generator.PopulationGenerator(
            villages, seed=7, today=TODAY, residence=chunk.residence
        )
        return [(p.region_id, p.name, p.id_number) for p in gen.people(chunk.quota)]

    a = run()
    assert a == run() and len(a) == chunk.quota
    assert {r[0][:6] for r in a} == {"220102"}
    assert len({r[2] for r in a}) == len(a)
