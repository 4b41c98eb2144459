"""Ability assessments (GB/T 42195-2022; LTC-2021), reassessment policy and requests."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from yanglao.assessments.choices import ConfigStatus, ProviderRelation, Reason, Standard, Status


class Assessment(models.Model):
    """One assessment of one person: the form (A.1–A.5, B) and its report (C.1–C.5).

    draft → submitted → final. A final assessment is never edited; a correction is a new
    assessment (reason 复评) that names the one it supersedes. Scores and grades are always
    computed on the server from the stored answers.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField("评估编号", max_length=32, blank=True)  # A.1.1
    person = models.ForeignKey(
        "people.Person", verbose_name="老年人", on_delete=models.PROTECT, related_name="assessments"
    )
    standard = models.CharField(
        "评估标准", max_length=32, choices=Standard.choices, default=Standard.GBT_42195
    )
    config_version = models.CharField("规则版本", max_length=32, blank=True)
    reason = models.CharField("评估原因", max_length=16, choices=Reason.choices)  # A.1.3
    assessment_date = models.DateField("评估基准日期")  # A.1.2
    location = models.CharField("评估地点", max_length=100, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    supersedes = models.ForeignKey(
        "self",
        verbose_name="更正的评估",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    # A.2 snapshot of the person at the time (masked identifiers only) plus 身高/体重/宗教信仰.
    basic = models.JSONField("基本信息", default=dict, blank=True)
    risk_events = models.JSONField("近30天照护风险事件", default=dict, blank=True)  # A.2.14
    provider_name = models.CharField("信息提供者姓名", max_length=50, blank=True)  # A.3.1
    provider_relation = models.CharField(
        "与老年人的关系", max_length=16, choices=ProviderRelation.choices, blank=True
    )
    contact_name = models.CharField("联系人姓名", max_length=50, blank=True)
    contact_phone_cipher = models.TextField(blank=True, editable=False)
    contact_phone_masked = models.CharField("联系人电话", max_length=20, blank=True)
    diseases = models.JSONField("疾病诊断", default=list, blank=True)  # A.4.1 (codes)
    diagnoses = models.JSONField("精神和行为障碍诊断", default=list, blank=True)  # A.4.1 F00–F99
    medications = models.JSONField("用药情况", default=list, blank=True)  # A.4.2
    health = models.JSONField("健康相关问题", default=dict, blank=True)  # A.5
    coma = models.BooleanField("昏迷", default=False)  # A.5.11
    b39_state = models.CharField("意识水平", max_length=16, blank=True)
    items = models.JSONField("评估项目得分", default=dict, blank=True)  # B.1.1 … B.4.5
    subtotals = models.JSONField("一级指标得分", default=dict, blank=True)  # C.1
    total = models.PositiveSmallIntegerField("总得分", null=True, blank=True)  # C.2
    preliminary_grade = models.PositiveSmallIntegerField("初步等级", null=True, blank=True)
    reasons = models.JSONField("等级变更依据", default=list, blank=True)  # C.4
    final_grade = models.PositiveSmallIntegerField("最终等级", null=True, blank=True)  # C.5
    detail = models.JSONField("评分明细", default=dict, blank=True)  # e.g. LTC dimension grades
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评估员", on_delete=models.PROTECT, related_name="+"
    )
    confirmer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="复核评估员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "能力评估"
        verbose_name_plural = "能力评估"
        indexes = [
            models.Index(
                fields=["person", "status", "assessment_date"], name="assessment_person_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["draft", "submitted"]),
                name="assessment_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=Q(confirmer__isnull=True) | ~Q(confirmer=F("assessor")),
                name="assessment_two_assessors",
            ),
            models.CheckConstraint(
                condition=Q(final_grade__isnull=True) | Q(final_grade__lte=5),
                name="assessment_grade_range",
            ),
        ]

    def __str__(self) -> str:
        return self.number or str(self.public_id)


class AssessmentPolicy(models.Model):
    """A versioned policy value: the routine reassessment interval, nationally or per region.

    The most specific region (longest code) in force on a date wins; region NULL is the
    national default. Rows are never edited: a change is a new row with its own date and
    document number.
    """

    region = models.ForeignKey(
        "regions.Region",
        verbose_name="适用区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    interval_months = models.PositiveSmallIntegerField("常规复评间隔（月）")
    effective_from = models.DateField("生效日期")
    document_no = models.CharField("依据文件", max_length=100, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "复评政策"
        verbose_name_plural = "复评政策"
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_months__gte=1), name="policy_interval_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id or '全国'} {self.interval_months}个月 自{self.effective_from}"


class ReassessmentRequest(models.Model):
    """An immediate-reassessment request (即时评估), e.g. a visit reporting a marked change.

    Open until a later assessment of the person is confirmed.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="reassessment_requests"
    )
    reason = models.CharField("原因", max_length=200)
    source = models.CharField("来源", max_length=32, default="visit")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    resolved_by = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "即时评估申请"
        verbose_name_plural = "即时评估申请"
        indexes = [models.Index(fields=["person", "resolved_at"], name="reassess_req_person_idx")]

    def __str__(self) -> str:
        return self.reason


class ScoringConfig(models.Model):
    """Versioned scoring configuration of a standard whose values are not confirmed
    (LTC-2021 dimension bands and combination matrix). The newest row in force is used."""

    standard = models.CharField("评估标准", max_length=32, choices=Standard.choices)
    version = models.CharField("版本", max_length=32)
    status = models.CharField(
        "核对状态", max_length=16, choices=ConfigStatus.choices, default=ConfigStatus.TRIAL
    )
    data = models.JSONField("配置")
    effective_from = models.DateField("生效日期")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "评分配置"
        verbose_name_plural = "评分配置"
        constraints = [
            models.UniqueConstraint(fields=["standard", "version"], name="config_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.standard} {self.version}"
