"""Data: 户籍地 = today's residence village for every existing person (one UPDATE), and every
重残 tag becomes a disability record (the tag is no longer kept: 重残 is derived from the
record's grade).

Conversion of a 重残 tag (docs/glossary.md, docs/benefits.md "Facts"):
- kind: blank (残疾类别未登记); certificate number and issue date: blank (unknown);
- grade: the tag's grade when it was one of 一级…四级, otherwise "1-2" = 一级或二级（待核实）
  (a 重残 tag meant grade 1 or 2; which one is not known);
- start/end dates and source: the tag's; note names the conversion;
- the tag row is deleted, so the fact is held once. Reversing recreates the tags.
"""

from django.db import migrations
from django.db.models import F

GRADES = {"一级": "1", "二级": "2", "三级": "3", "四级": "4"}
LABELS = {v: k for k, v in GRADES.items()}
NOTE = "由原“重残”类别标签转换（残疾类别、证号待补录）"


def forward(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    PersonCategory = apps.get_model("people", "PersonCategory")
    Disability = apps.get_model("people", "Disability")
    Person.objects.filter(household_region__isnull=True).update(household_region_id=F("region_id"))
    tags = PersonCategory.objects.filter(category="severe_disability").order_by(
        "person_id", "start_date"
    )
    batch = []
    for t in tags.iterator(chunk_size=5000):
        batch.append(
            Disability(
                person_id=t.person_id,
                kind="",
                grade=GRADES.get(t.grade, "1-2"),
                start_date=t.start_date,
                end_date=t.end_date,
                source=t.source,
                note=NOTE,
                created_by_id=t.created_by_id,
            )
        )
        if len(batch) >= 5000:
            Disability.objects.bulk_create(batch)
            batch = []
    Disability.objects.bulk_create(batch)
    tags.delete()


def backward(apps, schema_editor):
    PersonCategory = apps.get_model("people", "PersonCategory")
    Disability = apps.get_model("people", "Disability")
    converted = Disability.objects.filter(note=NOTE)
    PersonCategory.objects.bulk_create(
        PersonCategory(
            person_id=d.person_id,
            category="severe_disability",
            grade="" if d.grade == "1-2" else LABELS.get(d.grade, ""),
            start_date=d.start_date,
            end_date=d.end_date,
            source=d.source,
            created_by_id=d.created_by_id,
        )
        for d in converted
    )
    converted.delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0003_household_region_dwelling_disability_dementia")]

    operations = [migrations.RunPython(forward, backward)]
