"""高龄 (80 周岁及以上, derived from the birth date on the month's first day) joins the national
floor: at least one visit a month, like the other key groups (issue 10 part 1).

Source: the 长春市 plan §6 names 高龄 among the eight key groups of 探访关爱 (独居、空巢、留守、
特困、高龄、失能（含失智）、重残、计划生育特殊家庭); the 2022 ten-department guidance covers
"other special-difficulty older people" and sets the 月探访率 target, so "monthly" is the
frequency its measure implies (docs/visits.md). Effective from the national floor's own date:
the old definition's omission of 80+ people was a defect, not an earlier policy.
"""

from __future__ import annotations

from datetime import date

from django.db import migrations

EFFECTIVE = date(2022, 10, 1)
DOCUMENT = "民政部等十部门《关于开展特殊困难老年人探访关爱服务的指导意见》（2022年）"
NOTE = "高龄（80周岁及以上）每月至少探访一次：长春市方案第6节列为八类重点对象之一"


def forwards(apps, schema_editor):
    FrequencyRule = apps.get_model("visits", "FrequencyRule")
    FrequencyRule.objects.get_or_create(
        region=None,
        target="advanced_age",
        effective_from=EFFECTIVE,
        defaults={"period": "month", "document_no": DOCUMENT, "note": NOTE},
    )


def backwards(apps, schema_editor):
    FrequencyRule = apps.get_model("visits", "FrequencyRule")
    FrequencyRule.objects.filter(region=None, target="advanced_age").delete()


class Migration(migrations.Migration):
    dependencies = [("visits", "0003_key_groups_targets")]
    operations = [migrations.RunPython(forwards, backwards)]
