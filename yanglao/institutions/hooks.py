"""How institutions follow a person's life events (people.hooks), registered in
InstitutionsConfig.ready(): a death or move-out ends the stay and frees the bed."""

from __future__ import annotations

from collections.abc import Sequence

from yanglao.institutions.choices import BedStatus, EndReason
from yanglao.institutions.models import Bed, Residency
from yanglao.people import hooks
from yanglao.people.choices import Dwelling, LifeStatus
from yanglao.people.services import PersonInvalid

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


def on_dwelling_changed(ctx: hooks.EventContext, changes: Sequence[hooks.DwellingChanged]) -> None:
    """Where a resident lives is the stay's to change: a hand edit of 居住方式 back to 居家
    (form, API, import) while a stay is open is refused, so the ledger and the home's
    register never disagree; the home discharges (which comes through `via="institution"`)."""
    if ctx.via == "institution":
        return
    home = [c.person_id for c in changes if c.dwelling == Dwelling.HOME]
    if Residency.objects.filter(person_id__in=home, end__isnull=True).exists():
        raise PersonInvalid({"dwelling": ["该老人在养老机构入住中，请由机构办理离院后再改为居家"]})


def connect() -> None:
    hooks.persons_closed.connect(on_closed)
    hooks.dwelling_changed.connect(on_dwelling_changed)
