"""Demo data of parts 3–4 and 特困 应养尽养, called by `yanglao demo` after the demo homes
(demo.py) exist: the homes file monthly reports for the last three months (one late, the
operator's home still owes last month's), prepaid filings (the 公建民营 home charges 会员费,
breaking 民发〔2024〕19号), monthly balances (one home's custody balance falls, with arrears
and a complaint: top of the risk list) and 特困 requests for central support (one placed,
the others waiting on the 应养尽养 list). Idempotent: skipped once loaded."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

from django.db import transaction

from yanglao.accounts.models import User
from yanglao.institutions import queries_reports as queries
from yanglao.institutions import report_rules as rr
from yanglao.institutions import reports
from yanglao.institutions.demo import Out
from yanglao.institutions.models import Institution, PrepaidFiling, SupportRequest
from yanglao.institutions.prepaid_rules import Item
from yanglao.institutions.services import resident_admit
from yanglao.people import groups
from yanglao.people.choices import Category, Dwelling, LifeStatus
from yanglao.people.models import Person

OFFICERS = {"220102": "county_nanguan", "220204": "county_chuanying"}


def _actor(inst: Institution) -> User | None:
    op = inst.operators.first()
    return op or User.objects.filter(username=OFFICERS.get(inst.region_id[:6], "")).first()


def load(out: Out, *, today: date) -> None:
    homes = list(Institution.objects.filter(name__endswith="（演示）").order_by("credit_code"))
    if not homes or PrepaidFiling.objects.filter(institution__in=homes).exists():
        return
    last = rr.last_complete_month(today)
    months = [rr.add_months(last, -i) for i in (2, 1, 0)]
    filed = late = 0
    with transaction.atomic():
        for n, inst in enumerate(homes):
            actor = _actor(inst)
            if actor is None:
                continue
            operator_home = inst.operators.exists()
            for m in months:
                if inst.first_admission_on is None or rr.month_end(m) < inst.first_admission_on:
                    continue
                if operator_home and m == last:
                    continue  # still owed: the operator's reminder and the county's list
                due = rr.report_due(m, queries.limits_for(inst.region_id, m).report_due_day)
                is_late = n == 0 and m == months[0]
                figures = queries.prefill(inst.pk, m) | {
                    "staff_carer": 4 + n,
                    "staff_nurse": 1,
                    "staff_doctor": 1 if n == 0 else 0,
                    "staff_manager": 2,
                }
                reports.report_file(
                    actor=actor,
                    institution=inst,
                    data=reports.ReportInput(
                        month=m,
                        figures=figures,
                        fees_collected=D(2600) * sum(queries.prefill(inst.pk, m).values()) / 2,
                        incidents=[reports.Incident("fall", 1)] if m == months[1] else [],
                    ),
                    today=due + timedelta(days=6) if is_late else due - timedelta(days=2),
                )
                filed += 1
                late += is_late
            public = inst.ownership != "private"
            items = [Item("service_fee", D(7800), months=3)]
            if inst.ownership == "public_private":
                items.append(Item("membership", D(20_000)))  # 公建民营 may not: a violation
            elif not public:
                items.append(Item("deposit", D(12_000), bed_fee=D(1000)))
            reports.prepaid_file(
                actor=actor,
                institution=inst,
                data=reports.PrepaidInput(
                    items=items,
                    total_held=D(300_000),
                    fixed_assets_net=D(5_000_000),
                    fixed_assets_pledged=D(0),
                    custody_bank="演示银行长春分行",
                    custody_account="2205010099990001",
                    risk_reserve=D(100_000),
                ),
                today=months[0] + timedelta(days=3),
            )
            falling = inst.name.startswith("幸福里")
            for m in months[1:]:
                custody = D(60_000) if falling and m == last else D(180_000)
                reports.balance_report(
                    actor=actor,
                    institution=inst,
                    data=reports.BalanceInput(
                        month=m,
                        residents=10,
                        service_fees_monthly=D(26_000),
                        bed_fees_monthly=D(10_000),
                        service_balance=D(78_000),
                        deposit_balance=D(0) if public else D(100_000),
                        membership_balance=D(20_000)
                        if inst.ownership == "public_private"
                        else D(0),
                        custody_balance=custody,
                        fixed_assets_net=D(5_000_000),
                        fixed_assets_pledged=D(0),
                        arrears=D(30_000) if falling and m == last else D(0),
                    ),
                    today=rr.report_due(m, 10),
                )
            if falling:
                officer = User.objects.filter(username=OFFICERS["220102"]).first()
                if officer is not None:
                    reports.complaint_record(
                        actor=officer,
                        institution=inst,
                        received_on=today - timedelta(days=5),
                        summary="家属反映退住后押金两个月未退（演示）",
                        about_prepaid=True,
                        today=today,
                    )
        requests = _tekun_requests(today)
    out.write(
        f"机构月报与预收费演示数据：{filed} 份月报（{late} 份逾期），"
        f"{len(homes)} 份预收费报备，{requests} 份特困集中供养申请。"
    )


def _tekun_requests(today: date) -> int:
    """Three 特困 people of 南关区 ask for central support; the first is placed in the public
    home (a life event: they leave the home-visit roster), the others wait on the list."""
    officer = User.objects.filter(username=OFFICERS["220102"]).first()
    if officer is None or SupportRequest.objects.exists():
        return 0
    people = list(
        Person.objects.filter(
            region__code__startswith="220102",
            life_status=LifeStatus.ALIVE,
            dwelling=Dwelling.HOME,
        )
        .filter(groups.q(today, [Category.EXTREME_POVERTY]))
        .order_by("id")[:3]
    )
    public = Institution.objects.filter(name="南关区社会福利中心（演示）").first()
    for n, p in enumerate(people):
        reports.support_request(
            actor=officer,
            id_number=p.id_number,
            requested_on=today - timedelta(days=60 - 10 * n),
            note="演示",
            today=today,
        )
        if n == 0 and public is not None:
            resident_admit(
                actor=officer,
                institution=public,
                id_number=p.id_number,
                bed=None,
                start=today - timedelta(days=7),
                care_grade="中度失能",
                today=today,
            )
    return len(people)
