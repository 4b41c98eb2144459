"""Shipped defaults: the national routine-reassessment interval (12 months, our policy —
the standard leaves it open) and the LTC-2021 candidate scoring configuration (试行/待核)."""

from datetime import date

from django.db import migrations

LTC_CANDIDATE = {
    "version": "2021-candidate-1",
    "status": "trial",
    "note": "认知、感知觉与沟通分级界值及组合表未经官方文本核对（试行/待核）",
    "bands": {
        "adl": [[100, 0], [65, 1], [45, 2], [0, 3]],
        "cognition": [[16, 0], [12, 1], [8, 2], [0, 3]],
        "sensory": [[12, 0], [9, 1], [5, 2], [0, 3]],
    },
    "matrix": [[0, 0, 1, 1], [1, 1, 1, 2], [2, 2, 2, 3], [3, 3, 4, 5]],
}


def forwards(apps, schema_editor):
    Policy = apps.get_model("assessments", "AssessmentPolicy")
    Config = apps.get_model("assessments", "ScoringConfig")
    Policy.objects.create(
        region=None,
        interval_months=12,
        effective_from=date(2022, 12, 30),
        document_no="平台默认（GB/T 42195-2022 未规定复评间隔）",
        note="常规评估每12个月一次；地方可另设",
    )
    Config.objects.create(
        standard="LTC-2021",
        version=LTC_CANDIDATE["version"],
        status="trial",
        data=LTC_CANDIDATE,
        effective_from=date(2021, 8, 3),
        note=LTC_CANDIDATE["note"],
    )


def backwards(apps, schema_editor):
    apps.get_model("assessments", "AssessmentPolicy").objects.filter(region=None).delete()
    apps.get_model("assessments", "ScoringConfig").objects.filter(
        version=LTC_CANDIDATE["version"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
