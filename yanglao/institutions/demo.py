"""Demo institutions, called by `yanglao demo` after the demo accounts exist: homes in 南关区
and 船营区 with beds and residents from the ledger, the operator account bound to one of them,
a filing waiting for the county and a home that admits people without having filed.
Idempotent: skipped once loaded. Everything is marked 演示."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction

from yanglao.accounts.models import User
from yanglao.institutions import services
from yanglao.institutions.choices import BedKind
from yanglao.institutions.models import Institution
from yanglao.institutions.rules import credit_check_char
from yanglao.people.choices import Dwelling, LifeStatus
from yanglao.people.models import Person
from yanglao.regions import codes
from yanglao.regions.models import Region


class Out(Protocol):
    def write(self, msg: str, /) -> Any: ...


@dataclass(frozen=True)
class DemoHome:
    seq: int
    county: str
    name: str
    ownership: str
    beds: int
    nursing: int
    dementia: int
    residents: int
    filed: bool
    operator: str = ""


HOMES = (
    DemoHome(1, "220102", "南关区社会福利中心（演示）", "public", 120, 80, 20, 12, True),
    DemoHome(
        2, "220102", "南岭颐养院（演示）", "private", 60, 30, 0, 8, False, "institution_nanguan"
    ),
    DemoHome(3, "220102", "幸福里老年公寓（演示）", "private", 40, 10, 0, 5, False),
    DemoHome(4, "220204", "船营区敬老院（演示）", "public_private", 80, 40, 10, 10, True),
)


def _credit(home: DemoHome) -> str:
    authority = "1" if home.ownership != "private" else "5"
    first17 = f"{authority}2{home.county}MJ{home.seq:07d}"[:17]
    return first17 + credit_check_char(first17)


def load(out: Out, *, today: date, keep: tuple[str, ...] = ()) -> None:
    """`keep`: villages whose people stay at home (the demo visit workers' villages)."""
    if Institution.objects.filter(name__endswith="（演示）").exists():
        return
    counties = {
        c: User.objects.filter(username=u).first()
        for c, u in (("220102", "county_nanguan"), ("220204", "county_chuanying"))
    }
    admitted = 0
    with transaction.atomic():
        for home in HOMES:
            officer = (
                counties.get(home.county) or User.objects.filter(username="province_jilin").first()
            )
            village = (
                Region.objects.filter(code__startswith=home.county, level=codes.VILLAGE)
                .exclude(code__in=keep)
                .order_by("code")[home.seq % 5 : home.seq % 5 + 1]
                .first()
            )
            if officer is None or village is None:
                continue
            inst = services.institution_register(
                actor=officer,
                data=services.InstitutionInput(
                    credit_code=_credit(home),
                    name=home.name,
                    ownership=home.ownership,
                    profit="nonprofit",
                    legal_rep="演示负责人",
                    region_code=village.code,
                    address=f"演示路{home.seq}号",
                    beds_total=home.beds,
                    beds_nursing=home.nursing,
                    beds_dementia=home.dementia,
                    fire_approved=True,
                    food_licensed=True,
                    liability_insured=home.ownership != "private",
                    medical="clinic",
                    bed_fee_min=Decimal(800),
                    bed_fee_max=Decimal(1500),
                    care_fee_min=Decimal(300),
                    care_fee_max=Decimal(2000),
                    meal_fee_min=Decimal(600),
                    meal_fee_max=Decimal(900),
                ),
            )
            operator = (
                User.objects.filter(username=home.operator).first() if home.operator else None
            )
            if operator is not None:
                services.operator_bind(actor=officer, institution=inst, user=operator)
            actor = operator or officer
            beds = []
            for i in range(min(home.beds, home.residents + 6)):
                kind = BedKind.NURSING if i % 3 else BedKind.GENERAL
                if home.dementia and i % 7 == 0:
                    kind = BedKind.DEMENTIA
                beds.append(
                    services.bed_add(
                        actor=actor,
                        institution=inst,
                        room=f"{1 + i // 4}0{1 + i // 4 % 9}",
                        number=str(1 + i % 4),
                        kind=kind,
                    )
                )
            low, high = codes.subtree_range(codes.pad(home.county))
            people = (
                Person.objects.filter(
                    region_id__gte=low,
                    region_id__lte=high,
                    life_status=LifeStatus.ALIVE,
                    dwelling=Dwelling.HOME,
                    birth_date__lte=date(today.year - 80, 1, 1),
                )
                .exclude(region_id__in=keep)
                .order_by("-id")[: home.residents]
            )
            for n, p in enumerate(people):
                services.resident_admit(
                    actor=actor,
                    institution=inst,
                    id_number=p.id_number,
                    bed=beds[n],
                    start=today - timedelta(days=30 + 40 * n),
                    bed_fee=Decimal(1200),
                    care_fee=Decimal(900),
                    meal_fee=Decimal(500),
                    care_grade="二级护理" if n % 2 else "一级护理",
                    today=today,
                )
                admitted += 1
            if home.filed:
                f = services.filing_submit(
                    actor=actor,
                    institution=inst,
                    kind="new",
                    documents=["application", "licence", "premises", "fire", "pledge"],
                    pledge=True,
                    today=today - timedelta(days=400),
                )
                services.filing_decide(
                    actor=officer, filing=f, receipt=True, today=today - timedelta(days=395)
                )
            elif home.operator:  # waiting for the county's answer
                services.filing_submit(
                    actor=actor,
                    institution=inst,
                    kind="new",
                    documents=["application", "licence", "fire", "pledge"],
                    pledge=True,
                    today=today,
                )
            # The third home admits people and never filed: on the county's action list.
    out.write(f"养老机构演示数据：{len(HOMES)} 家机构，{admitted} 位老人入住。")
    from yanglao.institutions import rating_demo  # part 7: a graded home, one in 公示

    rating_demo.load(out, today=today)
