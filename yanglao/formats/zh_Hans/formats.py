"""Dates shown one way throughout (issue 14): 2026-11-30, times 2026-11-30 14:05.

Django's own zh_Hans formats ("2026年11月30日") win over settings.DATE_FORMAT since Django 5,
so the house format is a locale format module (settings.FORMAT_MODULE_PATH). Printed forms that
must read 2026年11月30日 (the assessment report) format by hand through core.dates.CN_DATE.
"""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ""
NUMBER_GROUPING = 0
