"""Seed the working calendar (core.CalendarDay) for 2025 and 2026 from the State Council's
notices. Only the days that differ from Monday–Friday are stored: holidays on weekdays
(working=False) and the adjusted working weekends 调休上班 (working=True); a holiday on a
Saturday or Sunday needs no row. The notices' 文号 are not written because they were not
confirmed here; the document text is the notice's title (and date for 2026).
"""

from datetime import date, timedelta

from django.db import migrations

DOC_2025 = "国务院办公厅关于2025年部分节假日安排的通知"
DOC_2026 = "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）"

# (name, first day off, last day off, adjusted working weekends, document)
NOTICES = [
    ("元旦", date(2025, 1, 1), date(2025, 1, 1), (), DOC_2025),
    ("春节", date(2025, 1, 28), date(2025, 2, 4), (date(2025, 1, 26), date(2025, 2, 8)), DOC_2025),
    ("清明节", date(2025, 4, 4), date(2025, 4, 6), (), DOC_2025),
    ("劳动节", date(2025, 5, 1), date(2025, 5, 5), (date(2025, 4, 27),), DOC_2025),
    ("端午节", date(2025, 5, 31), date(2025, 6, 2), (), DOC_2025),
    (
        "国庆节、中秋节",
        date(2025, 10, 1),
        date(2025, 10, 8),
        (date(2025, 9, 28), date(2025, 10, 11)),
        DOC_2025,
    ),
    ("元旦", date(2026, 1, 1), date(2026, 1, 3), (date(2026, 1, 4),), DOC_2026),
    (
        "春节",
        date(2026, 2, 15),
        date(2026, 2, 23),
        (date(2026, 2, 14), date(2026, 2, 28)),
        DOC_2026,
    ),
    ("清明节", date(2026, 4, 4), date(2026, 4, 6), (), DOC_2026),
    ("劳动节", date(2026, 5, 1), date(2026, 5, 5), (date(2026, 5, 9),), DOC_2026),
    ("端午节", date(2026, 6, 19), date(2026, 6, 21), (), DOC_2026),
    ("中秋节", date(2026, 9, 25), date(2026, 9, 27), (), DOC_2026),
    ("国庆节", date(2026, 10, 1), date(2026, 10, 7), (date(2026, 9, 20), date(2026, 10, 10)), DOC_2026),
]


def rows():
    for name, first, last, work, doc in NOTICES:
        d = first
        while d <= last:
            if d.weekday() < 5:
                yield d, False, name, doc
            d += timedelta(days=1)
        for w in work:
            assert w.weekday() >= 5, w
            yield w, True, f"{name}调休上班", doc


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    for day, working, name, doc in rows():
        CalendarDay.objects.update_or_create(
            day=day, defaults={"working": working, "name": name, "document": doc}
        )


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarDay.objects.filter(day__gte=date(2025, 1, 1), day__lte=date(2026, 12, 31)).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0005_calendar_day")]

    operations = [migrations.RunPython(seed, unseed)]
