"""A small community world for tests and the browser test: 南关区 (220102) with a county
officer, a second officer (four eyes), a visit worker, a provider with a manager and a worker,
a person holding 经济困难老年人养老服务补贴 (N04) that pays 助洁 at 20 yuan an hour up to
100 a month, and 船营区 (220204) outsiders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from yanglao.accounts.roles import Role
from yanglao.benefits.models import Entitlement
from yanglao.community import services
from yanglao.community.catalogue import ensure_seeded
from yanglao.community.models import CatalogueItem, Provider
from yanglao.institutions.rules import credit_check_char
from yanglao.people import services as people
from yanglao.people.models import Person
from yanglao.people.testing import person_input

V1 = "220102001001"
OTHER_VILLAGE = "220204001001"


def credit_code(seq: int, area: str = "220102") -> str:
    first17 = f"5{2}{area}MJ{seq:07d}"[:17]
    return first17 + credit_check_char(first17)


def provider_input(seq: int = 1, village: str = V1, **extra: Any) -> services.ProviderInput:
    data = services.ProviderInput(
        credit_code=credit_code(seq, village[:6]),
        name=f"南关区安康居家养老服务中心{seq}",
        kind="home_service",
        region_code=village,
        address="人民大街100号",
        contact="李红",
        phone="13900000000",
        filing_status="filed",
    )
    for k, v in extra.items():
        setattr(data, k, v)
    return data


@dataclass
class CommunityWorld:
    county: Any
    county2: Any
    visit_worker: Any
    manager: Any
    worker: Any
    provider: Provider
    person: Person
    item: CatalogueItem
    entitlement: Entitlement


def make_world(make_user: Any, *, price_from: date = date(2026, 1, 1)) -> CommunityWorld:
    ensure_seeded()
    county = make_user(Role.COUNTY_OFFICER, "220102")
    county2 = make_user(Role.COUNTY_OFFICER, "220102")
    visit_worker = make_user(Role.VISIT_WORKER, V1)
    manager = make_user(Role.PROVIDER_MANAGER, "220102", mode="stats")
    worker = make_user(Role.PROVIDER_WORKER, "220102", mode="stats")
    provider = services.provider_register(actor=county, data=provider_input())
    services.staff_bind(actor=county, provider=provider, user=manager, role="manager")
    services.staff_bind(actor=county, provider=provider, user=worker, role="worker")
    item = CatalogueItem.objects.get(code="SC04")  # 助洁, per hour
    services.price_set(
        actor=county, provider=provider, item=item, unit_price="30", effective_from=price_from
    )
    services.funding_rule_set(
        actor=county,
        region_code="220102000000",
        benefit_code="N04",
        item=item,
        amount_per_unit="20",
        monthly_cap="100",
        effective_from=date(2026, 1, 1),
        document_no="长民发〔2026〕1号",
    )
    person, _ = people.person_register(
        actor=county, data=person_input(V1, name="王桂兰", address="幸福路1号")
    )
    ent = Entitlement.objects.create(
        person=person, item_code="N04", county_id="220102000000", start=date(2026, 1, 1)
    )
    return CommunityWorld(
        county, county2, visit_worker, manager, worker, provider, person, item, ent
    )


def deliver(
    w: CommunityWorld,
    *,
    at: Any,
    hours: Decimal = Decimal(1),
    confirm: bool = True,
) -> Any:
    """One order requested, agreed, dispatched, checked in and out, confirmed."""
    import uuid
    from datetime import timedelta

    order = services.order_request(
        actor=w.county, person=w.person, item=w.item, source="window", quantity=hours
    )
    services.order_agree(actor=w.county, order=order)
    services.order_dispatch(actor=w.county, order=order, provider=w.provider, worker=w.worker)
    cu = uuid.uuid4()
    services.check_in(actor=w.worker, order_id=order.public_id, client_uuid=cu, at=at)
    services.check_out(actor=w.worker, log_uuid=cu, at=at + timedelta(hours=1), quantity=hours)
    out = None
    if confirm:
        out = services.confirm(actor=w.worker, log_uuid=cu, method="signature", signature=PNG)
    return order, cu, out


PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
