"""Care institutions (养老机构): the register and 备案, beds and residents.

Fields follow the 养老服务机构组织信息基本数据集 the Changchun plan §32 asks for (see
docs/institutions.md). Residents are ledger people; an admission is a life event of the person
(people.services.person_set_dwelling), so home-visit rosters drop them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from yanglao.institutions.choices import (
    BedKind,
    BedStatus,
    EndReason,
    FilingDecision,
    FilingKind,
    FilingStatus,
    Medical,
    OperatingStatus,
    Ownership,
    ProfitKind,
)


def money(label: str) -> models.DecimalField:
    """An optional amount in yuan (元), two decimals."""
    return models.DecimalField(label, max_digits=10, decimal_places=2, null=True, blank=True)


class Institution(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("机构名称", max_length=100)
    ownership = models.CharField("举办性质", max_length=16, choices=Ownership.choices)
    profit = models.CharField("营利性质", max_length=16, choices=ProfitKind.choices)
    is_tekun = models.BooleanField("特困人员供养服务机构", default=False)
    is_glory = models.BooleanField("光荣院", default=False)
    is_regional_center = models.BooleanField("区域性养老服务中心", default=False)
    legal_rep = models.CharField("法定代表人（主要负责人）", max_length=50)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在村（社区）", on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField("详细地址", max_length=200)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=8, decimal_places=6, null=True, blank=True)
    registration_authority = models.CharField("登记机关", max_length=100, blank=True)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    area_m2 = models.PositiveIntegerField("建筑面积（平方米）", null=True, blank=True)
    beds_total = models.PositiveIntegerField("总床位数", default=0)
    beds_nursing = models.PositiveIntegerField("护理型床位数", default=0)
    beds_dementia = models.PositiveIntegerField("失智照护床位数", default=0)
    beds_daycare = models.PositiveIntegerField("日间照料床位数", default=0)
    fire_approved = models.BooleanField("消防审验合格", default=False)
    food_licensed = models.BooleanField("取得食品经营许可", default=False)
    medical = models.CharField(
        "医疗服务能力", max_length=16, choices=Medical.choices, default=Medical.NONE
    )
    medical_partner = models.CharField("签约医疗机构", max_length=100, blank=True)
    ltc_designated = models.BooleanField("长期护理保险定点", default=False)
    liability_insured = models.BooleanField("投保综合责任保险", default=False)
    bed_fee_min = money("床位费下限（元/月）")
    bed_fee_max = money("床位费上限（元/月）")
    care_fee_min = money("护理费下限（元/月）")
    care_fee_max = money("护理费上限（元/月）")
    meal_fee_min = money("膳食费下限（元/月）")
    meal_fee_max = money("膳食费上限（元/月）")
    status = models.CharField(
        "运营状态",
        max_length=16,
        choices=OperatingStatus.choices,
        default=OperatingStatus.OPERATING,
    )
    filing_status = models.CharField(
        "备案状态", max_length=16, choices=FilingStatus.choices, default=FilingStatus.UNFILED
    )
    filed_on = models.DateField("备案日期", null=True, blank=True)
    first_admission_on = models.DateField("首位老人入住日期", null=True, blank=True)
    licence_valid_until = models.DateField("证照有效期至", null=True, blank=True)
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="InstitutionOperator",
        through_fields=("institution", "user"),
        related_name="operated_institutions",
        blank=True,
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "养老机构"
        verbose_name_plural = "养老机构"
        indexes = [models.Index(fields=["region", "id"], name="institution_region_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(beds_nursing__lte=models.F("beds_total"))
                & Q(beds_dementia__lte=models.F("beds_total")),
                name="institution_beds_within_total",
            )
        ]

    def __str__(self) -> str:
        return self.name


class InstitutionOperator(models.Model):
    """An operator account bound to its institution (DESIGN "Scopes": bound, not regional)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "机构经办人"
        verbose_name_plural = "机构经办人"
        constraints = [
            models.UniqueConstraint(fields=["institution", "user"], name="operator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.institution_id}"


class Filing(models.Model):
    """A 备案 (first filing, change or closure) and the bureau's answer."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="filings")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("备案类型", max_length=16, choices=FilingKind.choices)
    submitted_on = models.DateField("提交日期")
    documents = models.JSONField("已提交材料", default=list)
    pledge = models.BooleanField("已签署承诺书", default=False)
    note = models.CharField("说明", max_length=500, blank=True)
    decision = models.CharField(
        "处理结果",
        max_length=16,
        choices=FilingDecision.choices,
        default=FilingDecision.SUBMITTED,
    )
    receipt_no = models.CharField("备案回执编号", max_length=40, blank=True)
    reason = models.CharField("补正事项", max_length=500, blank=True)
    decided_on = models.DateField("处理日期", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "备案"
        verbose_name_plural = "备案"
        indexes = [models.Index(fields=["region", "decision"], name="filing_region_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(decision="submitted"),
                name="filing_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.submitted_on}"


class Bed(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="beds")
    room = models.CharField("房间", max_length=20)
    number = models.CharField("床号", max_length=20)
    kind = models.CharField("床位类型", max_length=16, choices=BedKind.choices)
    status = models.CharField(
        "状态", max_length=16, choices=BedStatus.choices, default=BedStatus.FREE
    )

    class Meta:
        verbose_name = "床位"
        verbose_name_plural = "床位"
        ordering = ["room", "number"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "room", "number"], name="bed_unique")
        ]

    def __str__(self) -> str:
        return f"{self.room}-{self.number}"


class Residency(models.Model):
    """A ledger person living in an institution from `start` until `end`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="residencies"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+"
    )  # the institution's village: officers' scope
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    bed = models.ForeignKey(
        Bed, null=True, blank=True, on_delete=models.SET_NULL, related_name="residencies"
    )
    start = models.DateField("入住日期")
    end = models.DateField("离院日期", null=True, blank=True)
    end_reason = models.CharField("离院原因", max_length=16, choices=EndReason.choices, blank=True)
    care_grade = models.CharField("照护等级", max_length=32, blank=True)
    contract_from = models.DateField("合同起始", null=True, blank=True)
    contract_to = models.DateField("合同截止", null=True, blank=True)
    monthly_fee = money("月收费（元）")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "入住记录"
        verbose_name_plural = "入住记录"
        indexes = [models.Index(fields=["institution", "end"], name="residency_inst_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(end__isnull=True), name="residency_one_open"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="residency_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.institution_id}"
