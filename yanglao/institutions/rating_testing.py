"""Helpers for tests and the demo: a filed home ready to apply, clause scores at a share of
each clause's maximum, a full rating run up to the certificate."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from yanglao.accounts.models import User
from yanglao.institutions import rating, services
from yanglao.institutions.choices import FILING_DOCUMENTS
from yanglao.institutions.models import Institution, RatingApplication, RatingClause


def file_home(*, officer: User, institution: Institution, today: date) -> Institution:
    """备案 with every document and a receipt (the precondition of 等级评定)."""
    filing = services.filing_submit(
        actor=officer,
        institution=institution,
        kind="new",
        documents=[k for k, _ in FILING_DOCUMENTS],
        pledge=True,
        today=today,
    )
    services.filing_decide(actor=officer, filing=filing, receipt=True, today=today)
    institution.refresh_from_db()
    return institution


def entries_at(share: Decimal, evidence: str = "") -> dict[str, rating.ClauseScore]:
    """Every clause scored at `share` (0–1) of its maximum, one decimal, rounded down."""
    out = {}
    for c in RatingClause.objects.filter(edition=rating.EDITION):
        points = (Decimal(c.max_points) * share).quantize(Decimal("0.1"), ROUND_DOWN)
        out[c.code] = rating.ClauseScore(str(points), evidence or f"现场查看{c.title}")
    return out


def run_to_publicity(
    *,
    operator: User,
    officer: User,
    institution: Institution,
    level: int,
    share: Decimal,
    today: date,
) -> RatingApplication:
    """Apply → self-assessment → expert scores at `share` → committee (公示 from `today`)."""
    start = today - timedelta(days=30)
    app = rating.rating_apply(actor=operator, institution=institution, level=level, today=start)
    rating.rating_self_assess(
        actor=operator, application=app, entries=entries_at(share), submit=True, today=start
    )
    rating.rating_score(actor=officer, application=app, entries=entries_at(share), today=today)
    return rating.rating_decide(
        actor=officer, application=app, approve=True, note="符合条件", today=today
    )
