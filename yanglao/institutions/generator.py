"""A synthetic province of care homes at the national density, for the benchmark and for
trying the supervision lists at scale: homes spread over the counties by their older
population, with beds, monthly reports, prepaid filings and balances, complaints and a few
stop notices. Set-based: bulk inserts, a fixed number of statements per table.

National density (issue 11 part 11): about 40,000 homes and 5 million beds for 297 million
people aged 60+, i.e. for Jilin's 5.55 M older people about 750 homes and 95,000 beds. County
weights are the people generator's village weights (people.generator.make_villages: each
city's 60+ count from the 7th census, split urban/rural), summed per county.

Generated homes are named “…（生成）” and carry credit codes 5 2 <county> G <8 digits>;
`clear()` removes them and everything hanging off them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from yanglao.core.audit import Entry, audit_many
from yanglao.institutions import report_rules as rr
from yanglao.institutions.choices import OperatingStatus, Ownership, ProfitKind
from yanglao.institutions.models import (
    Complaint,
    Institution,
    MonthlyReport,
    PrepaidBalance,
    PrepaidFiling,
    PrepaidItem,
    ReportIncident,
    StopNotice,
)
from yanglao.institutions.rules import credit_check_char
from yanglao.people.generator import Village

HOMES, BEDS = 750, 95_000  # Jilin at the national average density
SUFFIX = "（生成）"
GENERATE = "institution.generate"
BATCH = 2000


@dataclass(frozen=True)
class Generated:
    homes: int
    beds: int
    reports: int
    balances: int
    filings: int
    complaints: int
    stop_notices: int


def credit_code(county: str, seq: int) -> str:
    first17 = f"52{county}G{seq:08d}"
    return first17 + credit_check_char(first17)


def spread(villages: Sequence[Village], homes: int, rng: random.Random) -> list[Village]:
    """`homes` villages drawn by weight: counties receive homes in proportion to their older
    population (largest remainder per county, then a village within it by weight)."""
    by_county: dict[str, list[Village]] = defaultdict(list)
    for v in villages:
        by_county[v.code[:6]].append(v)
    weight = {c: sum(v.weight for v in vs) for c, vs in by_county.items()}
    total = sum(weight.values())
    quota = {c: homes * w / total for c, w in weight.items()}
    count = {c: int(q) for c, q in quota.items()}
    for c in sorted(quota, key=lambda c: quota[c] - count[c], reverse=True)[
        : homes - sum(count.values())
    ]:
        count[c] += 1
    out: list[Village] = []
    for c in sorted(count):
        vs = by_county[c]
        out += rng.choices(vs, weights=[v.weight for v in vs], k=count[c])
    return out


def bed_sizes(n: int, beds: int, rng: random.Random) -> list[int]:
    """Home sizes (log-normal, about 10–1,000 beds) scaled to add up to `beds` (≥ 1 each;
    `beds` must be at least `n`)."""
    raw = [min(1000.0, max(10.0, rng.lognormvariate(4.6, 0.6))) for _ in range(n)]
    scale = beds / sum(raw)
    sizes = [max(1, round(x * scale)) for x in raw]
    order = sorted(range(n), key=lambda i: -sizes[i])
    diff, i = beds - sum(sizes), 0
    while diff:  # the rounding remainder, one bed at a time over the largest homes
        j = order[i % n]
        step = 1 if diff > 0 else -1
        if sizes[j] + step >= 1:
            sizes[j] += step
            diff -= step
        i += 1
    return sizes


def clear() -> None:
    homes = Institution.objects.filter(name__endswith=SUFFIX)
    for model in (StopNotice, Complaint, PrepaidBalance, MonthlyReport):
        model.objects.filter(institution__in=homes).delete()
    PrepaidFiling.objects.filter(institution__in=homes).delete()
    homes.delete()


def generate(
    villages: Sequence[Village],
    *,
    month: date,
    homes: int = HOMES,
    beds: int = BEDS,
    seed: int = 2026,
) -> Generated:
    """Homes, then for `month` and the month before: reports (about 8 % missing, 5 % late)
    and prepaid balances; a prepaid filing for four homes in five (some breaking a rule),
    complaints for one in twenty, stop notices for one in a hundred."""
    rng = random.Random(seed)
    places = spread(villages, homes, rng)
    sizes = bed_sizes(len(places), beds, rng)
    prev = rr.add_months(month, -1)
    with transaction.atomic():
        clear()
        rows = []
        for seq, (v, size) in enumerate(zip(places, sizes, strict=True), start=1):
            ownership = rng.choices(
                (Ownership.PUBLIC, Ownership.PUBLIC_PRIVATE, Ownership.PRIVATE), (35, 15, 50)
            )[0]
            nursing = round(size * rng.uniform(0.3, 0.8))
            rows.append(
                Institution(
                    credit_code=credit_code(v.code[:6], seq),
                    name=f"{v.township}{v.label}养老院{seq}{SUFFIX}",
                    ownership=ownership,
                    profit=ProfitKind.NONPROFIT
                    if ownership != Ownership.PRIVATE or rng.random() < 0.6
                    else ProfitKind.FORPROFIT,
                    is_tekun=ownership == Ownership.PUBLIC and rng.random() < 0.5,
                    legal_rep="生成数据",
                    region_id=v.code,
                    address=f"{v.township}{v.label}",
                    beds_total=size,
                    beds_nursing=nursing,
                    beds_dementia=round(size * rng.uniform(0, 0.15)),
                    bed_fee_min=Decimal(600),
                    bed_fee_max=Decimal(2000),
                    status=OperatingStatus.OPERATING
                    if rng.random() < 0.97
                    else OperatingStatus.SUSPENDED,
                    filing_status="filed",
                    first_admission_on=date(2020, 1, 1),
                )
            )
        made = Institution.objects.bulk_create(rows, batch_size=BATCH)
        reports: list[MonthlyReport] = []
        balances: list[PrepaidBalance] = []
        filings: list[PrepaidFiling] = []
        complaints: list[Complaint] = []
        notices: list[StopNotice] = []
        for inst in made:
            residents = round(inst.beds_total * rng.uniform(0.4, 0.95))
            fee = Decimal(rng.randrange(1800, 6000, 100))
            custody = (
                Decimal(residents) * fee * Decimal(rng.uniform(0.5, 4)).quantize(Decimal("0.01"))
            )
            falling = rng.random() < 0.05
            for m in (prev, month):
                due = rr.report_due(m, 10)
                r = rng.random()
                if r >= 0.08:  # about 8 % not filed
                    late = r < 0.13
                    reports.append(
                        MonthlyReport(
                            institution=inst,
                            region_id=inst.region_id,
                            month=m,
                            due_on=due,
                            filed_on=due + timedelta(days=rng.randint(1, 20))
                            if late
                            else due - timedelta(days=rng.randint(0, 9)),
                            residents_mild=residents // 3,
                            residents_moderate=residents // 3,
                            residents_severe=residents - 2 * (residents // 3),
                            beds_nursing_used=min(inst.beds_nursing, residents),
                            beds_general_used=max(0, residents - inst.beds_nursing),
                            staff_carer=max(1, residents // 4),
                            staff_nurse=max(1, residents // 30),
                            staff_manager=2,
                            fees_collected=fee * residents,
                        )
                    )
                if rng.random() < 0.95:
                    held = custody if not (falling and m == month) else custody / 3
                    balances.append(
                        PrepaidBalance(
                            institution=inst,
                            region_id=inst.region_id,
                            month=m,
                            residents=residents,
                            service_fees_monthly=fee * residents,
                            bed_fees_monthly=Decimal(1000) * residents,
                            service_balance=custody / 2,
                            deposit_balance=custody / 3,
                            custody_balance=held,
                            fixed_assets_net=Decimal(inst.beds_total) * 150_000,
                            arrears=fee * residents / 2 if falling else Decimal(0),
                            violations=[{"code": "custody", "message": "存管不足", "document": ""}]
                            if falling and m == month
                            else [],
                            reported_on=rr.report_due(m, 10),
                        )
                    )
            if rng.random() < 0.8:
                bad = rng.random() < 0.1
                filings.append(
                    PrepaidFiling(
                        institution=inst,
                        region_id=inst.region_id,
                        filed_on=prev,
                        custody_bank="生成银行",
                        custody_account="6222000000000000",
                        risk_reserve=Decimal(50_000),
                        total_held=custody,
                        fixed_assets_net=Decimal(inst.beds_total) * 150_000,
                        violations=[{"code": "deposit", "message": "押金超限", "document": ""}]
                        if bad
                        else [],
                    )
                )
            if rng.random() < 0.05:
                complaints.append(
                    Complaint(
                        institution=inst,
                        region_id=inst.region_id,
                        received_on=month + timedelta(days=rng.randint(0, 27)),
                        summary="生成数据：退费纠纷",
                        about_prepaid=True,
                    )
                )
            if rng.random() < 0.01:
                notices.append(
                    StopNotice(
                        institution=inst,
                        region_id=inst.region_id,
                        notified_on=month,
                        stop_on=month + timedelta(days=45),
                        reason="生成数据",
                    )
                )
        MonthlyReport.objects.bulk_create(reports, batch_size=BATCH)
        ReportIncident.objects.bulk_create(
            (
                ReportIncident(report=r, kind="fall", count=rng.randint(1, 3))
                for r in reports
                if rng.random() < 0.2
            ),
            batch_size=BATCH,
        )
        PrepaidBalance.objects.bulk_create(balances, batch_size=BATCH)
        PrepaidFiling.objects.bulk_create(filings, batch_size=BATCH)
        PrepaidItem.objects.bulk_create(
            (
                PrepaidItem(filing=f, kind="service_fee", amount=Decimal(10_000), months=6)
                for f in filings
            ),
            batch_size=BATCH,
        )
        Complaint.objects.bulk_create(complaints, batch_size=BATCH)
        StopNotice.objects.bulk_create(notices, batch_size=BATCH)
        audit_many(
            actor=None,
            action=GENERATE,
            object_type="institution",
            entries=(
                Entry(str(i.public_id), i.name, i.region_id, {"generated": True}) for i in made
            ),
        )
    return Generated(
        len(made),
        sum(i.beds_total for i in made),
        len(reports),
        len(balances),
        len(filings),
        len(complaints),
        len(notices),
    )
