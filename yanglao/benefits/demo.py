"""Demo data for the service list and subsidies, called by `yanglao demo` after the demo
accounts exist: 南关区 amounts (marked 演示数据), a local item, people already receiving
高龄津贴, applications waiting at each level in 南岭街道, last month's approved roll, a death
after it, this month's draft roll and a nightly run. Idempotent: skipped once loaded."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.benefits import catalog, query, rules, services
from yanglao.benefits.models import Entitlement, OverlapRule, ServiceItem
from yanglao.core import crypto
from yanglao.people import services as people_services
from yanglao.people.choices import LifeStatus
from yanglao.people.models import Person


class Out(Protocol):
    def write(self, msg: str, /) -> Any: ...


COUNTY = "220102000000"
DOC = "南民发〔2025〕8号（演示）"
RECEIVING_SHARE = 3  # 2 of 3 eligible already receive 高龄津贴; the rest are discovery's


def demo_account(n: int) -> str:
    """A plausible 19-digit bank card number (银联 BIN 621700, Luhn check digit) for demo
    person `n`: every demo entitlement can be paid, so a demo roll can be approved."""
    body = f"621700{n:012d}"
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def _publish(actor: User, code: str, values: list[str], **kw: Any) -> None:
    base = ServiceItem.objects.get(code=code, region__isnull=True)
    upper = query.resolve_item(COUNTY, code, date(2025, 1, 1))
    bands = upper.standard if upper else base.standard
    services.item_publish(
        actor=actor,
        region_code=COUNTY,
        data=services.ItemInput(
            code=code,
            name=base.name,
            category=base.category,
            target=base.target,
            rule=kw.pop("rule", base.rule),
            standard=[{**b, "value": v} for b, v in zip(bands, values, strict=True)],
            effective_from=date(2025, 1, 1),
            document_no=DOC,
            unit=base.unit,
            payable=base.payable,
            discover=base.discover,
            department=base.department,
            provisional=True,
            note="演示数据，非真实标准",
            **kw,
        ),
    )


def load(out: Out, today: date | None = None) -> None:
    today = today or timezone.localdate()
    catalog.seed(ServiceItem, OverlapRule)
    county = User.objects.filter(username="county_nanguan").first()
    township = User.objects.filter(username="township_nanling").first()
    worker = User.objects.filter(username="village_nanling").first()
    if county is None or township is None or worker is None:
        out.write("未找到南关区演示账号，跳过服务与补贴演示数据。\n")
        return
    if ServiceItem.objects.filter(region_id=COUNTY).exists():
        out.write("服务与补贴演示数据已存在，跳过。\n")
        return
    village = worker.jurisdictions.values_list("region_id", flat=True).first() or ""
    _publish(county, "N06", ["100", "200", "500"])
    _publish(county, "N04", ["80"])
    _publish(county, "N05", ["100", "200", "300", "400"])
    _publish(county, "N07-2", ["100"])  # raised above Jilin's 93
    services.item_publish(
        actor=county,
        region_code=COUNTY,
        data=services.ItemInput(
            code="L01",
            name="独居老人紧急呼叫设备",
            category="caring",
            target="70周岁及以上独居老年人",
            rule={
                "all": [
                    {"kind": "alive"},
                    {"kind": "age", "min": 70},
                    {"kind": "category", "in": ["living_alone"]},
                ]
            },
            standard=[{"band": "每户", "when": None, "value": "1"}],
            unit="台",
            effective_from=date(2025, 1, 1),
            document_no=DOC,
            provisional=True,
            note="演示数据：县级新增项目",
        ),
    )
    this_month = rules.month_start(today)
    last_month = rules.add_months(this_month, -1)
    start = rules.add_months(this_month, -3)
    n06 = query.resolve_item(COUNTY, "N06", today)
    assert n06 is not None
    low, high = COUNTY[:6].ljust(12, "0"), COUNTY[:6].ljust(12, "9")
    eligible = list(
        Person.objects.filter(
            query.eligible_q(n06.rule, today), region_id__gte=low, region_id__lte=high
        )
        .exclude(region_id=village)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    receiving = [pid for i, pid in enumerate(eligible) if i % RECEIVING_SHARE]
    # Demo shortcut: people "already receiving" are written in bulk (as an import of an
    # existing roll would be); everything shown as work in progress goes through services.
    with transaction.atomic():
        Entitlement.objects.bulk_create(
            Entitlement(
                person_id=pid,
                item_code="N06",
                county_id=COUNTY,
                start=start,
                account_cipher=crypto.encrypt(demo_account(pid)),
                account_masked=rules.mask_account(demo_account(pid)),
            )
            for pid in receiving
        )
    in_village = list(
        Person.objects.filter(
            query.eligible_q(n06.rule, today), region_id=village, life_status=LifeStatus.ALIVE
        ).order_by("pk")[:7]
    )
    apps = []
    for i, p in enumerate(in_village):
        app = services.application_create(
            actor=worker,
            person=p,
            item_code="N06",
            account=demo_account(p.pk),
            note="本人申请，户口簿、身份证已核验",
            today=rules.add_months(today, -1) if i < 2 else today,
        )
        apps.append(app)
    for app in apps[:4]:
        services.application_decide(
            actor=township, application=app, approve=True, reason="经入户核实，情况属实"
        )
    services.application_decide(actor=county, application=apps[0], approve=True, reason="同意")
    if len(apps) > 6:
        services.application_decide(
            actor=township,
            application=apps[6],
            approve=False,
            reason="未提供户籍证明",
            reason_code="documents",
        )
    previous = services.roll_generate(actor=county, county_code=COUNTY, month=last_month)
    services.roll_approve(actor=county, roll=previous)
    # A death after last month's roll was approved: stopped from this month.
    dead = Person.objects.filter(pk__in=receiving[:1]).first()
    if dead is not None:
        people_services.person_record_death(
            actor=county,
            person=dead,
            on=last_month.replace(day=12),
            reason="病故（演示）",
            expected_version=dead.version,
            today=today,
        )
    if len(apps) > 1:  # approved late: back-paid from the month of acceptance
        services.application_decide(actor=county, application=apps[1], approve=True, reason="同意")
    current = services.roll_generate(actor=county, county_code=COUNTY, month=this_month)
    result = services.nightly(on=today)
    out.write(
        f"服务与补贴：南关区清单（演示标准）、{len(receiving):,} 人享受高龄津贴、"
        f"{len(apps)} 件申请在办、{last_month:%Y年%m月}名册已审定、{this_month:%Y年%m月}名册草稿"
        f"（{current.totals['amount']} 元），应保未保 {sum(result['candidates'].values()):,} 人次。\n"
    )
