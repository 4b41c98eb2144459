"""Enumerated values of the reporting app, each with its Chinese label."""

from __future__ import annotations

from django.db import models


class PeriodType(models.TextChoices):
    MONTHLY = "monthly", "月报"
    QUARTERLY = "quarterly", "季报"
    YEARLY = "yearly", "年报"


class Department(models.TextChoices):
    HEALTH = "health", "卫生健康部门"
    HOUSING = "housing", "住房和城乡建设部门"
    DISABLED = "disabled", "残疾人联合会"
    CIVIL = "civil", "民政部门"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿（未报送）"
    SUBMITTED = "submitted", "已报送，待上级审核"
    RETURNED = "returned", "已退回，待修改"
    APPROVED = "approved", "已审核通过"


# Reports that count as received for the reporting rate (DHIS2: a complete data set
# registration); a returned report no longer counts until it is submitted again.
RECEIVED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
