"""How institutions follow a person's life events (people.hooks), registered in
InstitutionsConfig.ready(): a death or move-out ends the stay and frees the bed."""

from __future__ import annotations

from collections.abc import Sequence

from yanglao.institutions.choices import BedStatus, EndReason
from yanglao.institutions.models import Bed, Residency
from yanglao.people import hooks
from yanglao.people.choices import LifeStatus

FOLLOW_CLOSE = "institution.follow_close"


def on_closed(ctx: hooks.EventContext, closures: Sequence[hooks.Closed]) -> None:
    by_person = {c.person_id: c for c in closures}
    open_stays = list(
        Residency.objects.select_for_update()
        .filter(person_id__in=list(by_person), end__isnull=True)
        .select_related("institution")
    )
    for r in open_stays:
        c = by_person[r.person_id]
        r.end = max(c.on, r.start)
        r.end_reason = EndReason.DEATH if c.status == LifeStatus.DECEASED else EndReason.TRANSFER
        r.save(update_fields=["end", "end_reason"])
    Bed.objects.filter(pk__in=[r.bed_id for r in open_stays if r.bed_id]).update(
        status=BedStatus.FREE
    )
    hooks.audit_people(
        ctx,
        FOLLOW_CLOSE,
        {
            r.person_id: (
                r.region_id,
                {"institution": r.institution.name, "end": str(r.end), "reason": r.end_reason},
            )
            for r in open_stays
        },
    )


def connect() -> None:
    hooks.persons_closed.connect(on_closed)
