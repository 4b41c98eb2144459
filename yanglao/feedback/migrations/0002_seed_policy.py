import datetime

from django.db import migrations


def seed(apps, schema_editor):
    from yanglao.feedback import rules

    policy = apps.get_model("feedback", "ResponsePolicy")
    if not policy.objects.filter(region__isnull=True).exists():
        policy.objects.create(
            region=None,
            working_days=rules.DEFAULT_WORKING_DAYS,
            effective_from=datetime.date(2020, 1, 1),
            document_no=rules.DEFAULT_DOCUMENT,
        )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
