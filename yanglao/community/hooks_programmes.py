"""How the community programmes follow a person's life events (people.hooks), registered in
CommunityConfig.ready(). Set-based: one UPDATE per table for a batch of events.

- A move to another village: the region copies of the person's open contract, enrolment,
  case, devices and open alarms follow (docs/development.md, region copies); records already
  closed keep the region they had.
- A death or move-out: the home care bed contract ends, the meal enrolment ends and the
  alarm devices are switched off on that day (meals after it are refused by the settlement
  anyway)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Case, CharField, Q, Value, When

from yanglao.community.models import (
    Alarm,
    AlarmDevice,
    HomeBedContract,
    MealDiner,
    ModificationCase,
)
from yanglao.community.programmes.choices import AlarmStatus, CaseStatus, ContractStatus
from yanglao.people import hooks

FOLLOW_MOVE = "programme.follow_move"
FOLLOW_CLOSE = "programme.follow_close"


def on_moved(ctx: hooks.EventContext, moves: Sequence[hooks.Moved]) -> None:
    if not moves:
        return
    new = {m.person_id: m.new_region_id for m in moves}
    region = Case(
        *[When(person_id=pk, then=Value(code)) for pk, code in new.items()],
        output_field=CharField(),
    )
    ids = list(new)
    n = HomeBedContract.objects.filter(person_id__in=ids, status=ContractStatus.ACTIVE).update(
        region_id=region
    )
    n += MealDiner.objects.filter(person_id__in=ids, ended_on__isnull=True).update(region_id=region)
    n += (
        ModificationCase.objects.filter(person_id__in=ids)
        .exclude(status__in=[CaseStatus.SUBSIDISED, CaseStatus.REFUSED])
        .update(region_id=region)
    )
    n += AlarmDevice.objects.filter(person_id__in=ids, active=True).update(region_id=region)
    n += (
        Alarm.objects.filter(person_id__in=ids)
        .exclude(status=AlarmStatus.CLOSED)
        .update(region_id=region)
    )
    if n:
        hooks.audit_people(
            ctx,
            FOLLOW_MOVE,
            {m.person_id: (m.new_region_id, {"to": m.new_region_id}) for m in moves},
        )


def on_closed(ctx: hooks.EventContext, closures: Sequence[hooks.Closed]) -> None:
    if not closures:
        return
    on = {c.person_id: c.on for c in closures}
    ids = list(on)
    end = Case(*[When(person_id=pk, then=Value(d)) for pk, d in on.items()])
    beds = list(
        HomeBedContract.objects.filter(person_id__in=ids, status=ContractStatus.ACTIVE).values_list(
            "person_id", "region_id"
        )
    )
    HomeBedContract.objects.filter(person_id__in=ids, status=ContractStatus.ACTIVE).update(
        status=ContractStatus.ENDED, end=end
    )
    diners = list(
        MealDiner.objects.filter(person_id__in=ids, ended_on__isnull=True).values_list(
            "person_id", "region_id"
        )
    )
    MealDiner.objects.filter(Q(person_id__in=ids), Q(ended_on__isnull=True)).update(ended_on=end)
    AlarmDevice.objects.filter(person_id__in=ids, active=True).update(active=False)
    touched = dict([*beds, *diners])
    if touched:
        hooks.audit_people(
            ctx,
            FOLLOW_CLOSE,
            {pk: (region, {"on": str(on[pk])}) for pk, region in touched.items()},
        )


def connect() -> None:
    hooks.persons_moved.connect(on_moved)
    hooks.persons_closed.connect(on_closed)
