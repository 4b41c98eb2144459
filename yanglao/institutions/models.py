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
    # Part 7 (等级评定, GB/T 37276-2018): the level held, written only by institutions.rating.
    rating = models.PositiveSmallIntegerField(
        "评定等级", null=True, blank=True, choices=[(n, f"{n}级") for n in range(1, 6)]
    )
    rating_valid_until = models.DateField("等级有效期至", null=True, blank=True)
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


# --- Part 7: 等级评定 (GB/T 37276-2018) --------------------------------------------------------


class RatingStatus(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", "机构自评中"
    SCORING = "scoring", "专家评分中"
    PUBLICITY = "publicity", "公示中"
    CERTIFIED = "certified", "已发证"
    REJECTED = "rejected", "未通过"


RATING_OPEN = (RatingStatus.SELF_ASSESSMENT, RatingStatus.SCORING, RatingStatus.PUBLICITY)


class RatingEventKind(models.TextChoices):
    CERTIFIED = "certified", "评定发证"
    DOWNGRADED = "downgraded", "降级"
    REVOKED = "revoked", "取消等级"


class RatingClause(models.Model):
    """One scoring item of a standard edition (data: institutions.rating_catalog)."""

    edition = models.CharField("标准版本", max_length=40)
    code = models.CharField("条款编号", max_length=10)
    part = models.CharField("评定部分", max_length=16)
    title = models.CharField("评定内容", max_length=100)
    max_points = models.PositiveSmallIntegerField("分值")
    order = models.PositiveSmallIntegerField("顺序")
    verified = models.BooleanField("分值已核实", default=False)

    class Meta:
        verbose_name = "等级评定条款"
        verbose_name_plural = "等级评定条款"
        ordering = ["edition", "order"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="rating_clause_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class RatingApplication(models.Model):
    """One 等级评定: application → self-assessment → expert scoring → committee → 公示 →
    certificate (or 未通过)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="rating_applications"
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    edition = models.CharField("标准版本", max_length=40)
    requested_level = models.PositiveSmallIntegerField("申请等级")
    status = models.CharField(
        "状态", max_length=16, choices=RatingStatus.choices, default=RatingStatus.SELF_ASSESSMENT
    )
    applied_on = models.DateField("申请日期")
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    self_total = models.DecimalField("自评总分", max_digits=6, decimal_places=1, null=True)
    self_submitted_on = models.DateField("自评提交日期", null=True, blank=True)
    expert_total = models.DecimalField("专家评分总分", max_digits=6, decimal_places=1, null=True)
    parts = models.JSONField("各部分得分", default=dict)
    reached_level = models.PositiveSmallIntegerField("评分达到等级", null=True, blank=True)
    level = models.PositiveSmallIntegerField("评定等级", null=True, blank=True)
    committee_note = models.CharField("评定委员会意见", max_length=500, blank=True)
    decided_on = models.DateField("评审日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    publicity_from = models.DateField("公示开始", null=True, blank=True)
    publicity_until = models.DateField("公示截止", null=True, blank=True)
    objection_note = models.CharField("公示异议", max_length=500, blank=True)
    certificate_no = models.CharField("证书编号", max_length=40, blank=True)
    certified_on = models.DateField("发证日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "等级评定申请"
        verbose_name_plural = "等级评定申请"
        indexes = [models.Index(fields=["region", "status"], name="rating_region_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(status__in=["self_assessment", "scoring", "publicity"]),
                name="rating_one_open",
            ),
            models.CheckConstraint(
                condition=Q(requested_level__gte=1) & Q(requested_level__lte=5),
                name="rating_requested_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.requested_level}级 {self.applied_on}"


class RatingScore(models.Model):
    """One clause of one application: the home's self score, the experts' score and evidence."""

    application = models.ForeignKey(
        RatingApplication, on_delete=models.CASCADE, related_name="scores"
    )
    clause = models.ForeignKey(RatingClause, on_delete=models.PROTECT, related_name="+")
    self_score = models.DecimalField("自评得分", max_digits=5, decimal_places=1, null=True)
    self_note = models.CharField("自评说明", max_length=300, blank=True)
    expert_score = models.DecimalField("专家评分", max_digits=5, decimal_places=1, null=True)
    evidence = models.CharField("评分依据（证据）", max_length=500, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_on = models.DateField("评分日期", null=True, blank=True)

    class Meta:
        verbose_name = "等级评定得分"
        verbose_name_plural = "等级评定得分"
        constraints = [
            models.UniqueConstraint(fields=["application", "clause"], name="rating_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.clause_id}"


class RatingEvent(models.Model):
    """The history of a home's level: certificates, downgrades, revocations."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="rating_events"
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(
        RatingApplication, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("事项", max_length=16, choices=RatingEventKind.choices)
    level_before = models.PositiveSmallIntegerField("原等级", null=True, blank=True)
    level_after = models.PositiveSmallIntegerField("新等级", null=True, blank=True)
    reason = models.CharField("原因", max_length=500, blank=True)
    on = models.DateField("日期")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "等级变动"
        verbose_name_plural = "等级变动"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.kind} {self.on}"
