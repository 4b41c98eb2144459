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
    ComplaintStatus,
    EndReason,
    FilingDecision,
    FilingKind,
    FilingStatus,
    Medical,
    OperatingStatus,
    Ownership,
    ProfitKind,
    SupportStatus,
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
    # Fee items of the contract (issue 11 part 2; the home's published ranges are 床位费、护理费、
    # 膳食费); monthly_fee is their sum, kept for the reports.
    bed_fee = money("床位费（元/月）")
    care_fee = money("护理费（元/月）")
    meal_fee = money("膳食费（元/月）")
    monthly_fee = money("月收费合计（元）")
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


# --- Parts 5–6 (issue 11): 双随机一公开, inspection and rectification ---------------------


class Organisation(models.TextChoices):
    """The department an inspector belongs to (joint teams: 联合检查)."""

    CIVIL = "civil", "民政"
    FIRE = "fire", "消防救援"
    MARKET = "market", "市场监管"
    HEALTH = "health", "卫生健康"


class CheckItem(models.Model):
    """抽查事项清单: what may be checked, on what basis, with which checklist."""

    code = models.CharField("事项编码", max_length=20, unique=True)
    name = models.CharField("抽查事项", max_length=100)
    basis = models.CharField("检查依据", max_length=200)
    checklist = models.CharField("检查表", max_length=20)  # checklists.CHECKLISTS key
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "抽查事项"
        verbose_name_plural = "抽查事项清单"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Inspector(models.Model):
    """执法检查人员名录库: an INSPECTOR account with its department and directory region."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspector_entry"
    )
    name = models.CharField("姓名", max_length=50)
    organisation = models.CharField("所属部门", max_length=16, choices=Organisation.choices)
    certificate_no = models.CharField("执法证号", max_length=40, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="名录库所属区划", on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField("在库", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "执法检查人员"
        verbose_name_plural = "执法检查人员名录库"
        indexes = [models.Index(fields=["region", "active"], name="inspector_region_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_organisation_display()}）"


class InspectorLink(models.Model):
    """A link between an inspector and a home that requires 回避 (kin, former job, …)."""

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="links")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField("回避事由", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "回避关系"
        verbose_name_plural = "回避关系"
        constraints = [
            models.UniqueConstraint(fields=["inspector", "institution"], name="inspector_link_uq")
        ]

    def __str__(self) -> str:
        return f"{self.inspector_id}↔{self.institution_id}"


class SpotCheckPlan(models.Model):
    """抽查计划: a year's random checks in a region, with the ratio as policy data (文号)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(
        "regions.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("计划名称", max_length=100)
    ratio = models.DecimalField("抽查比例", max_digits=5, decimal_places=4)
    ratio_document = models.CharField("比例依据（文号）", max_length=100)
    ratio_unconfirmed = models.BooleanField("比例待核实", default=False)
    per_task = models.PositiveSmallIntegerField("每组检查人员数", default=2)
    items = models.ManyToManyField(CheckItem, verbose_name="抽查事项", related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "抽查计划"
        verbose_name_plural = "抽查计划"
        indexes = [models.Index(fields=["region", "year"], name="plan_region_idx")]

    def __str__(self) -> str:
        return self.name


class Draw(models.Model):
    """A draw of a plan (one per plan), with every input published so anyone can re-run it
    (spotcheck.draw): seed, sorted candidate ids, 回避 pairs, ratio, team size."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.OneToOneField(SpotCheckPlan, on_delete=models.PROTECT, related_name="draw")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    seed = models.CharField("随机种子", max_length=64)
    ratio = models.DecimalField("抽查比例", max_digits=5, decimal_places=4)
    per_task = models.PositiveSmallIntegerField("每组检查人员数")
    homes = models.JSONField("检查对象名录（候选）", default=list)
    excluded = models.JSONField("排除的对象及原因", default=list)
    inspectors = models.JSONField("检查人员名录（候选）", default=list)
    conflicts = models.JSONField("回避关系", default=list)
    result = models.JSONField("抽取结果", default=dict)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        verbose_name = "随机抽取"
        verbose_name_plural = "随机抽取"

    def __str__(self) -> str:
        return f"{self.plan_id} {self.seed[:8]}"


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", "待检查"
    INSPECTED = "inspected", "已检查"
    PUBLISHED = "published", "结果已公示"


class SpotCheckTask(models.Model):
    """抽查任务: one drawn home and its team; inspectors are bound to it (scoping `bound`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="tasks")
    plan = models.ForeignKey(SpotCheckPlan, on_delete=models.PROTECT, related_name="tasks")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="tasks")
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+"
    )  # the home's village: officers' scope
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspection_tasks", verbose_name="检查人员"
    )
    status = models.CharField(
        "状态", max_length=16, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED
    )
    inspected_on = models.DateField("检查日期", null=True, blank=True)
    published_on = models.DateField("结果公示日期", null=True, blank=True)
    conclusion = models.CharField("检查结论", max_length=200, blank=True)

    class Meta:
        verbose_name = "抽查任务"
        verbose_name_plural = "抽查任务"
        indexes = [models.Index(fields=["region", "status"], name="spotcheck_task_region_idx")]
        constraints = [
            models.UniqueConstraint(fields=["draw", "institution"], name="task_one_per_home")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.institution_id}"


