"""Reads of community services, every one scoped: officers by region, provider staff by the
provider they are bound to (accounts.scoping `bound`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from yanglao.accounts.models import User
from yanglao.accounts.scoping import READ_RECORDS, scoped
from yanglao.community.choices import LogStatus, OrderStatus, SettlementStatus
from yanglao.community.models import (
    CatalogueItem,
    Facility,
    FundingRule,
    Provider,
    ProviderPrice,
    ProviderStaff,
    ServiceLog,
    ServiceOrder,
    Settlement,
)
from yanglao.core.todo import Todo, counted

PROVIDER_BOUND = "staff"
ORDER_BOUND = "provider__staff"


def _uuid(value: UUID | str) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def providers(user: User) -> QuerySet[Provider]:
    return scoped(Provider.objects.all(), user, READ_RECORDS, bound=PROVIDER_BOUND)


def provider_get(*, user: User, public_id: UUID | str) -> Provider:
    p = providers(user).select_related("region").filter(public_id=_uuid(public_id)).first()
    if p is None:
        raise Http404
    return p


def my_provider(user: User) -> Provider | None:
    staff = ProviderStaff.objects.filter(user=user).select_related("provider").first()
    return staff.provider if staff else None


def facilities(user: User) -> QuerySet[Facility]:
    return scoped(
        Facility.objects.select_related("provider", "region"),
        user,
        READ_RECORDS,
        bound="provider__staff",
    )


def facility_get(*, user: User, public_id: UUID | str) -> Facility:
    f = facilities(user).filter(public_id=_uuid(public_id)).first()
    if f is None:
        raise Http404
    return f


def staff_of(provider: Provider) -> QuerySet[ProviderStaff]:
    return ProviderStaff.objects.filter(provider=provider).select_related("user")


def prices_of(provider: Provider) -> QuerySet[ProviderPrice]:
    return ProviderPrice.objects.filter(provider=provider).select_related("item")


def current_prices(provider: Provider, on: date) -> list[ProviderPrice]:
    return list(
        prices_of(provider)
        .filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
        .order_by("item__code")
    )


def catalogue() -> QuerySet[CatalogueItem]:
    return CatalogueItem.objects.filter(active=True).order_by("code")


def funding_rules(user: User) -> QuerySet[FundingRule]:
    """National rules and those of the user's area and its ancestors (policy data)."""
    mine = scoped(FundingRule.objects.all(), user, READ_RECORDS)
    return (
        FundingRule.objects.filter(Q(region__isnull=True) | Q(pk__in=mine.values("pk")))
        .select_related("item", "region")
        .order_by("item__code", "benefit_code", "-effective_from")
    )


@dataclass(frozen=True)
class OrderFilters:
    status: str = ""
    q: str = ""
    provider: str = ""


def orders(user: User, f: OrderFilters | None = None) -> QuerySet[ServiceOrder]:
    qs = scoped(ServiceOrder.objects.all(), user, READ_RECORDS, bound=ORDER_BOUND)
    if f is not None:
        if f.status:
            qs = qs.filter(status=f.status)
        if f.q:
            qs = qs.filter(person__name__startswith=f.q)
    return qs.select_related("person", "item", "provider", "region", "worker").order_by(
        "-requested_at", "-id"
    )


def order_get(*, user: User, public_id: UUID | str) -> ServiceOrder:
    o = orders(user).filter(public_id=_uuid(public_id)).first()
    if o is None:
        raise Http404
    return o


def order_counts(user: User) -> dict[str, int]:
    qs = scoped(ServiceOrder.objects.all(), user, READ_RECORDS, bound=ORDER_BOUND)
    rows = qs.values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def logs_of(order: ServiceOrder) -> QuerySet[ServiceLog]:
    return ServiceLog.objects.filter(order=order).select_related("worker").order_by("-created_at")


def log_get(*, user: User, public_id: UUID | str) -> ServiceLog:
    log = (
        scoped(ServiceLog.objects.all(), user, READ_RECORDS, bound=ORDER_BOUND)
        .select_related("person", "item", "provider", "order")
        .filter(public_id=_uuid(public_id))
        .first()
    )
    if log is None:
        raise Http404
    return log


def worker_orders(user: User) -> QuerySet[ServiceOrder]:
    """A provider worker's dispatched orders (a manager sees the whole provider's)."""
    qs = orders(user).filter(status=OrderStatus.DISPATCHED)
    if not ProviderStaff.objects.filter(user=user, role="manager").exists():
        qs = qs.filter(Q(worker=user) | Q(worker__isnull=True))
    return qs


def open_logs(user: User) -> QuerySet[ServiceLog]:
    return (
        scoped(ServiceLog.objects.all(), user, READ_RECORDS, bound=ORDER_BOUND)
        .filter(worker=user, status__in=[LogStatus.IN_SERVICE, LogStatus.AWAITING])
        .select_related("order", "person", "item")
    )


def settlements(user: User) -> QuerySet[Settlement]:
    qs = scoped(
        Settlement.objects.all(), user, READ_RECORDS, field="county_id", bound="provider__staff"
    )
    return qs.select_related("provider", "county", "created_by", "approved_by").order_by(
        "-month", "provider__name"
    )


def settlement_get(*, user: User, public_id: UUID | str) -> Settlement:
    s = settlements(user).filter(public_id=_uuid(public_id)).first()
    if s is None:
        raise Http404
    return s


def provider_todo(*, user: User, today: date) -> dict[str, Todo]:
    """A provider's staff's to-dos (workbench): dispatched orders still to serve (late once
    their appointment day has passed) and services waiting for the older person's
    confirmation."""
    to_serve = worker_orders(user)
    late = to_serve.filter(scheduled_for__lt=today)
    oldest = late.order_by("scheduled_for").values_list("scheduled_for", flat=True).first()
    waiting = scoped(ServiceLog.objects.all(), user, READ_RECORDS, bound=ORDER_BOUND).filter(
        status=LogStatus.AWAITING
    )
    return {
        "to_serve": counted(to_serve.count(), late.count(), oldest, today=today),
        "to_confirm": Todo(waiting.count()),
    }


def settlements_todo(*, user: User) -> Todo:
    """Settlements generated and waiting for a second officer's approval (workbench)."""
    return Todo(settlements(user).filter(status=SettlementStatus.DRAFT).count())
