"""Demo reports of 南关区, called by `yanglao demo` (演示数据, idempotent: skipped once loaded).

家庭医生签约 (monthly, townships): the two months before last approved for most townships;
last month some submitted on time and waiting for the county, some late, one returned with a
reason, the rest still missing (the county's late list). 残疾老年人 (monthly, villages of
南岭街道): some villages submitted, one late, the others missing. The two quarterly sets:
half of the townships reported last quarter.

The rows are written directly (with one audit event for the batch): the demo has no account
for most townships, and the service would (rightly) refuse a county officer approving a
report the same officer entered.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.db import transaction

from yanglao.accounts.models import User
from yanglao.core.audit import audit
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.reporting import rules
from yanglao.reporting.choices import ReportStatus
from yanglao.reporting.models import DataSet, Report, ReportValue

COUNTY = "220102"
NANLING = "220102001"
BEIJING = ZoneInfo("Asia/Shanghai")


class Out(Protocol):
    def write(self, msg: str, /) -> Any: ...


def _at(d: date) -> datetime:
    return datetime.combine(d, time(10, 0), tzinfo=BEIJING)


def _report(
    ds: DataSet,
    region: Region,
    period: date,
    status: str,
    submitted_on: date | None,
    values: list[int],
    submitter: User | None,
    approver: User | None,
    reason: str = "",
) -> None:
    r = Report.objects.create(
        data_set=ds,
        region=region,
        period=period,
        status=status,
        submitted_at=_at(submitted_on) if submitted_on else None,
        first_submitted_on=submitted_on,
        submitted_by=submitter if submitted_on else None,
        decided_at=_at(submitted_on + timedelta(days=2))
        if submitted_on and status in (ReportStatus.APPROVED, ReportStatus.RETURNED)
        else None,
        decided_by=approver if status in (ReportStatus.APPROVED, ReportStatus.RETURNED) else None,
        return_reason=reason,
    )
    ReportValue.objects.bulk_create(
        ReportValue(report=r, element=e, value=v)
        for e, v in zip(ds.elements.all(), values, strict=False)
    )


def load(out: Out, *, today: date) -> None:
    low, high = codes.subtree_range(f"{COUNTY}000000", codes.COUNTY)
    if Report.objects.filter(region_id__gte=low, region_id__lte=high).exists():
        return
    sets = {ds.code: ds for ds in DataSet.objects.all()}
    if "WJ-JTYS" not in sets or not Region.objects.filter(code=f"{NANLING}000").exists():
        return
    county = User.objects.filter(username="county_nanguan").first()
    township_user = User.objects.filter(username="township_nanling").first()
    townships = list(
        Region.objects.filter(level=codes.TOWNSHIP, code__gte=low, code__lte=high).order_by("code")
    )
    villages = list(
        Region.objects.filter(level=codes.VILLAGE, code__startswith=NANLING).order_by("code")
    )
    n = 0
    with transaction.atomic():
        ds = sets["WJ-JTYS"]
        last = rules.last_complete(ds.period_type, today)
        for back in (2, 1):
            period = rules.shift(ds.period_type, last, -back)
            due = rules.due_date(ds.period_type, period, ds.due_day)
            for i, t in enumerate(townships):
                late = i == 3 and back == 2
                on = due + timedelta(days=4) if late else due - timedelta(days=3)
                _report(
                    ds,
                    t,
                    period,
                    ReportStatus.APPROVED,
                    on,
                    [800 + 37 * i, 40 + i],
                    township_user if t.code.startswith(NANLING) else None,
                    county,
                )
                n += 1
        due = rules.due_date(ds.period_type, last, ds.due_day)
        for i, t in enumerate(townships):
            submitter = township_user if t.code.startswith(NANLING) else None
            if i % 4 == 0:  # on time, waiting for the county (南岭街道 among them)
                on = min(due, today) - timedelta(days=2)
                _report(
                    ds, t, last, ReportStatus.SUBMITTED, on, [820 + 37 * i, 41 + i], submitter, None
                )
            elif i % 4 == 1 and today > due:  # late
                on = min(today, due + timedelta(days=5))
                _report(
                    ds, t, last, ReportStatus.SUBMITTED, on, [815 + 37 * i, 40 + i], submitter, None
                )
            elif i == 2:  # returned by the county
                _report(
                    ds,
                    t,
                    last,
                    ReportStatus.RETURNED,
                    min(due, today) - timedelta(days=1),
                    [99_999, 41],
                    submitter,
                    county,
                    "签约人数超过辖区65周岁以上老年人数，请核实后重新报送",
                )
            else:
                continue  # still missing
            n += 1
        # Village reports of 南岭街道 (残联): half submitted, one late, the rest missing.
        ds = sets["CL-CJLR"]
        last = rules.last_complete(ds.period_type, today)
        due = rules.due_date(ds.period_type, last, ds.due_day)
        for i, v in enumerate(villages):
            if i % 2:
                continue
            late = i == 2 and today > due
            on = (
                min(today, due + timedelta(days=3)) if late else min(due, today) - timedelta(days=1)
            )
            status = ReportStatus.APPROVED if i % 4 == 0 else ReportStatus.SUBMITTED
            _report(
                ds,
                v,
                last,
                status,
                on,
                [6 + i, i % 3],
                None,
                township_user if status == ReportStatus.APPROVED else None,
            )
            n += 1
        # The quarterly sets: half of the townships reported last quarter.
        for code, base in (("WJ-YYJH", (3, 120)), ("ZJ-JZDT", (2, 35))):
            ds = sets[code]
            last = rules.last_complete(ds.period_type, today)
            due = rules.due_date(ds.period_type, last, ds.due_day)
            for i, t in enumerate(townships[::2]):
                _report(
                    ds,
                    t,
                    last,
                    ReportStatus.APPROVED,
                    min(due, today) - timedelta(days=2),
                    [base[0] + i % 3, base[1] + 11 * i],
                    None,
                    county,
                )
                n += 1
        audit(
            actor=None,
            action="reporting.submit",
            object_type="demo",
            object_label=f"演示数据：南关区部门数据报表{n}张",
            region_code=f"{COUNTY}000000",
        )
    out.write(f"部门数据报送演示数据：南关区{n}张报表（含已审核、待审核、迟报、退回和未报）。")
