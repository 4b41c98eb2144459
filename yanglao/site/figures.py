"""The workbench's figures, below the to-do list: one function reads them all.

`home_figures(user)` is the single entry point. The counts come from the newest statistics
snapshot (`people.selectors.home_counts`: statistics registers its reader there; live and
cached a minute only before the first nightly snapshot), the 月探访率 trend from the visits
app (closed months cached an hour)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap
from yanglao.people import selectors as people
from yanglao.visits import rules as visit_rules
from yanglao.visits import selectors as visits


def home_figures(user: User) -> dict[str, Any]:
    """Figures over the user's whole jurisdiction: totals, the age pyramid by sex, people
    by category, and (for those who follow visits) the last 12 months of 月探访率."""
    counts = people.home_counts(user=user)
    roots = people.browsable_roots(user)
    trend: list[tuple[str, int, int, str, float | None]] = []
    if user.can(Cap.VISIT_VIEW) and len(roots) == 1:
        month = visit_rules.month_start(timezone.localdate())
        for m, row in visits.coverage_trend(user=user, region=roots[0], month=month):
            rate = None if row.rate is None else round(row.rate * 100, 1)
            trend.append((f"{m:%Y-%m}", row.roster, row.visited, row.percent, rate))
    pyramid = counts.get("pyramid", [])
    categories = counts["categories"]
    return {
        "roots": roots,
        "total": counts["total"],
        "advanced_age": counts["advanced_age"],
        "age_bands": counts["age_bands"],
        "pyramid": pyramid,
        "categories": categories,
        "trend": trend,
        "snapshot": counts.get("snapshot"),
        # What the charts draw (ECharts, static/yanglao/figures.js), as plain lists.
        "chart": {
            "pyramid": {
                "bands": [b for b, _, _ in pyramid],
                "male": [m for _, m, _ in pyramid],
                "female": [f for _, _, f in pyramid],
            },
            "categories": {"labels": list(categories), "values": list(categories.values())},
            "trend": {"months": [t[0] for t in trend], "rates": [t[4] for t in trend]},
        },
    }
