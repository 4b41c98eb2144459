"""The national floor shipped with the system (issue 5 part 1; policy-requirements §2.1–2.3).

Rows are data: a province, city or county tightens them with its own rows and document
numbers; nothing here is read from code at run time.
"""

from __future__ import annotations

from datetime import date

from django.db import migrations

EFFECTIVE = date(2022, 10, 1)
DOCUMENT = "民政部等十部门《关于开展特殊困难老年人探访关爱服务的指导意见》（2022年）"
MONTHLY = (
    "living_alone",
    "empty_nest",
    "left_behind",
    "disabled",
    "severe_disability",
    "bereaved_family",
    "extreme_poverty",
)


def forwards(apps, schema_editor):
    FrequencyRule = apps.get_model("visits", "FrequencyRule")
    CountingRule = apps.get_model("visits", "CountingRule")
    rows = [(t, "month", "特殊困难老年人每月至少探访一次") for t in MONTHLY]
    rows += [
        ("high_risk", "week", "高风险老年人每周至少一次（参照内蒙古等地做法）"),
        ("general", "quarter", "其他在册老年人每季度至少一次"),
    ]
    for target, period, note in rows:
        FrequencyRule.objects.get_or_create(
            region=None,
            target=target,
            effective_from=EFFECTIVE,
            defaults={"period": period, "document_no": DOCUMENT, "note": note},
        )
    CountingRule.objects.get_or_create(
        region=None,
        effective_from=EFFECTIVE,
        defaults={
            "methods": ["door", "video"],
            "document_no": DOCUMENT,
            "note": "国家文件未明确电话、视频是否计入；默认上门入户和视频计入，电话不计入",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
