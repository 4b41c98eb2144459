"""svc.* indicators (community services) against a hand-counted fixture: two services
delivered in one village this month (one confirmed, one awaiting confirmation), none last
month; two meals at a canteen (the same meal entered twice counts once)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from yanglao.community.programmes import services as ps
from yanglao.community.programmes.testing import make_site
from yanglao.community.testing import V1, deliver, make_world
from yanglao.statistics import catalogue, queries
from yanglao.statistics.selectors import breakdown_label

pytestmark = pytest.mark.django_db


def _rows(name: str, p: queries.Period) -> dict[tuple[str, str, str], int]:
    return {
        (r.indicator, r.region_code, r.breakdown): r.numerator for r in queries.QUERIES[name](p)
    }


def test_svc_indicators_are_plugged_in() -> None:
    for code in ("svc.delivered", "svc.meals", "svc.homes_modified"):
        ind = catalogue.get(code)
        assert ind is not None and ind.query in queries.QUERIES
    assert breakdown_label("kind:life_care") == "生活照料"


def test_services_delivered_and_meals(regions: None, make_user: Callable[..., Any]) -> None:
    w = make_world(make_user)
    today = timezone.localdate()
    month = today.replace(day=1)
    at = timezone.make_aware(datetime.combine(month, datetime.min.time())) + timedelta(hours=9)
    deliver(w, at=at)  # confirmed
    deliver(w, at=at + timedelta(hours=3), confirm=False)  # awaiting confirmation
    p = queries.Period(month, today, today)
    rows = _rows("services_delivered", p)
    assert rows[("svc.delivered", V1, "")] == 2
    assert rows[("svc.delivered", V1, "kind:life_care")] == 2
    # Last month's period sees none of them.
    end = month - timedelta(days=1)
    assert _rows("services_delivered", queries.Period(end.replace(day=1), end, end)) == {}

    site = make_site(w.provider, V1)
    diner = ps.diner_enrol(actor=w.county, person=w.person, site=site, enrolled_on=month)
    for meal in ("breakfast", "lunch"):
        ps.meal_record(actor=w.county, site=site, diner=diner, meal_date=month, meal=meal)
    ps.meal_record(actor=w.county, site=site, diner=diner, meal_date=month, meal="lunch")  # again
    meals = _rows("services_meals", p)
    assert sum(meals.values()) == 2
    assert _rows("services_homes_modified", queries.Period(month, today, today)) == {}


def test_homes_modified_counts_from_january(regions: None) -> None:
    p = queries.Period(date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 31))
    assert list(queries.QUERIES["services_homes_modified"](p)) == []
