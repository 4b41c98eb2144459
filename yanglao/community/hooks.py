"""How community services follow a person's life events (people.hooks), registered in
CommunityConfig.ready(): a move takes the open orders to the new village (the region copied
on the order is this app's and follows only through here); a death or move-out cancels the
open orders with the reason. Service logs are history and keep the region of their day."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from yanglao.community.choices import OrderStatus
from yanglao.community.models import ServiceOrder
from yanglao.people import hooks
from yanglao.people.choices import LifeStatus

FOLLOW_MOVE = "community.follow_move"
FOLLOW_CLOSE = "community.follow_close"
OPEN = (OrderStatus.REQUESTED, OrderStatus.ASSESSING, OrderStatus.AGREED, OrderStatus.DISPATCHED)


def on_moved(ctx: hooks.EventContext, moves: Sequence[hooks.Moved]) -> None:
    by_person = {m.person_id: m for m in moves}
    rows: dict[int, tuple[str, dict[str, object]]] = {}
    for order in ServiceOrder.objects.select_for_update().filter(
        person_id__in=list(by_person), status__in=OPEN
    ):
        m = by_person[order.person_id]
        order.region_id = m.new_region_id
        order.version += 1
        order.save(update_fields=["region", "version"])
        rows[order.person_id] = (m.new_region_id, {"orders_moved": str(order.public_id)})
    hooks.audit_people(ctx, FOLLOW_MOVE, rows)


def on_closed(ctx: hooks.EventContext, closures: Sequence[hooks.Closed]) -> None:
    by_person = {c.person_id: c for c in closures}
    rows: dict[int, tuple[str, dict[str, object]]] = {}
    now = timezone.now()
    for order in ServiceOrder.objects.select_for_update().filter(
        person_id__in=list(by_person), status__in=OPEN
    ):
        c = by_person[order.person_id]
        word = "死亡" if c.status == LifeStatus.DECEASED else "迁出"
        order.status = OrderStatus.CANCELLED
        order.cancel_reason = f"老人已于{c.on.isoformat()}{word}，工单自动取消"
        order.closed_at = now
        order.version += 1
        order.save(update_fields=["status", "cancel_reason", "closed_at", "version"])
        rows[order.person_id] = (c.region_id, {"order_cancelled": str(order.public_id)})
    hooks.audit_people(ctx, FOLLOW_CLOSE, rows)


def connect() -> None:
    hooks.persons_moved.connect(on_moved)
    hooks.persons_closed.connect(on_closed)
