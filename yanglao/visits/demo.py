"""Demo visits for `yanglao demo`: assignments, six months of tasks and visits in 南岭街道
(南关区) and the 船营区 demo village, follow-ups and one open emergency, so that `make run` shows the
worker's list, the officers' board and the coverage trend with realistic figures.

Written in bulk like the demo population (people.generator), not through the services: it
is synthetic history. Runs only while no visit record exists, so it is safe to call again.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.people import groups
from yanglao.people.choices import Dwelling, LifeStatus
from yanglao.people.models import Person
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.visits import policy, rules, services
from yanglao.visits.choices import (
    SPECIAL_CATEGORIES,
    Area,
    FindingLevel,
    FollowUpKind,
    Method,
    RiskLevel,
    TaskStatus,
)
from yanglao.visits.models import FollowUp, VisitRecord, VisitSubject, VisitTask

TOWNSHIP = "220102001"  # 南岭街道, where the demo worker and township officer work
MONTHS = 6  # of visits, for the trend chart
TASK_MONTHS = 3  # of tasks (the whole province's: kept short so the demo stays quick)
NOTES = {
    Area.HEALTH: ["血压偏高，嘱按时服药", "腿脚不便，行走需搀扶", "近期感冒已好转"],
    Area.SAFETY: ["燃气灶老化，建议更换", "卫生间无扶手，易滑倒", "冬季取暖需检查"],
    Area.ECONOMY: ["收入较低，建议核查低保", "医药费负担较重"],
    Area.FAMILY: ["子女在外地，每月电话一次", "子女较少探望"],
    Area.NEEDS: ["希望有人上门送餐", "需要助浴服务"],
    Area.MENTAL: ["独居较孤独，情绪低落", "记忆力明显下降"],
}


@dataclass
class DemoReport:
    subjects: int = 0
    tasks: int = 0
    visits: int = 0
    follow_ups: int = 0


def _special(on: date) -> Q:
    return groups.q(on, SPECIAL_CATEGORIES) & Q(dwelling=Dwelling.HOME)


def _findings(rng: random.Random, risk: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for area in Area:
        bad = risk != RiskLevel.NORMAL and rng.random() < 0.5
        level = FindingLevel.CONCERN if bad else FindingLevel.OK
        out[area.value] = {"level": level, "note": rng.choice(NOTES[area]) if bad else ""}
    return out


def populate(*, villages: dict[str, Region], today: date, seed: int = 5) -> DemoReport | None:
    """Demo visits; None when there are already visit records (nothing is added)."""
    if VisitRecord.objects.exists():
        return None
    rng = random.Random(seed)
    report = DemoReport()
    policy.ensure_national_defaults()
    nanling, chuanying = villages["village:nanling"], villages["village:chuanying"]
    low, high = codes.subtree_range(codes.pad(TOWNSHIP))
    with transaction.atomic():
        # 南岭街道: the demo village worker for her community (the township officer as
        # backup), the township officer for the other communities; plus the 船营区 village.
        officer = User.objects.filter(username="township_nanling").first()
        village_users = {
            nanling.code: User.objects.filter(username="village_nanling").first(),
            chuanying.code: User.objects.filter(username="village_chuanying").first(),
        }
        people = list(
            Person.objects.filter(life_status=LifeStatus.ALIVE)
            .filter(
                Q(region_id__gte=low, region_id__lte=high) | Q(region_id=chuanying.code),
                _special(today),
            )
            .only("id", "region_id")
        )
        subjects = []
        for p in people:
            worker = village_users.get(p.region_id) or officer
            backup = officer if p.region_id == nanling.code else None
            subjects.append(
                VisitSubject(person_id=p.pk, region_id=p.region_id, worker=worker, backup=backup)
            )
        VisitSubject.objects.bulk_create(subjects, ignore_conflicts=True)
        report.subjects = len(subjects)
        visitor_of = {s.person_id: s.worker for s in subjects if s.worker is not None}

        first = rules.month_start(today)
        months = [rules.add_months(first, -i) for i in range(MONTHS - 1, -1, -1)]
        for m in months[-TASK_MONTHS:]:
            report.tasks += services.tasks_generate(month=m).total

        # Visits: completion climbing towards the 100% target month by month; each township
        # a little different; some phone calls, which do not count by default.
        village_skill: dict[str, float] = {}
        records: list[VisitRecord] = []
        for i, m in enumerate(months):
            last = min(rules.month_end(m), today)
            roster = [p for p in people if p.pk in visitor_of]
            for p in roster:
                skill = village_skill.setdefault(p.region_id, rng.uniform(0.0, 0.08))
                base = 0.78 + 0.035 * i + skill
                if m == first:
                    base *= min(1.0, (today.day + 3) / 30)  # the month is still running
                if rng.random() > base:
                    continue
                day = m + timedelta(days=rng.randrange((last - m).days + 1))
                method = rng.choices(
                    [Method.DOOR, Method.VIDEO, Method.PHONE], weights=[72, 14, 14]
                )[0]
                risk = rng.choices(
                    [RiskLevel.NORMAL, RiskLevel.ATTENTION, RiskLevel.HIGH], weights=[84, 13, 3]
                )[0]
                records.append(
                    VisitRecord(
                        client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                        person_id=p.pk,
                        region_id=p.region_id,
                        visitor=visitor_of[p.pk],
                        method=method,
                        visit_date=day,
                        visited_at=timezone.make_aware(
                            datetime.combine(day, time(rng.randint(8, 17), rng.choice((0, 30))))
                        ),
                        location="老人家中" if method == Method.DOOR else "",
                        findings=_findings(rng, risk),
                        summary="" if risk == RiskLevel.NORMAL else "已告知家属，下次巡访复查",
                        risk_level=risk,
                    )
                )
        VisitRecord.objects.bulk_create(records, batch_size=2000)
        report.visits = len(records)

        # Tasks fulfilled by a counted visit in their period (door and video by default).
        counted = VisitRecord.objects.filter(
            person=OuterRef("person"),
            visit_date__gte=OuterRef("period_start"),
            visit_date__lte=OuterRef("period_end"),
            method__in=sorted(rules.DEFAULT_COUNTING),
        ).order_by("visit_date")
        VisitTask.objects.filter(Exists(counted)).update(
            status=TaskStatus.VISITED, visit=Subquery(counted.values("pk")[:1])
        )
        services.tasks_tick(today=today)

        # Follow-ups on some visits of the last two months; one open emergency in 南岭.
        recent = [r for r in records if r.visit_date >= rules.add_months(first, -1)]
        fus = []
        for r in recent:
            if r.risk_level == RiskLevel.ATTENTION and rng.random() < 0.4:
                fus.append(
                    FollowUp(
                        record=r,
                        region_id=r.region_id,
                        kind=FollowUpKind.SERVICE,
                        note=rng.choice(["社区助餐点", "家庭医生签约", "适老化改造评估"]),
                        due_date=r.visit_date + timedelta(days=14),
                    )
                )
        alarm = next((r for r in reversed(recent) if r.region_id == nanling.code), None)
        if alarm is not None:
            fus.append(
                FollowUp(
                    record=alarm,
                    region_id=alarm.region_id,
                    kind=FollowUpKind.EMERGENCY,
                    note="老人在家摔倒，已拨打120送医",
                    call_made=True,
                )
            )
            VisitRecord.objects.filter(pk=alarm.pk).update(
                risk_level=RiskLevel.EMERGENCY, summary="老人在家摔倒，已拨打120送医"
            )
        FollowUp.objects.bulk_create(fus)
        report.follow_ups = len(fus)
        high_risk = {r.person_id for r in records if r.risk_level == RiskLevel.HIGH}
        if alarm is not None:
            high_risk.add(alarm.person_id)
        VisitSubject.objects.filter(person_id__in=high_risk).update(risk_level=RiskLevel.HIGH)
    return report
