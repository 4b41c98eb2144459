"""Suggestions and complaints from the public (issue 13 part 7, 意见建议反馈).

A member of the public names a region (village, township or county) and a topic; the
township of that region answers it (the county when a county was named), or forwards it to
another level. The phone number is personal data: encrypted like the ledger's (core.crypto),
masked in lists, shown in full only through an audited reveal.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from yanglao.core import crypto
from yanglao.feedback.choices import Kind, Status, Topic, Via


class Feedback(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField("查询编号", max_length=20, unique=True)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    topic = models.CharField("事项", max_length=16, choices=Topic.choices)
    about_region = models.ForeignKey(
        "regions.Region", verbose_name="所涉地区", on_delete=models.PROTECT, related_name="+"
    )
    # Who answers: a township or county node (scope field of the inbox).
    region = models.ForeignKey(
        "regions.Region", verbose_name="办理单位", on_delete=models.PROTECT, related_name="+"
    )
    content = models.TextField("内容")
    name = models.CharField("姓名", max_length=30, blank=True)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    via = models.CharField("来源", max_length=8, choices=Via.choices, default=Via.PUBLIC)
    submitted_at = models.DateTimeField("提交时间", db_index=True)
    submitted_on = models.DateField("提交日期")
    due_on = models.DateField("答复期限")
    policy_document = models.CharField("期限依据", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Keyed hash of the sender's address: the rate limit counts by it, the address itself
    # is not kept (PIPL art. 6: no more than needed).
    address_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "意见建议"
        verbose_name_plural = "意见建议"
        indexes = [models.Index(fields=["region", "status", "due_on"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_cipher)


class Forward(models.Model):
    """One hand-over of a feedback to another level, with the reason."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="forwards")
    from_region = models.ForeignKey(
        "regions.Region", verbose_name="转出单位", on_delete=models.PROTECT, related_name="+"
    )
    to_region = models.ForeignKey(
        "regions.Region", verbose_name="转入单位", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("转办原因", max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("转办时间", auto_now_add=True)

    class Meta:
        verbose_name = "转办记录"
        verbose_name_plural = "转办记录"
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.from_region_id} → {self.to_region_id}"


class ResponsePolicy(models.Model):
    """The answer deadline in working days, as policy data (rules.working_days_for)."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name="制定层级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="空为全国（平台默认）",
    )
    working_days = models.PositiveSmallIntegerField("答复期限（工作日）")
    effective_from = models.DateField("生效日期")
    document_no = models.CharField("依据文号", max_length=200, blank=True)

    class Meta:
        verbose_name = "答复期限规定"
        verbose_name_plural = "答复期限规定"
        ordering = ["effective_from"]

    def __str__(self) -> str:
        return f"{self.working_days}个工作日"