class Verdict(models.TextChoices):
    CONFORM = "conform", "符合"
    NONCONFORM = "nonconform", "不符合"
    NA = "na", "不适用"


class Inspection(models.Model):
    """One on-site inspection as uploaded from the phone (client UUID: idempotent)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client_uuid = models.UUIDField(unique=True)
    task = models.ForeignKey(SpotCheckTask, on_delete=models.PROTECT, related_name="inspections")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    checklists = models.JSONField("检查表及版本", default=dict)
    inspected_on = models.DateField("检查日期")
    summary = models.CharField("检查情况", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_offline = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "现场检查"
        verbose_name_plural = "现场检查"
        indexes = [models.Index(fields=["institution", "inspected_on"], name="inspection_inst_idx")]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.inspected_on}"


class InspectionLine(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="lines")
    clause = models.CharField("条款", max_length=20)
    verdict = models.CharField("结论", max_length=16, choices=Verdict.choices)
    note = models.CharField("情况说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "检查条款"
        verbose_name_plural = "检查条款"
        constraints = [
            models.UniqueConstraint(fields=["inspection", "clause"], name="line_one_per_clause")
        ]

    def __str__(self) -> str:
        return f"{self.clause} {self.verdict}"


class FindingStatus(models.TextChoices):
    OPEN = "open", "待整改"
    ANSWERED = "answered", "已整改待复查"
    CLOSED = "closed", "复查通过"


class Finding(models.Model):
    """A 不符合 clause: a rectification with a deadline, answered by the operator, re-checked
    by the inspector. Serious ones may name the resident concerned."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    task = models.ForeignKey(SpotCheckTask, on_delete=models.PROTECT, related_name="findings")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="findings")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    clause = models.CharField("条款", max_length=20)
    clause_text = models.CharField("条款内容", max_length=200)
    note = models.CharField("问题描述", max_length=500)
    serious = models.BooleanField("严重问题", default=False)
    residency = models.ForeignKey(
        Residency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="涉及的老人",
    )
    deadline = models.DateField("整改期限")
    status = models.CharField(
        "状态", max_length=16, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    closed_on = models.DateField("复查通过日期", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "检查发现问题"
        verbose_name_plural = "检查发现问题"
        indexes = [models.Index(fields=["region", "status", "deadline"], name="finding_region_idx")]

    def __str__(self) -> str:
        return f"{self.clause} {self.get_status_display()}"


class StepKind(models.TextChoices):
    ANSWER = "answer", "机构整改答复"
    CLOSE = "close", "复查通过"
    RETURN = "return", "复查退回"


class RectificationStep(models.Model):
    """The operator's answer with evidence, or the inspector's re-check (close / return)."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("类型", max_length=16, choices=StepKind.choices)
    note = models.CharField("说明", max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "整改与复查"
        verbose_name_plural = "整改与复查"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.finding_id} {self.kind}"


class EvidencePhoto(models.Model):
    """A photo of an inspection line (the inspector's) or of a rectification answer."""

    inspection = models.ForeignKey(
        Inspection, null=True, on_delete=models.CASCADE, related_name="photos"
    )
    step = models.ForeignKey(
        RectificationStep, null=True, on_delete=models.CASCADE, related_name="photos"
    )
    clause = models.CharField(max_length=20, blank=True)
    file = models.FileField(upload_to="inspections/%Y/%m/")
    content_type = models.CharField(max_length=32)

    class Meta:
        verbose_name = "证据照片"
        verbose_name_plural = "证据照片"

    def __str__(self) -> str:
        return str(self.file.name)


# === Parts 3–4 and 特困 应养尽养 (issue 11): monthly operating report, prepaid fees and ==========
# deposits (民发〔2024〕19号), the risk list's complaints and stop notices, central-support requests.


def count(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, default=0)


def amount(label: str) -> models.DecimalField:
    """A required amount in yuan (元), two decimals, up to 10 billion."""
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=0)


class OperatingRule(models.Model):
    """A policy value of reports and prepaid-fee supervision set by a region level (NULL:
    national), with its effective date and 文号. Never edited: a change is a new row; a lower
    level may only be stricter (rules `report_rules.check_override`), as visits.FrequencyRule."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name="制定区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    key = models.CharField("政策项", max_length=32)
    value = models.DecimalField("取值", max_digits=10, decimal_places=2)

    effective_from = models.DateField("生效日期")
    document_no = models.CharField("文号", max_length=120)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "机构监管政策值"
        verbose_name_plural = "机构监管政策值"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "key", "effective_from"], name="operating_rule_unique"
            ),
            models.UniqueConstraint(
                fields=["key", "effective_from"],
                condition=Q(region__isnull=True),
                name="operating_rule_national_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id or '全国'} {self.key}={self.value} 自{self.effective_from}"

    @property
    def key_label(self) -> str:
        """The policy item in Chinese (choices.RuleKey), never its stored key."""
        from yanglao.institutions.choices import RuleKey

        return str(dict(RuleKey.choices).get(self.key, self.key))


class MonthlyReport(models.Model):
    """A home's operating report of one month (`month` is its first day)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="monthly_reports"
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("月份")
    due_on = models.DateField("截止日期")
    filed_on = models.DateField("报送日期")
    residents_intact = count("能力完好")
    residents_mild = count("轻度失能")
    residents_moderate = count("中度失能")
    residents_severe = count("重度失能")
    residents_total = count("完全失能")
    residents_unassessed = count("未评定")
    beds_general_used = count("在用普通床位")
    beds_nursing_used = count("在用护理型床位")
    beds_dementia_used = count("在用失智照护床位")
    staff_carer = count("护理员")
    staff_doctor = count("医生")
    staff_nurse = count("护士")
    staff_social_worker = count("社工")
    staff_manager = count("管理人员")
    staff_other = count("其他人员")
    fees_collected = amount("本月收费（元）")
    prefilled = models.JSONField("系统预填数", default=dict)
    adjust_reason = models.CharField("与预填数不一致的原因", max_length=500, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "养老机构月报"
        verbose_name_plural = "养老机构月报"
        indexes = [models.Index(fields=["month", "region"], name="report_month_region_idx")]
        constraints = [
            models.UniqueConstraint(fields=["institution", "month"], name="report_one_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.month:%Y-%m}"

    @property
    def late(self) -> bool:
        return self.filed_on > self.due_on


class ReportIncident(models.Model):
    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField("事件类型", max_length=32)
    count = models.PositiveIntegerField("次数")
    serious = models.BooleanField("严重（造成重伤、死亡或需报告）", default=False)

    class Meta:
        verbose_name = "月报安全事件"
        verbose_name_plural = "月报安全事件"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind", "serious"], name="report_incident_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}×{self.count}"


class PrepaidFiling(models.Model):
    """A home's filing of its prepaid items and custody account (民发〔2024〕19号: publicise
    the items and standards and report them to the supervising 民政). The newest is current."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="prepaid_filings"
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    filed_on = models.DateField("报备日期")
    custody_bank = models.CharField("托管银行（商业银行第三方存管）", max_length=100, blank=True)
    custody_account = models.CharField("存管账户", max_length=40, blank=True)
    risk_reserve = amount("风险保证金（元）")
    total_held = amount("现有预收费用余额合计（元）")
    fixed_assets_net = amount("净固定资产（元）")
    fixed_assets_pledged = amount("其中已抵押（元）")
    violations = models.JSONField("不符合的规定", default=list)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "预收费用报备"
        verbose_name_plural = "预收费用报备"
        indexes = [models.Index(fields=["institution", "-id"], name="prepaid_filing_inst_idx")]

    def __str__(self) -> str:
        return f"{self.institution_id} 预收费用报备 {self.filed_on}"


class PrepaidItem(models.Model):
    filing = models.ForeignKey(PrepaidFiling, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField("项目", max_length=16)
    amount = amount("每人收取金额（元）")
    months = models.PositiveIntegerField("预收月数（养老服务费）", null=True, blank=True)
    bed_fee = money("对应月床位费（元，押金）")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "预收费用项目"
        verbose_name_plural = "预收费用项目"

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class PrepaidBalance(models.Model):
    """The monthly balance report of a home's prepaid money (one per month)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="prepaid_balances"
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("月份")
    residents = count("月末在住人数")
    service_fees_monthly = amount("本月应收服务费合计（元）")
    bed_fees_monthly = amount("本月应收床位费合计（元）")
    service_balance = amount("预收养老服务费余额（元）")
    deposit_balance = amount("押金余额（元）")
    membership_balance = amount("会员费余额（元）")
    custody_balance = amount("存管账户余额（元）")
    fixed_assets_net = amount("净固定资产（元）")
    fixed_assets_pledged = amount("其中已抵押（元）")
    arrears = amount("拖欠款项（工资、租金、应退费用，元）")
    violations = models.JSONField("不符合的规定", default=list)
    reported_on = models.DateField("报告日期")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "预收费用月度余额"
        verbose_name_plural = "预收费用月度余额"
        indexes = [models.Index(fields=["month", "region"], name="prepaid_balance_month_idx")]
        constraints = [
            models.UniqueConstraint(fields=["institution", "month"], name="balance_one_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.month:%Y-%m} 余额"


class StopNotice(models.Model):
    """Notice of stopping service (民发〔2024〕19号: at least 30 days before, refund the rest)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="stop_notices"
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    notified_on = models.DateField("告知日期")
    stop_on = models.DateField("停止服务日期")
    reason = models.CharField("原因", max_length=500)
    violations = models.JSONField("不符合的规定", default=list)
    withdrawn = models.BooleanField("已撤回", default=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "停止服务告知"
        verbose_name_plural = "停止服务告知"

    def __str__(self) -> str:
        return f"{self.institution_id} 停止服务 {self.stop_on}"


class Complaint(models.Model):
    """A complaint about a home as the bureau received it (a simple record for the risk list)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="complaints"
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField("收到日期")
    summary = models.CharField("投诉事项", max_length=500)
    about_prepaid = models.BooleanField("涉及预收费用", default=False)
    status = models.CharField(
        "状态", max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN
    )
    result = models.CharField("办理结果", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "投诉"
        verbose_name_plural = "投诉"
        indexes = [models.Index(fields=["region", "received_on"], name="complaint_region_idx")]

    def __str__(self) -> str:
        return f"{self.institution_id} 投诉 {self.received_on}"


class SupportRequest(models.Model):
    """A 特困 person's request for central support (集中供养). Whether they are placed is read
    from the residencies (an open stay), never stored; no region copy: scoped by the person's."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField("申请日期")
    status = models.CharField(
        "状态", max_length=16, choices=SupportStatus.choices, default=SupportStatus.OPEN
    )
    note = models.CharField("说明", max_length=200, blank=True)
    closed_on = models.DateField("撤回日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "集中供养申请"
        verbose_name_plural = "集中供养申请"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="open"), name="support_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} 集中供养申请 {self.requested_on}"


# === Part 2: admission requests and the priority order of public homes (长春 §18) ==========


class AdmissionPriority(models.Model):
    """The admission priority order of public homes published by a region level (NULL:
    the platform's default reading of 长春 §18, 待核实), in force from a date, with its 文号."""

    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.JSONField("优先顺序")  # admission_rules group codes, first = highest
    effective_from = models.DateField("生效日期")
    document_no = models.CharField("文号", max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "入住优先顺序"
        verbose_name_plural = "入住优先顺序"

    def __str__(self) -> str:
        return f"{self.region_id or '默认'} {self.effective_from}"


class AdmissionStatus(models.TextChoices):
    WAITING = "waiting", "轮候中"
    ADMITTED = "admitted", "已入住"
    WITHDRAWN = "withdrawn", "已撤回"


class AdmissionRequest(models.Model):
    """A ledger person waiting for a place in a public home; ranked by the priority order."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="admission_requests"
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    applied_on = models.DateField("申请日期")
    declared_solitary = models.BooleanField("孤寡（经核实）", default=False)
    declared_military = models.BooleanField("优抚对象（凭证件）", default=False)
    note = models.CharField("说明", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=AdmissionStatus.choices, default=AdmissionStatus.WAITING
    )
    residency = models.ForeignKey(
        Residency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_on = models.DateField("办结日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "入住申请（轮候）"
        verbose_name_plural = "入住申请（轮候）"
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "person"],
                condition=Q(status="waiting"),
                name="admission_one_waiting",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}→{self.institution_id} {self.applied_on}"
