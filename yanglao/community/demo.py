"""Demo community services, called by `yanglao demo` after the demo accounts exist: 南关区
providers (a home-service firm, a 家政+养老 firm, a canteen operator), an embedded centre and a
canteen, prices, funding rules (经济困难老年人养老服务补贴 N04 pays 助洁 and 助餐), the provider
manager and worker accounts bound to the first provider, orders in every state and last month
settled and approved (four eyes). Idempotent: skipped once loaded. Everything is marked 演示."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.benefits.models import Entitlement
from yanglao.community import services
from yanglao.community import settlement_rules as sr
from yanglao.community.models import CatalogueItem, Provider
from yanglao.institutions.rules import credit_check_char
from yanglao.people.choices import Dwelling, LifeStatus
from yanglao.people.models import Person
from yanglao.regions import codes
from yanglao.regions.models import Region

COUNTY = "220102"
SIGNATURE = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAC"
    "hwGA60e6kgAAAABJRU5ErkJggg=="
)


class Out(Protocol):
    def write(self, msg: str, /) -> Any: ...


def _credit(seq: int) -> str:
    first17 = f"92{COUNTY}MA{seq:07d}"[:17]
    return first17 + credit_check_char(first17)


PROVIDERS = (
    (1, "南关区安康居家养老服务中心（演示）", "home_service", "人民大街1001号"),
    (2, "南岭家政养老服务有限公司（演示）", "housekeeping", "南岭大街56号"),
    (3, "南关区邻里助餐服务社（演示）", "catering", "自由大路220号"),
)
PRICES = {1: {"SC04": "35", "SC03": "60", "BC01": "45", "VC01": "20"}, 2: {"SC04": "32"}}
PRICES[3] = {"SC01": "15", "SC02": "12"}


def _at(day: date, hour: int) -> datetime:
    at = datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())
    return min(at, timezone.now() - timedelta(hours=2))


def load(out: Out, *, today: date) -> None:
    if Provider.objects.filter(name__endswith="（演示）").exists():
        return
    county = User.objects.filter(username="county_nanguan").first()
    finance = User.objects.filter(username="county_nanguan_finance").first()
    manager = User.objects.filter(username="provider_nanguan").first()
    worker = User.objects.filter(username="provider_worker_nanguan").first()
    if county is None or finance is None or manager is None or worker is None:
        return
    low, high = codes.subtree_range(codes.pad(COUNTY))
    people = list(
        Person.objects.filter(
            region_id__gte=low,
            region_id__lte=high,
            life_status=LifeStatus.ALIVE,
            dwelling=Dwelling.HOME,
        ).order_by("id")[:12]
    )
    if len(people) < 8:
        return
    items = {i.code: i for i in CatalogueItem.objects.all()}
    this_month = sr.month_start(today)
    last_month = sr.month_start(this_month - timedelta(days=1))
    with transaction.atomic():
        providers: dict[int, Provider] = {}
        for seq, name, kind, address in PROVIDERS:
            providers[seq] = services.provider_register(
                actor=county,
                data=services.ProviderInput(
                    credit_code=_credit(seq),
                    name=name,
                    kind=kind,
                    region_code=people[seq].region_id,
                    address=address,
                    contact="演示联系人",
                    phone="043188880000",
                    filing_status="filed",
                    filed_on=date(2025, 3, 1),
                ),
            )
            for code, price in PRICES[seq].items():
                services.price_set(
                    actor=county,
                    provider=providers[seq],
                    item=items[code],
                    unit_price=price,
                    effective_from=date(2025, 1, 1),
                )
        home = providers[1]
        services.staff_bind(actor=county, provider=home, user=manager, role="manager")
        services.staff_bind(actor=county, provider=home, user=worker, role="worker")
        village = Region.objects.get(code=people[0].region_id)
        services.facility_register(
            actor=county,
            data=services.FacilityInput(
                name="南岭街道社区嵌入式养老服务中心（演示）",
                kind="embedded_center",
                region_code=village.code,
                address="南岭大街88号",
                provider=home,
                longitude=Decimal("125.327"),
                latitude=Decimal("43.857"),
                opening_hours="周一至周日 8:00–18:00",
                capacity=60,
                staff_on_duty=8,
                filing_status="filed",
            ),
        )
        services.facility_register(
            actor=county,
            data=services.FacilityInput(
                name="南关区敬老餐厅（演示）",
                kind="canteen",
                region_code=people[3].region_id,
                address="自由大路220号",
                provider=providers[3],
                longitude=Decimal("125.336"),
                latitude=Decimal("43.871"),
                opening_hours="每日 11:00–13:00，17:00–18:30",
                capacity=150,
                staff_on_duty=6,
                filing_status="filed",
            ),
        )
        for code, amount, cap in (("SC04", "20", "100"), ("SC01", "8", "240")):
            services.funding_rule_set(
                actor=county,
                region_code=codes.pad(COUNTY),
                benefit_code="N04",
                item=items[code],
                amount_per_unit=amount,
                monthly_cap=cap,
                effective_from=date(2025, 1, 1),
                document_no="演示：南关区居家养老服务补贴使用办法",
            )
        served = people[:6]
        # 经济困难老年人养老服务补贴, used as service vouchers (演示: held by the served).
        for p in served[:4]:
            Entitlement.objects.get_or_create(
                person=p,
                item_code="N04",
                defaults={"county_id": codes.pad(COUNTY), "start": date(2025, 1, 1)},
            )
        # Last month: 助洁 for six people, confirmed by signature, SMS or at the window.
        n = 0
        for i, p in enumerate(served):
            for k in range(4):
                day = last_month + timedelta(days=2 + 6 * k + i)
                _deliver(county, worker, home, p, items["SC04"], _at(day, 9 + k), i + k)
                n += 1
        # One not confirmed yet (refused in the roll, with its reason).
        _deliver(
            county, worker, home, people[6], items["SC04"], _at(last_month + timedelta(18), 10), -1
        )
        s = services.settlement_generate(
            actor=county, provider=home, county_code=COUNTY, month=last_month
        )
        services.settlement_approve(actor=finance, settlement=s)
        # This month: orders in every state.

        def req(person: Person, item: Any, note: str = "") -> Any:
            return services.order_request(
                actor=county, person=person, item=item, source="window", note=note
            )

        req(people[7], items["SC04"], "演示：待受理")
        bath = req(people[8] if len(people) > 8 else people[7], items["SC03"], "演示：助浴需先评估")
        services.order_agree(actor=county, order=bath)
        agreed = req(people[1], items["VC01"])
        services.order_agree(actor=county, order=agreed)
        for p in people[2:4]:
            o = req(p, items["SC04"], "演示：待上门")
            services.order_agree(actor=county, order=o)
            services.order_dispatch(actor=county, order=o, provider=home, worker=worker)
        gone = req(people[4], items["SC04"])
        services.order_cancel(actor=county, order=gone, reason="家属已自行安排")
        miss = req(people[5], items["SC04"])
        services.order_agree(actor=county, order=miss)
        services.order_dispatch(actor=county, order=miss, provider=home, worker=worker)
        services.order_no_show(actor=manager, order=miss, on=today, note="老人外出就医，不在家")
    out.write(
        f"居家社区服务演示数据：{len(PROVIDERS)} 家服务商、2 处设施，上月 {n} 次上门服务已结算并审核。"
    )


def _deliver(
    county: User, worker: User, provider: Provider, person: Person, item: Any, at: datetime, k: int
) -> None:
    order = services.order_request(
        actor=county, person=person, item=item, source="family" if k % 2 else "window"
    )
    services.order_agree(actor=county, order=order)
    services.order_dispatch(actor=county, order=order, provider=provider, worker=worker)
    cu = uuid.uuid4()
    services.check_in(
        actor=worker,
        order_id=order.public_id,
        client_uuid=cu,
        at=at,
        latitude=43.86,
        longitude=125.33,
    )
    services.check_out(actor=worker, log_uuid=cu, at=at + timedelta(minutes=80))
    if k < 0:
        return
    if k % 3 == 2:
        services.confirm(actor=county, log_uuid=cu, method="window")
    else:
        services.confirm(
            actor=worker,
            log_uuid=cu,
            method="signature",
            signature=SIGNATURE,
            rating=5 - k % 2,
            evaluation="服务认真" if k % 2 else "",
        )
