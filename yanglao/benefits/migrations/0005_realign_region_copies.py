"""Data: open applications, open review tasks and discovery rows of people who moved village
before people.hooks existed are put back in the person's residence village (issue 10 part 1).

Before the hooks a move left these copies in the old village, so the old village and township
kept the open work of someone who no longer lives there. From this migration on they are
refreshed only through people.hooks (benefits.hooks.on_moved); this is the one-off conversion
of what was already stale, one UPDATE per table, only the rows that differ:

- `Application.region` of open applications (受理/审核/复核中) := `Person.region`;
- `ReviewTask.region` of open review tasks := `Person.region`;
- `Candidate.region` (应保未保名单) := `Person.region`.

Records already made (decisions, entitlements, approved rolls and their lines) keep their
region. An entitlement paid by a county the person no longer lives in is not stopped here: a
payment decision needs an officer and an audit row, which a migration cannot write; the
hook stops such payments for every move from now on, and docs/benefits.md gives the query
that lists the earlier ones for the counties to review.
"""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery

OPEN_STATUSES = ("accepted", "reviewed", "appealed")


def forward(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    region = Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("region_id")[:1])
    for model, open_rows in (
        ("Application", {"status__in": OPEN_STATUSES}),
        ("ReviewTask", {"status": "open"}),
        ("Candidate", {}),
    ):
        Model = apps.get_model("benefits", model)
        Model.objects.filter(**open_rows).exclude(region_id=F("person__region_id")).update(
            region_id=region
        )


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0004_discovery_run"),
        ("people", "0006_search_columns"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
