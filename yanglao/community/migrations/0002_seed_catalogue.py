from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from yanglao.community.catalogue import CATALOGUE

    Item = apps.get_model("community", "CatalogueItem")
    for s in CATALOGUE:
        Item.objects.update_or_create(
            code=s.code,
            defaults={
                "name": s.name,
                "category": s.category,
                "unit": s.unit,
                "description": s.description,
                "needs_assessment": s.needs_assessment,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
