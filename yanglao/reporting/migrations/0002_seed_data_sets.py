from django.db import migrations


def seed(apps, schema_editor):
    from yanglao.reporting import catalog

    catalog.seed(apps.get_model("reporting", "DataSet"), apps.get_model("reporting", "DataElement"))


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
