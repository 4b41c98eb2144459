import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0004_household_region_fill_severe_to_disability")]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="household_region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="regions.region",
                verbose_name="户籍地",
            ),
        ),
    ]
