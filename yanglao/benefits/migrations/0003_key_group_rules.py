"""The national rows whose rule now reads the key groups and the 居住方式 (issue 10):
N13 探访关爱 = key-group people at home (the one definition shared with the visit roster),
N10 家庭适老化改造 and N12 居家上门服务 = people at home only. These rows are provisional
reconstructions (待核实) shipped by `benefits.catalog`; databases seeded before get the
corrected rule, target and standard in place (the rows were never published by a level, so
this is a correction of shipped data, not a new policy version)."""

from django.db import migrations


def forward(apps, schema_editor):
    from yanglao.benefits import catalog

    ServiceItem = apps.get_model("benefits", "ServiceItem")
    national = {it["code"]: it for it in catalog.NATIONAL}
    for code in catalog.CHANGED_BY_KEY_GROUPS:
        it = national[code]
        ServiceItem.objects.filter(code=code, region__isnull=True, version=1).update(
            rule=it["rule"], target=it["target"], standard=it["standard"]
        )


class Migration(migrations.Migration):
    dependencies = [("benefits", "0002_life_event_moves")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
