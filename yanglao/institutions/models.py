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
