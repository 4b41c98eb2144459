from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from yanglao.community.programmes.policy import MODIFICATION_ITEMS, MODIFICATION_TARGETS

    Item = apps.get_model("community", "ModificationItem")
    for code, name, category, unit, price, basic in MODIFICATION_ITEMS:
        Item.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "unit": unit,
                "unit_price": price,
                "basic": basic,
            },
        )
    Target = apps.get_model("community", "ModificationTarget")
    for code, year, households, document in MODIFICATION_TARGETS:
        Target.objects.update_or_create(
            region_code=code, year=year, defaults={"households": households, "document": document}
        )


class Migration(migrations.Migration):
    dependencies = [("community", "0004_programmes")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
