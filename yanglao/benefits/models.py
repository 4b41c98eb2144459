"""Basic elderly-care service list (versioned policy rows), applications, entitlements,
review tasks, discovery candidates and monthly payment rolls."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from yanglao.benefits.choices import (
    AppStatus,
    ItemCategory,
    LineKind,
    OverlapKind,
    RefusalReason,
    RollStatus,
    Step,
    StopReason,
    TaskKind,
    TaskOutcome,
    TaskStatus,
)


class ServiceItem(models.Model):
    """One version of one list item as set by one level (R1.1). Rows are never edited: a
    change is a new row that closes the previous one. `region` NULL is the national list;
    otherwise the province/city/county node that set it. The list in force for a county is
    every code of its chain, each at the most specific level, never below the levels above."""

    code = models.CharField("项目编码", max_length=16)
    name = models.CharField("项目名称", max_length=100)
    category = models.CharField("类别", max_length=16, choices=ItemCategory.choices)
    target = models.CharField("服务对象", max_length=200)
    rule = models.JSONField("对象条件（规则）")
    content = models.TextField("服务内容", blank=True)
    standard = models.JSONField("服务标准（分档）", default=list)
    unit = models.CharField("标准单位", max_length=30, blank=True)  # 元/人/月, 小时/月 …
    payable = models.BooleanField("按月发放资金", default=False)
    discover = models.BooleanField("纳入应保尽保排查", default=True)
    funding = models.CharField("资金分担", max_length=200, blank=True)
    department = models.CharField("牵头部门", max_length=100, blank=True)
    document_no = models.CharField("依据文号", max_length=100, blank=True)
    article = models.CharField("依据条款", max_length=100, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="制定层级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)  # exclusive
    version = models.PositiveIntegerField("版本", default=1)
    provisional = models.BooleanField("待核实", default=False)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "基本养老服务清单项目"
        verbose_name_plural = "基本养老服务清单项目"
        indexes = [models.Index(fields=["code", "effective_from"], name="item_code_from_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "region", "version"],
                condition=Q(region__isnull=False),
                name="item_version_unique",
            ),
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=Q(region__isnull=True),
                name="item_national_version_unique",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                name="item_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OverlapRule(models.Model):
    """Benefit A × benefit B → allowed / exclusive / choose the higher (§4.5), with its
    source. Region NULL: national; a lower level's rule on the same pair wins."""

    code_a = models.CharField("项目A", max_length=16)
    code_b = models.CharField("项目B", max_length=16)
    kind = models.CharField("衔接规则", max_length=16, choices=OverlapKind.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="制定层级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    document_no = models.CharField("依据文号", max_length=100, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    provisional = models.BooleanField("待核实", default=False)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)

    class Meta:
        verbose_name = "待遇衔接规则"
        verbose_name_plural = "待遇衔接规则"

    def __str__(self) -> str:
        return f"{self.code_a}×{self.code_b} {self.get_kind_display()}"


class Application(models.Model):
    """An application for one item: 村 受理 → 乡镇 审核 → 县 审批; one appeal after a refusal."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="benefit_applications"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="村（社区）", on_delete=models.PROTECT, related_name="+"
    )  # the person's village when accepted: scoping and the officers' queues
    item_code = models.CharField("申请项目", max_length=16)
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        "状态", max_length=16, choices=AppStatus.choices, default=AppStatus.ACCEPTED
    )
    accepted_on = models.DateField("受理日期")
    account_cipher = models.TextField(blank=True, editable=False)
    account_masked = models.CharField("发放账号", max_length=40, blank=True)
    note = models.CharField("申请说明", max_length=500, blank=True)
    appealed = models.BooleanField("已申诉", default=False)
    eligibility = models.JSONField("受理时资格核对", default=dict, blank=True)
    warnings = models.JSONField("提示", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "待遇申请"
        verbose_name_plural = "待遇申请"
        indexes = [models.Index(fields=["region", "status"], name="application_region_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "item_code"],
                condition=Q(status__in=["accepted", "reviewed", "appealed"]),
                name="application_one_open_per_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_code} {self.public_id}"


class Decision(models.Model):
    """One step of an application, with its reason; each is also an audit event."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    step = models.CharField("环节", max_length=16, choices=Step.choices)
    approved = models.BooleanField("通过")
    reason_code = models.CharField(
        "不予批准原因", max_length=16, choices=RefusalReason.choices, blank=True
    )
    reason = models.CharField("意见", max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField("经办人", max_length=100, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "审核意见"
        verbose_name_plural = "审核意见"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.get_step_display()


class Document(models.Model):
    """A supporting document (证明材料) kept in the database: the intranet has no object store
    and the files are small scans; size capped in services."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "证明材料"
        verbose_name_plural = "证明材料"

    def __str__(self) -> str:
        return self.name


class Entitlement(models.Model):
    """A benefit held from `start` (first month paid) until `end` (first month not paid)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField("项目", max_length=16)
    county = models.ForeignKey(
        "regions.Region", verbose_name="发放县（区）", on_delete=models.PROTECT, related_name="+"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start = models.DateField("起始月份")
    end = models.DateField("停发月份", null=True, blank=True)
    stop_reason = models.CharField(
        "停发原因", max_length=16, choices=StopReason.choices, blank=True
    )
    stop_note = models.CharField("停发说明", max_length=200, blank=True)
    account_cipher = models.TextField(blank=True, editable=False)
    account_masked = models.CharField("发放账号", max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "待遇"
        verbose_name_plural = "待遇"
        indexes = [
            models.Index(fields=["county", "item_code"], name="entitlement_county_idx"),
            models.Index(fields=["person", "item_code"], name="entitlement_person_idx"),
        ]
        constraints = [
            # One active entitlement per person per benefit (§4.5).
            models.UniqueConstraint(
                fields=["person", "item_code"],
                condition=Q(end__isnull=True),
                name="entitlement_one_active",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="entitlement_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_code} {self.start:%Y-%m}"


class ReviewTask(models.Model):
    """A review (应退尽退) raised by an event, with a due date; `key` makes creation idempotent."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    entitlement = models.ForeignKey(
        Entitlement, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    kind = models.CharField("事由", max_length=16, choices=TaskKind.choices)
    key = models.CharField(max_length=64)
    detail = models.CharField("说明", max_length=300, blank=True)
    due = models.DateField("办结期限")
    status = models.CharField(
        "状态", max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    outcome = models.CharField("结果", max_length=16, choices=TaskOutcome.choices, blank=True)
    outcome_note = models.CharField("处理说明", max_length=300, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "复核任务"
        verbose_name_plural = "复核任务"
        indexes = [models.Index(fields=["region", "status"], name="task_region_idx")]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "key"], name="task_unique_key")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Candidate(models.Model):
    """Someone the nightly run found eligible for an item they neither hold nor applied for
    (应保尽保). `first_found` is the run that first listed them: the "new qualifiers"."""

    # Written in hundreds of thousands by the nightly run, each row taken from the people
    # table in the same statement: no database constraint (a deferred foreign-key check
    # locks every referenced person row at COMMIT — the first run at 5,550,000 sat 20 min in
    # COMMIT for 1.3 M rows) and no single-column indexes (candidate_unique leads with the
    # person, candidate_region_idx with the region; the region's would add a "_like" twin).
    # Django still cascades a person's deletion.
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    item_code = models.CharField("项目", max_length=16)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    first_found = models.DateField("首次发现")
    # The run that last wrote the row (found, or moved to another village): a run writes
    # only what changed (DiscoveryRun holds the date of every run).
    last_seen = models.DateField("最近核对")

    class Meta:
        verbose_name = "应保未保名单"
        verbose_name_plural = "应保未保名单"
        indexes = [models.Index(fields=["region", "item_code"], name="candidate_region_idx")]
        constraints = [
            models.UniqueConstraint(fields=["person", "item_code"], name="candidate_unique")
        ]

    def __str__(self) -> str:
        return self.item_code


class ClosureOutcome(models.TextChoices):
    APPLIED = "applied", "已申请或已享受"
    INELIGIBLE = "ineligible", "不再符合条件"


class CandidateClosure(models.Model):
    """A name that left the 应保未保 list, written by the nightly run in the same statement
    that deletes it: how many gaps were closed (the person applied or now holds the item)
    and how many lapsed (no longer eligible: died, moved away, rule changed), per month
    (issue 13: 应保未保 found and closed). Append-only."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    item_code = models.CharField("项目", max_length=16)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    first_found = models.DateField("首次发现")
    closed_on = models.DateField("出名单日期")
    outcome = models.CharField("结果", max_length=16, choices=ClosureOutcome.choices)

    class Meta:
        verbose_name = "应保未保销号"
        verbose_name_plural = "应保未保销号"
        indexes = [models.Index(fields=["closed_on"], name="candidate_closed_on_idx")]

    def __str__(self) -> str:
        return f"{self.item_code} {self.closed_on}"


class DiscoveryRun(models.Model):
    """One nightly discovery run (its date): the latest one is read by every page of the
    list (the "new" marks), so it lives here in one short row rather than as the maximum of a
    date over every candidate (which scanned 1.27 M rows twice per page at province scale)."""

    on = models.DateField("排查日期", unique=True)
    finished_at = models.DateTimeField("完成时间")
    found = models.JSONField("各项目人数", default=dict)

    class Meta:
        verbose_name = "应保未保排查"
        verbose_name_plural = "应保未保排查"

    def __str__(self) -> str:
        return f"{self.on}"


class Roll(models.Model):
    """The payment roll of one county for one month; frozen once approved."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    county = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("月份")  # first day
    status = models.CharField(
        "状态", max_length=8, choices=RollStatus.choices, default=RollStatus.DRAFT
    )
    totals = models.JSONField("汇总", default=dict)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_at = models.DateTimeField("生成时间")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)

    class Meta:
        verbose_name = "发放名册"
        verbose_name_plural = "发放名册"
        constraints = [
            models.UniqueConstraint(fields=["county", "month"], name="roll_county_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.month:%Y-%m}"


class RollLine(models.Model):
    roll = models.ForeignKey(Roll, on_delete=models.CASCADE, related_name="lines")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="lines")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField("项目", max_length=16)
    period = models.DateField("所属月份")
    kind = models.CharField("类型", max_length=16, choices=LineKind.choices)
    band = models.CharField("档次", max_length=50, blank=True)
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "名册明细"
        verbose_name_plural = "名册明细"
        indexes = [
            models.Index(fields=["entitlement", "period"], name="rollline_ent_period_idx"),
            models.Index(fields=["roll", "kind"], name="rollline_roll_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item_code} {self.period:%Y-%m} {self.amount}"
