"""A small world whose every figure is computed by hand (tests and the browser test).

Period: November 2026, computed on 2026-12-20 (closed: the month closes on 2026-12-06).

Villages: A = first village of 南关区's first township, B = first village of its second
township, C = first village of 船营区. People (ages on 2026-11-30):

| who | village | sex | born       | age | band  | status                 | tags / facts            |
| P1  | A       | F   | 1940-05-01 | 86  | 80-89 | alive                  | 特困 (open)             |
| P2  | A       | M   | 1960-01-01 | 66  | 60-69 | alive                  | —                       |
| P3  | A       | F   | 1930-01-01 | 96  | 90+   | died 2026-10-15        | — (not counted)         |
| P4  | A       | M   | 1950-06-01 | 76  | 70-79 | died 2026-12-10        | — (counted: after as_of)|
| P5  | B       | F   | 1944-12-01 | 81  | 80-89 | alive                  | 低保 (open), 独居 ended  |
| P6  | C       | M   | 1955-03-03 | 71  | 70-79 | alive                  | —                       |

Visits in November: P1 door on 11-05 (counts), P1 phone on 11-20 (does not count for the rate:
the national default counts door and video), P5 none. Roster (key groups on 11-01): P1 (特困,
高龄), P5 (高龄) → 月探访率 A 1/1, B 0/1, 南关区 1/2 = 50.0 %. Visit records: 2 (door 1,
phone 1).
Assessments: P2 final grade 2 on 2026-11-10; P6 final grade 0 on 2024-01-10 (overdue: older
than 12 months on 11-30). asm.done = 1 (grade 2); asm.overdue = 1 of 2 people assessed.
Benefits: P1 holds item "T1" since 2026-01 (recipient), P5 held "T1" from 2025-01 until 2026-11
(stopped in November, reason death → not a November recipient); candidate P2 for "T2" first
found 2026-11-03.
Institutions: a public home in village A (100 beds, 70 nursing, 20 失智照护, insured) and a
private one in C (50 beds, 10 nursing, 5 失智照护, not insured): homes 2, beds 150; 护理型床位占比
(public only) 70.0 %; 失智照护床位 25; 责任险投保率 1/2. Monthly reports: the public home's
October report (what the November period shows: 30 中度 + 10 重度 residents, 12 护理员 + 2 护士,
跌倒 ×2 and 噎食 ×1) and a September one of the private home (not shown in November).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from yanglao.accounts.models import User
from yanglao.assessments.choices import Reason, Standard, Status
from yanglao.assessments.models import Assessment
from yanglao.benefits.choices import StopReason
from yanglao.benefits.models import Candidate, CandidateClosure, ClosureOutcome, Entitlement
from yanglao.institutions.choices import OperatingStatus, Ownership, ProfitKind
from yanglao.institutions.models import Institution, MonthlyReport, ReportIncident
from yanglao.people import services as people_services
from yanglao.people.choices import Category, LifeStatus
from yanglao.people.models import Person, PersonCategory
from yanglao.people.testing import person_input
from yanglao.regions.models import Region
from yanglao.visits.choices import Method, RiskLevel
from yanglao.visits.models import VisitRecord

TZ = ZoneInfo("Asia/Shanghai")
PERIOD = date(2026, 11, 1)
TODAY = date(2026, 12, 20)


@dataclass
class World:
    a: str
    b: str
    c: str
    people: dict[str, Person]


def villages() -> tuple[str, str, str]:
    towns = list(Region.objects.filter(level=4, code__startswith="220102").order_by("code")[:2])
    a, b = (
        Region.objects.filter(level=5, code__startswith=t.code[:9]).order_by("code").first()
        for t in towns
    )
    c = Region.objects.filter(level=5, code__startswith="220204").order_by("code").first()
    assert a and b and c
    return a.code, b.code, c.code


def _person(actor: User, village: str, seq: int, sex: str, born: date, **status: Any) -> Person:
    person, _ = people_services.person_register(
        actor=actor,
        data=person_input(
            village, name="测试" + "甲乙丙丁戊己"[seq - 1], sex=sex, birth=born, seq=seq
        ),
    )
    Person.objects.filter(pk=person.pk).update(created_at=datetime(2020, 1, 1, tzinfo=TZ), **status)
    person.refresh_from_db()
    return person


def build(actor: User) -> World:
    a, b, c = villages()
    P = {
        "P1": _person(actor, a, 1, "F", date(1940, 5, 1)),
        "P2": _person(actor, a, 2, "M", date(1960, 1, 1)),
        "P3": _person(
            actor,
            a,
            3,
            "F",
            date(1930, 1, 1),
            life_status=LifeStatus.DECEASED,
            status_date=date(2026, 10, 15),
        ),
        "P4": _person(
            actor,
            a,
            4,
            "M",
            date(1950, 6, 1),
            life_status=LifeStatus.DECEASED,
            status_date=date(2026, 12, 10),
        ),
        "P5": _person(actor, b, 5, "F", date(1944, 12, 1)),
        "P6": _person(actor, c, 6, "M", date(1955, 3, 3)),
    }
    PersonCategory.objects.create(
        person=P["P1"], category=Category.EXTREME_POVERTY, start_date=date(2020, 1, 1)
    )
    PersonCategory.objects.create(
        person=P["P5"], category=Category.MINIMUM_LIVING, start_date=date(2020, 1, 1)
    )
    PersonCategory.objects.create(
        person=P["P5"],
        category=Category.LIVING_ALONE,
        start_date=date(2020, 1, 1),
        end_date=date(2026, 6, 1),
    )
    for day, method in ((5, Method.DOOR), (20, Method.PHONE)):
        VisitRecord.objects.create(
            client_uuid=f"00000000-0000-0000-0000-0000000000{day:02d}",
            person=P["P1"],
            region_id=a,
            visitor=actor,
            method=method,
            visit_date=date(2026, 11, day),
            visited_at=datetime(2026, 11, day, 10, tzinfo=TZ),
            risk_level=RiskLevel.NORMAL,
        )
    for who, grade, on in (("P2", 2, date(2026, 11, 10)), ("P6", 0, date(2024, 1, 10))):
        Assessment.objects.create(
            person=P[who],
            standard=Standard.GBT_42195,
            reason=Reason.FIRST,
            assessment_date=on,
            status=Status.FINAL,
            final_grade=grade,
            assessor=actor,
        )
    county = Region.objects.get(code="220102000000")
    Entitlement.objects.create(
        person=P["P1"], item_code="T1", county=county, start=date(2026, 1, 1)
    )
    Entitlement.objects.create(
        person=P["P5"],
        item_code="T1",
        county=county,
        start=date(2025, 1, 1),
        end=date(2026, 11, 1),
        stop_reason=StopReason.DEATH,
    )
    Candidate.objects.create(
        person=P["P2"],
        item_code="T2",
        region_id=a,
        first_found=date(2026, 11, 3),
        last_seen=date(2026, 11, 30),
    )
    # Names the nightly run took off the list in November: P1 applied for T2 (a gap closed),
    # P3 no longer qualified (lapsed, not counted); October's closure is another month.
    for pid, closed_on, outcome in (
        ("P1", date(2026, 11, 12), ClosureOutcome.APPLIED),
        ("P3", date(2026, 11, 13), ClosureOutcome.INELIGIBLE),
        ("P1", date(2026, 10, 30), ClosureOutcome.APPLIED),
    ):
        CandidateClosure.objects.create(
            person=P[pid],
            item_code="T2",
            region_id=P[pid].region_id,
            first_found=date(2026, 10, 1),
            closed_on=closed_on,
            outcome=outcome,
        )
    homes = [
        Institution.objects.create(
            credit_code=f"52220102MJ000000{n}X",
            name=f"测试养老院{n}",
            ownership=own,
            profit=ProfitKind.NONPROFIT,
            legal_rep="李四",
            region_id=village,
            address="幸福路1号",
            beds_total=beds,
            beds_nursing=nursing,
            beds_dementia=dementia,
            liability_insured=insured,
            status=OperatingStatus.OPERATING,
        )
        for n, (village, own, beds, nursing, dementia, insured) in enumerate(
            (
                (a, Ownership.PUBLIC, 100, 70, 20, True),
                (c, Ownership.PRIVATE, 50, 10, 5, False),
            )
        )
    ]
    october = MonthlyReport.objects.create(
        institution=homes[0],
        region_id=a,
        month=date(2026, 10, 1),
        due_on=date(2026, 11, 10),
        filed_on=date(2026, 11, 6),
        residents_moderate=30,
        residents_severe=10,
        staff_carer=12,
        staff_nurse=2,
    )
    ReportIncident.objects.create(report=october, kind="fall", count=2)
    ReportIncident.objects.create(report=october, kind="choking", count=1, serious=True)
    MonthlyReport.objects.create(
        institution=homes[1],
        region_id=c,
        month=date(2026, 9, 1),
        due_on=date(2026, 10, 10),
        filed_on=date(2026, 10, 9),
        residents_intact=7,
        staff_carer=3,
    )
    return World(a, b, c, P)
