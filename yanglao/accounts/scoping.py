"""The one scoping function: every read for a user narrows through `scoped()`.

Deny by default: a user with no matching jurisdiction gets an empty queryset. Region subtrees
are code ranges (regions.codes), so the filter is a handful of range predicates on an indexed
column.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from yanglao.accounts.models import Mode, User
from yanglao.regions import codes

M = TypeVar("M", bound=Model)

# Which jurisdiction modes satisfy a need. Records need edit or search; figures any mode.
READ_RECORDS = (Mode.EDIT, Mode.SEARCH)
WRITE_RECORDS = (Mode.EDIT,)
READ_FIGURES = (Mode.EDIT, Mode.SEARCH, Mode.STATS)


def user_ranges(user: User, modes: tuple[str, ...]) -> list[tuple[str, str]]:
    """Code ranges of the user's jurisdictions in the given modes (cached on the user)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cache: dict[tuple[str, ...], list[tuple[str, str]]] = user.__dict__.setdefault(
        "_yanglao_ranges", {}
    )
    if modes not in cache:
        rows = user.jurisdictions.filter(mode__in=modes).values_list("region_id", "region__level")
        cache[modes] = sorted({codes.subtree_range(code, level) for code, level in rows})
    return cache[modes]


def scope_q(user: User, modes: tuple[str, ...], field: str = "region_id") -> Q | None:
    """The condition "region code in the user's jurisdictions"; None when there is none."""
    ranges = user_ranges(user, modes)
    if not ranges:
        return None
    cond = Q()
    for low, high in ranges:
        cond |= Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return cond


def scoped(
    qs: QuerySet[M],
    user: User,
    modes: tuple[str, ...],
    field: str = "region_id",
    *,
    bound: str | None = None,
) -> QuerySet[M]:
    """Narrow `qs` to the rows whose region code falls in the user's jurisdictions, or which
    the user is bound to.

    DESIGN "Scopes": some users are bound to objects instead of (or besides) regions: an
    institution operator to their institution, an inspector to the inspections assigned to
    them. `bound` is the lookup path from the model to the bound users (e.g.
    "institution__operators" or "inspectors"); a bound user sees exactly those rows, in any
    mode (what they may do there is their role's capabilities).
    """
    cond = scope_q(user, modes, field)
    if bound is not None and user.is_authenticated and user.is_active:
        # A subquery, not a join: rows stay unique whatever the number of bound users.
        mine = Q(pk__in=qs.model._default_manager.filter(**{bound: user}).values("pk"))
        cond = mine if cond is None else cond | mine
    return qs.none() if cond is None else qs.filter(cond)


def require_scoped(
    qs: QuerySet[M],
    user: User,
    modes: tuple[str, ...],
    field: str = "region_id",
    *,
    bound: str | None = None,
) -> M:
    """The one row of `qs` if it is in the user's scope (see `scoped`), else 404."""
    found = scoped(qs, user, modes, field, bound=bound).first()
    if found is None:
        raise Http404
    return found


def in_scope(user: User, region_code: str, modes: tuple[str, ...]) -> bool:
    return any(low <= region_code <= high for low, high in user_ranges(user, modes))


def require_in_scope(user: User, region_code: str, modes: tuple[str, ...]) -> None:
    """Out of scope is a 404, never a 403: a user must not learn that the record exists."""
    if not in_scope(user, region_code, modes):
        raise Http404
