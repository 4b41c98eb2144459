"""Reads of 等级评定 for users: exactly the applications of the homes the user may see
(selectors.institutions: officers by region, operators by their bound home)."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from yanglao.accounts.models import User
from yanglao.institutions import selectors
from yanglao.institutions.models import Institution, RatingApplication, RatingEvent, RatingScore


def applications(user: User, status: str = "", region: str = "") -> QuerySet[RatingApplication]:
    """`region`: a region code of any level inside the user's jurisdiction (else 404)."""
    homes = selectors.institution_search(user=user, f=selectors.Filters(region=region))
    qs = RatingApplication.objects.filter(institution__in=homes.order_by().values("pk"))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("institution", "region").order_by("-applied_on", "-id")


def application_get(*, user: User, public_id: UUID | str) -> RatingApplication:
    found = applications(user).filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def scores(app: RatingApplication) -> list[RatingScore]:
    return list(app.scores.select_related("clause", "scored_by").order_by("clause__order"))


def history(institution: Institution) -> QuerySet[RatingEvent]:
    return institution.rating_events.order_by("-on", "-id")
