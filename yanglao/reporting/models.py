"""Figures other departments hold (issue 13 part 4), as DHIS2 data sets.

A data set (卫健 家庭医生签约 …) has data elements (the figures), a period type and the region
level that reports it, a deadline (day of the following month) and the 文号 that asks for it.
One report per data set, region node and period holds one value per element; it is
submitted by the region and approved (or returned with a reason) by the level above.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from yanglao.regions.models import Level
from yanglao.reporting import rules
from yanglao.reporting.choices import Department, PeriodType, ReportStatus


class DataSet(models.Model):
    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    department = models.CharField("数据来源部门", max_length=16, choices=Department.choices)
    period_type = models.CharField("报送周期", max_length=10, choices=PeriodType.choices)
    report_level = models.PositiveSmallIntegerField("报送层级", choices=Level.choices)
    due_day = models.PositiveSmallIntegerField(
        "截止日", default=10, help_text="报告期结束后次月的第几日前报送"
    )
    document_no = models.CharField("依据文号", max_length=200, blank=True)
    source = models.CharField("依据与说明", max_length=500, blank=True)
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "报送数据集"
        verbose_name_plural = "报送数据集"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class DataElement(models.Model):
    data_set = models.ForeignKey(
        DataSet, verbose_name="数据集", on_delete=models.PROTECT, related_name="elements"
    )
    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    unit = models.CharField("单位", max_length=10)
    definition = models.CharField("口径", max_length=300, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "数据项"
        verbose_name_plural = "数据项"
        ordering = ["data_set", "order", "code"]

    def __str__(self) -> str:
        return self.name


class Report(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    data_set = models.ForeignKey(
        DataSet, verbose_name="数据集", on_delete=models.PROTECT, related_name="reports"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="报送单位", on_delete=models.PROTECT, related_name="+"
    )
    period = models.DateField("报告期（首日）")
    status = models.CharField(
        "状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    version = models.PositiveIntegerField("版本", default=1)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    first_submitted_on = models.DateField("首次报送日期", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_reason = models.CharField("退回原因", max_length=500, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "部门数据报表"
        verbose_name_plural = "部门数据报表"
        constraints = [
            models.UniqueConstraint(
                fields=["data_set", "region", "period"], name="reporting_one_report_per_period"
            )
        ]
        indexes = [models.Index(fields=["data_set", "period", "region"])]

    def __str__(self) -> str:
        return f"{self.data_set.name} {self.region_id} {self.period}"

    @property
    def period_label(self) -> str:
        return rules.period_label(self.data_set.period_type, self.period)


class ReportValue(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveBigIntegerField("数值")

    class Meta:
        verbose_name = "报送数值"
        verbose_name_plural = "报送数值"
        constraints = [
            models.UniqueConstraint(fields=["report", "element"], name="reporting_one_value")
        ]

    def __str__(self) -> str:
        return f"{self.element_id}={self.value}"
