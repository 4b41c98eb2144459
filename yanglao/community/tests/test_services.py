"""Services of community services: orders from request to confirmation, idempotent check-in
and check-out, SMS codes, life events, and the monthly settlement paid once."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from yanglao.accounts.roles import Role
from yanglao.community import services, sync
from yanglao.community import settlement_rules as sr
from yanglao.community.choices import LogStatus, OrderStatus, SettlementStatus
from yanglao.community.models import ServiceLog, ServiceOrder, SettlementLine
from yanglao.community.testing import CommunityWorld, deliver, provider_input
from yanglao.core.models import AuditEvent
from yanglao.people import services as people

pytestmark = pytest.mark.django_db


def last_month_at(day: int, hour: int = 9) -> datetime:
    first = sr.month_start(timezone.localdate())
    prev = (first - timedelta(days=1)).replace(day=day)
    return datetime(prev.year, prev.month, prev.day, hour, tzinfo=timezone.get_current_timezone())


def test_order_flow_and_audit(world: CommunityWorld) -> None:
    order, _cu, out = deliver(world, at=last_month_at(3))
    order.refresh_from_db()
    assert order.status == OrderStatus.DONE
    log = out.log
    assert log.status == LogStatus.CONFIRMED and log.signature
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    for a in ("order_request", "order_agree", "order_dispatch", "check_in", "check_out", "confirm"):
        assert f"community.{a}" in actions


def test_item_needing_assessment_waits(world: CommunityWorld) -> None:
    from yanglao.community.models import CatalogueItem

    bath = CatalogueItem.objects.get(code="SC03")
    order = services.order_request(
        actor=world.visit_worker, person=world.person, item=bath, source="visit"
    )
    order = services.order_agree(actor=world.visit_worker, order=order)
    assert order.status == OrderStatus.ASSESSING
    with pytest.raises(services.CommunityInvalid):
        services.order_dispatch(actor=world.county, order=order, provider=world.provider)


def test_check_in_and_out_are_idempotent(world: CommunityWorld) -> None:
    order = services.order_request(
        actor=world.county, person=world.person, item=world.item, source="window"
    )
    services.order_agree(actor=world.county, order=order)
    services.order_dispatch(actor=world.county, order=order, provider=world.provider)
    cu = uuid.uuid4()
    at = timezone.now() - timedelta(hours=2)
    rec = {"client_uuid": str(cu), "kind": "check_in", "order": str(order.public_id)}
    rec["at"] = at.isoformat()
    first = sync.upload(actor=world.worker, records=[rec])
    again = sync.upload(actor=world.worker, records=[rec])
    assert first[0]["status"] == "accepted" and again[0]["status"] == "duplicate"
    out = {"client_uuid": str(uuid.uuid4()), "kind": "check_out", "log": str(cu)}
    out["at"] = (at + timedelta(minutes=50)).isoformat()
    assert sync.upload(actor=world.worker, records=[out])[0]["status"] == "accepted"
    assert sync.upload(actor=world.worker, records=[out])[0]["status"] == "duplicate"
    log = ServiceLog.objects.get(client_uuid=cu)
    assert ServiceLog.objects.count() == 1
    assert log.status == LogStatus.AWAITING and log.quantity == Decimal("1.0")  # 50 min → 1 h


@pytest.mark.parametrize(
    ("payload", "key"),
    [
        ("x", "__all__"),
        ({"kind": "steal"}, "kind"),
        ({"kind": "check_in", "client_uuid": "no", "order": "no", "at": "x"}, "client_uuid"),
        (
            {
                "kind": "check_out",
                "client_uuid": str(uuid.uuid4()),
                "log": str(uuid.uuid4()),
                "at": "2026-01-01T09:00:00",
            },
            "order",
        ),
        (
            {
                "kind": "check_in",
                "client_uuid": str(uuid.uuid4()),
                "order": str(uuid.uuid4()),
                "at": "2026-01-01T09:00:00",
                "latitude": "北纬",
            },
            "location",
        ),
    ],
)
def test_hostile_records_rejected(world: CommunityWorld, payload: Any, key: str) -> None:
    res = sync.upload(actor=world.worker, records=[payload])[0]
    assert res["status"] == "rejected" and key in res["errors"]


def test_other_providers_worker_cannot_check_in(world: CommunityWorld, make_user: Any) -> None:
    other = services.provider_register(actor=world.county, data=provider_input(2))
    stranger = make_user(Role.PROVIDER_WORKER, "220102", mode="stats")
    services.staff_bind(actor=world.county, provider=other, user=stranger, role="worker")
    order = services.order_request(
        actor=world.county, person=world.person, item=world.item, source="window"
    )
    services.order_agree(actor=world.county, order=order)
    services.order_dispatch(actor=world.county, order=order, provider=world.provider)
    with pytest.raises(Http404):
        services.check_in(
            actor=stranger, order_id=order.public_id, client_uuid=uuid.uuid4(), at=timezone.now()
        )


def test_sms_code_confirmation(world: CommunityWorld) -> None:
    _order, cu, _ = deliver(world, at=timezone.now() - timedelta(hours=3), confirm=False)
    services.LogSender.outbox.clear()
    services.sms_send(actor=world.worker, log_uuid=cu, phone="13812345678")
    _phone, text = services.LogSender.outbox[-1]
    code = "".join(ch for ch in text if ch.isdigit())[-6:]
    log = ServiceLog.objects.get(client_uuid=cu)
    assert code not in log.sms_code_hash and len(log.sms_code_hash) == 64
    with pytest.raises(services.CommunityInvalid):
        services.confirm(actor=world.worker, log_uuid=cu, method="sms", sms_code="000000x")
    out = services.confirm(
        actor=world.worker, log_uuid=cu, method="sms", sms_code=code, rating=5, evaluation="好"
    )
    assert out.log.status == LogStatus.CONFIRMED and out.log.rating == 5


def test_cancel_and_no_show(world: CommunityWorld) -> None:
    order = services.order_request(
        actor=world.county, person=world.person, item=world.item, source="family"
    )
    services.order_agree(actor=world.county, order=order)
    services.order_dispatch(actor=world.county, order=order, provider=world.provider)
    log = services.order_no_show(
        actor=world.manager, order=order, on=timezone.localdate(), note="老人不在家"
    )
    assert log.status == LogStatus.NO_SHOW
    services.order_cancel(actor=world.county, order=order, reason="家属取消")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancel_reason == "家属取消"


def test_death_cancels_open_orders(world: CommunityWorld) -> None:
    order = services.order_request(
        actor=world.county, person=world.person, item=world.item, source="window"
    )
    p = world.person
    p.refresh_from_db()
    people.person_record_death(
        actor=world.county,
        person=p,
        on=timezone.localdate(),
        reason="病故",
        expected_version=p.version,
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and "死亡" in order.cancel_reason


def test_move_takes_open_orders_along(world: CommunityWorld) -> None:
    from yanglao.people.testing import person_input

    order = services.order_request(
        actor=world.county, person=world.person, item=world.item, source="window"
    )
    p = world.person
    p.refresh_from_db()
    data = person_input("220102002001")
    data.id_number, data.name, data.birth_date, data.sex = p.id_number, p.name, p.birth_date, p.sex
    people.person_update(actor=world.county, person=p, data=data, expected_version=p.version)
    order.refresh_from_db()
    assert order.region_id == "220102002001"


def _settle(world: CommunityWorld, actor: Any = None) -> Any:
    month = sr.month_start(last_month_at(1).date())
    return services.settlement_generate(
        actor=actor or world.county,
        provider=world.provider,
        county_code="220102000000",
        month=month,
    )


def test_settlement_pays_once_with_cap_and_four_eyes(world: CommunityWorld) -> None:
    for day in range(1, 8):  # 7 hours × 30 = 210; subsidy 20/h capped at 100
        deliver(world, at=last_month_at(day))
    deliver(world, at=last_month_at(9), confirm=False)  # never confirmed: refused
    s = _settle(world)
    assert s.total_entitlement == Decimal("100.00")
    assert s.total_person == Decimal("110.00")
    assert s.lines_refused == 1 and s.logs_count == 8
    refused = SettlementLine.objects.get(settlement=s, refused=True, payer="person")
    assert refused.reason == "服务未经老人或家属确认，不予结算"
    with pytest.raises(services.CommunityInvalid):
        services.settlement_approve(actor=world.county, settlement=s)  # four eyes
    services.settlement_approve(actor=world.county2, settlement=s)
    s.refresh_from_db()
    assert s.status == SettlementStatus.APPROVED
    with pytest.raises(services.CommunityInvalid):
        _settle(world)  # frozen
    # The database refuses a second paid line for the same log and payer.
    paid = SettlementLine.objects.filter(settlement=s, refused=False, payer="person").first()
    assert paid is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementLine.objects.create(
            settlement=s, log_id=paid.log_id, payer="person", amount=1, live=True
        )
    rows = services.settlement_export_rows(actor=world.county, settlement=s)
    assert len(rows) == s.lines.count() and "*" in rows[0][2]


def test_regenerating_a_draft_replaces_it(world: CommunityWorld) -> None:
    deliver(world, at=last_month_at(2))
    first = _settle(world)
    second = _settle(world)
    first.refresh_from_db()
    assert first.status == SettlementStatus.VOID
    assert not first.lines.filter(live=True).exists()
    assert second.total_entitlement == Decimal("20.00")


def test_settlement_refuses_after_death_and_in_institution(world: CommunityWorld) -> None:
    deliver(world, at=last_month_at(2))
    deliver(world, at=last_month_at(20))
    p = world.person
    p.refresh_from_db()
    people.person_record_death(
        actor=world.county,
        person=p,
        on=last_month_at(15).date(),
        reason="病故",
        expected_version=p.version,
    )
    s = _settle(world)
    refused = list(s.lines.filter(refused=True).values_list("reason", flat=True))
    assert len(refused) == 1 and "死亡" in refused[0]
    assert s.total_entitlement == Decimal("20.00")


def test_settlement_scope(world: CommunityWorld, make_user: Any) -> None:
    outsider = make_user(Role.COUNTY_OFFICER, "220204")
    with pytest.raises(Http404):
        _settle(world, outsider)
    with pytest.raises(services.NotPermitted):
        _settle(world, world.manager)


def test_orders_generated_from_entitlement(world: CommunityWorld) -> None:
    month = sr.month_start(timezone.localdate())
    assert services.orders_generate(month=month) == 1
    assert services.orders_generate(month=month) == 0  # idempotent
    order = ServiceOrder.objects.get(source="entitlement")
    assert order.quantity == Decimal(5) and order.status == OrderStatus.AGREED


def test_price_change_mid_month(world: CommunityWorld) -> None:
    first = sr.month_start(last_month_at(1).date())
    services.price_set(
        actor=world.county,
        provider=world.provider,
        item=world.item,
        unit_price="40",
        effective_from=first + timedelta(days=14),
    )
    deliver(world, at=last_month_at(5))
    deliver(world, at=last_month_at(20))
    s = _settle(world)
    assert s.total_gross == Decimal("70.00")
    with pytest.raises(services.CommunityInvalid):
        services.price_set(
            actor=world.county,
            provider=world.provider,
            item=world.item,
            unit_price="35",
            effective_from=date(2026, 1, 1),
        )
    with pytest.raises(services.CommunityInvalid):
        services.price_set(
            actor=world.county,
            provider=world.provider,
            item=world.item,
            unit_price="１２\x00",
            effective_from=first + timedelta(days=60),
        )
