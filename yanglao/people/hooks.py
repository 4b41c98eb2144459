"""A person's life events, owned by `people`, followed by every app above it.

DESIGN "Layers": people may not import the apps above it, yet a death must end payments and
visit tasks, and a move must take the visit file and the open applications to the new village.
So people declares typed, set-based hooks here and the apps above register handlers in their
`AppConfig.ready()`. People calls them inside its own transaction, after its own rows are
written: a handler sees the person rows as they now are, and an error in any handler rolls the
whole event back.

A region column copied into another app's table (visit subject, open task, open application…)
belongs to that app and is kept right only through these hooks (docs/development.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Generic, TypeVar

from django.db import transaction

if TYPE_CHECKING:
    from yanglao.accounts.models import User


@dataclass(frozen=True)
class EventContext:
    """Who caused the events, when, and through which path (form, api, import, …)."""

    actor: User | None
    today: date
    via: str  # "form" | "api" | "import" | "external_list" | "generator" | …
    note: str = ""


@dataclass(frozen=True)
class Registered:
    person_id: int
    region_id: str


@dataclass(frozen=True)
class Moved:
    """A person whose residence village changed (`people.Person.region`)."""

    person_id: int
    old_region_id: str
    new_region_id: str
    on: date

    @property
    def county_changed(self) -> bool:
        # Region codes are 12 digits: 2 province, 2 city, 2 county, 3 township, 3 village.
        return self.old_region_id[:6] != self.new_region_id[:6]


@dataclass(frozen=True)
class Closed:
    """A person who died or moved out of the ledger's province (status from LifeStatus)."""

    person_id: int
    region_id: str
    status: str
    on: date


@dataclass(frozen=True)
class DwellingChanged:
    """Where a person lives changed: home (居家) ↔ institution (养老机构)."""

    person_id: int
    region_id: str
    dwelling: str  # people.choices.Dwelling
    on: date


@dataclass(frozen=True)
class CategoryChanged:
    """A category tag opened (`added`) or ended."""

    person_id: int
    region_id: str
    category: str
    added: bool
    on: date


E = TypeVar("E")
Handler = Callable[[EventContext, Sequence[E]], None]


@dataclass
class Hook(Generic[E]):
    """One kind of life event. Handlers run in registration order, in the caller's
    transaction; an empty batch calls nobody."""

    name: str
    _handlers: list[tuple[str, Handler[E]]] = field(default_factory=list)

    def connect(self, handler: Handler[E], *, key: str | None = None) -> None:
        """Register once per key (AppConfig.ready() may run twice in tests)."""
        key = key or f"{handler.__module__}.{handler.__qualname__}"
        if all(k != key for k, _ in self._handlers):
            self._handlers.append((key, handler))

    def disconnect(self, key: str) -> None:
        self._handlers = [(k, h) for k, h in self._handlers if k != key]

    @property
    def handlers(self) -> list[str]:
        return [k for k, _ in self._handlers]

    def send(self, ctx: EventContext, events: Sequence[E]) -> None:
        if not events:
            return
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(f"people.hooks.{self.name} must be sent inside transaction.atomic()")
        for _, handler in self._handlers:
            handler(ctx, events)


persons_registered: Hook[Registered] = Hook("persons_registered")
persons_moved: Hook[Moved] = Hook("persons_moved")
persons_closed: Hook[Closed] = Hook("persons_closed")
categories_changed: Hook[CategoryChanged] = Hook("categories_changed")
dwelling_changed: Hook[DwellingChanged] = Hook("dwelling_changed")


def audit_people(
    ctx: EventContext, action: str, rows: dict[int, tuple[str, dict[str, object]]]
) -> int:
    """One audit row per person ({pk: (region, changes)}) for what a handler did, each with
    the person's public id, name and the given region; written in bulk."""
    from yanglao.core.audit import Entry, audit_many
    from yanglao.people.models import Person

    ids, labels = list(rows), {}
    for i in range(0, len(ids), 2000):
        labels.update(
            {
                pk: (str(public_id), name)
                for pk, public_id, name in Person.objects.filter(
                    pk__in=ids[i : i + 2000]
                ).values_list("pk", "public_id", "name")
            }
        )
    return audit_many(
        actor=ctx.actor,
        action=action,
        object_type="person",
        entries=(
            Entry(
                object_id=labels[pk][0],
                object_label=labels[pk][1],
                region_code=region,
                changes={**changes, "via": ctx.via},
            )
            for pk, (region, changes) in rows.items()
        ),
    )
