"""Community and home services (社区居家养老服务): who provides what, orders, what was
delivered (service logs) and the monthly settlement that pays each unit once.

Providers and their facilities follow the register of institutions (operators bound to their
organisation, DESIGN "Scopes"); the catalogue follows GB/T 43153-2023. A person is a ledger
person; `region` columns copied here belong to this app and are refreshed only through
people's life-event hooks (docs/development.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from yanglao.community.choices import (
    ConfirmMethod,
    FacilityKind,
    FilingStatus,
    LogStatus,
    OperatingStatus,
    OrderSource,
    OrderStatus,
    Payer,
    ProviderKind,
    ServiceCategory,
    SettlementStatus,
    StaffRole,
    Unit,
)


def yuan(label: str, **kw: object) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2, **kw)  # type: ignore[arg-type]


class Provider(models.Model):
    """A service provider (服务商): a firm, canteen operator, social organisation…"""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("服务商名称", max_length=100)
    kind = models.CharField("服务商类型", max_length=16, choices=ProviderKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在地", on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField("地址", max_length=200)
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    filing_status = models.CharField(
        "备案状态", max_length=16, choices=FilingStatus.choices, default=FilingStatus.UNFILED
    )
    filed_on = models.DateField("备案日期", null=True, blank=True)
    status = models.CharField(
        "服务状态",
        max_length=16,
        choices=OperatingStatus.choices,
        default=OperatingStatus.OPERATING,
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ProviderStaff",
        through_fields=("provider", "user"),
        related_name="provider_memberships",
        blank=True,
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "服务商"
        verbose_name_plural = "服务商"
        indexes = [models.Index(fields=["region", "id"], name="provider_region_idx")]

    def __str__(self) -> str:
        return self.name


class ProviderStaff(models.Model):
    """An account bound to its provider (scoped like an institution operator)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField("岗位", max_length=16, choices=StaffRole.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "服务商人员"
        verbose_name_plural = "服务商人员"
        constraints = [
            models.UniqueConstraint(fields=["provider", "user"], name="provider_staff_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.provider_id}"


class Facility(models.Model):
    """A place where services are given: a centre, canteen, 助餐点, 互助站点…"""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("设施名称", max_length=100)
    kind = models.CharField("设施类型", max_length=16, choices=FacilityKind.choices)
    provider = models.ForeignKey(
        Provider,
        verbose_name="运营服务商",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="facilities",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="所在村（社区）", on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField("地址", max_length=200)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=8, decimal_places=6, null=True, blank=True)
    opening_hours = models.CharField("开放时间", max_length=100, blank=True)
    capacity = models.PositiveIntegerField("服务能力（人/日）", default=0)
    beds = models.PositiveIntegerField("床位数", default=0)
    staff_on_duty = models.PositiveIntegerField("在岗人员数", default=0)
    filing_status = models.CharField(
        "备案状态", max_length=16, choices=FilingStatus.choices, default=FilingStatus.UNFILED
    )
    status = models.CharField(
        "运营状态",
        max_length=16,
        choices=OperatingStatus.choices,
        default=OperatingStatus.OPERATING,
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "服务设施"
        verbose_name_plural = "服务设施"
        indexes = [models.Index(fields=["region", "id"], name="facility_region_idx")]

    def __str__(self) -> str:
        return self.name


class CatalogueItem(models.Model):
    """One service of the catalogue (GB/T 43153-2023 chapter 5); seeded, editable by the
    province."""

    code = models.CharField("服务编码", max_length=16, unique=True)
    name = models.CharField("服务名称", max_length=100)
    category = models.CharField("服务类别", max_length=16, choices=ServiceCategory.choices)
    unit = models.CharField("计量单位", max_length=8, choices=Unit.choices)
    description = models.CharField("服务内容", max_length=300, blank=True)
    needs_assessment = models.BooleanField("需先评估", default=False)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "服务项目"
        verbose_name_plural = "服务项目"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProviderPrice(models.Model):
    """A provider's price for one catalogue item, from a date (rows are not edited: a new
    price closes the old one)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="prices")
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="+")
    unit_price = yuan("单价（元）")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)  # exclusive

    class Meta:
        verbose_name = "服务价格"
        verbose_name_plural = "服务价格"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "item", "effective_from"], name="provider_price_unique"
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="provider_price_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.unit_price}"


class FundingRule(models.Model):
    """Which service-list item (benefits.ServiceItem.code) pays for which catalogue item, at
    what amount per unit and up to what cap a month (policy data, set by a level)."""

    benefit_code = models.CharField("清单项目编码", max_length=16)
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="+")
    amount_per_unit = yuan("每单位补贴（元）")
    monthly_cap = yuan("每月上限（元）", null=True, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="制定层级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    document_no = models.CharField("依据文号", max_length=100, blank=True)

    class Meta:
        verbose_name = "补贴支付规则"
        verbose_name_plural = "补贴支付规则"

    def __str__(self) -> str:
        return f"{self.benefit_code} → {self.item_id}"


class ServiceOrder(models.Model):
    """A request for a service, from intake to completion (part 3)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        CatalogueItem, verbose_name="服务项目", on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name="服务商",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="服务人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField("来源", max_length=16, choices=OrderSource.choices)
    status = models.CharField(
        "状态", max_length=16, choices=OrderStatus.choices, default=OrderStatus.REQUESTED
    )
    quantity = models.DecimalField("数量", max_digits=8, decimal_places=2, default=1)
    scheduled_for = models.DateField("预约日期", null=True, blank=True)
    # A referral from a visit finding (visits is below this app).
    visit_record = models.ForeignKey(
        "visits.VisitRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entitlement = models.ForeignKey(
        "benefits.Entitlement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField("说明", max_length=500, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # GB/T 42195 final grade read from assessments when the order was agreed (items that need
    # an assessment); the agreement text the person or family accepted.
    assessment_grade = models.PositiveSmallIntegerField("能力等级", null=True, blank=True)
    agreement = models.CharField("服务协议", max_length=300, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "服务工单"
        verbose_name_plural = "服务工单"
        indexes = [
            models.Index(fields=["region", "status"], name="order_region_status_idx"),
            models.Index(fields=["provider", "status"], name="order_provider_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.requested_at:%Y-%m-%d}"


class ServiceLog(models.Model):
    """One delivered unit of service: checked in and out on a phone (offline, idempotent on
    `client_uuid`), confirmed by the person or family, settled once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client_uuid = models.UUIDField("离线记录编号", unique=True)
    order = models.ForeignKey(
        ServiceOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="logs"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="logs")
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    service_date = models.DateField("服务日期")
    check_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    check_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    check_in_lat = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    check_in_lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    check_out_lat = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    check_out_lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    photo = models.CharField("服务照片", max_length=200, blank=True)  # its content type
    photo_data = models.BinaryField(null=True, blank=True, editable=False)
    # The confirmation (part 3): a signature drawn on the phone (PNG), or an SMS code whose
    # hash is kept (the code itself never is).
    signature = models.BinaryField(null=True, blank=True, editable=False)
    sms_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    sms_sent_at = models.DateTimeField(null=True, blank=True)
    sms_tries = models.PositiveSmallIntegerField(default=0)
    quantity = models.DecimalField("服务量", max_digits=8, decimal_places=2, default=1)
    status = models.CharField(
        "状态", max_length=16, choices=LogStatus.choices, default=LogStatus.IN_SERVICE
    )
    confirm_method = models.CharField(
        "确认方式", max_length=16, choices=ConfirmMethod.choices, blank=True
    )
    confirm_evidence = models.CharField("确认凭据", max_length=200, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        "评价", null=True, blank=True, choices=[(n, f"{n}星") for n in range(1, 6)]
    )
    evaluation = models.CharField("评价意见", max_length=300, blank=True)
    note = models.CharField("服务记录", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "服务记录"
        verbose_name_plural = "服务记录"
        indexes = [
            models.Index(fields=["provider", "service_date"], name="log_provider_date_idx"),
            models.Index(fields=["region", "service_date"], name="log_region_date_idx"),
            models.Index(fields=["person", "service_date"], name="log_person_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(check_out_at__isnull=True)
                | Q(check_in_at__isnull=True)
                | Q(check_out_at__gte=F("check_in_at")),
                name="log_out_after_in",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="log_quantity_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.service_date}"


class Settlement(models.Model):
    """A provider's monthly settlement roll; frozen on approval (part 8)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="settlements")
    county = models.ForeignKey(
        "regions.Region", verbose_name="结算县（区）", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("结算月份")  # first day of the month
    status = models.CharField(
        "状态", max_length=16, choices=SettlementStatus.choices, default=SettlementStatus.DRAFT
    )
    total_entitlement = yuan("补贴支付（元）", default=0)
    total_ltc = yuan("长护险支付（元）", default=0)
    total_person = yuan("个人自付（元）", default=0)
    total_gross = yuan("服务总额（元）", default=0)
    logs_count = models.PositiveIntegerField("服务记录数", default=0)
    lines_refused = models.PositiveIntegerField("拒付条数", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "服务结算单"
        verbose_name_plural = "服务结算单"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "county", "month"],
                condition=~Q(status="void"),
                name="settlement_one_per_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.month:%Y-%m}"


class SettlementLine(models.Model):
    """One service log's share for one payer, or a refused line with its reason."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    log = models.ForeignKey(ServiceLog, on_delete=models.PROTECT, related_name="+")
    payer = models.CharField("支付方", max_length=16, choices=Payer.choices)
    entitlement = models.ForeignKey(
        "benefits.Entitlement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = yuan("金额（元）")
    unit_price = yuan("单价（元）", default=0)
    quantity = models.DecimalField("数量", max_digits=8, decimal_places=2, default=0)
    refused = models.BooleanField("拒付", default=False)
    reason = models.CharField("说明", max_length=200, blank=True)
    # Only lines of a live (not void) settlement count; kept here so the constraint below can
    # say "a unit of service is never paid twice" without a join.
    live = models.BooleanField(default=True)

    class Meta:
        verbose_name = "结算明细"
        verbose_name_plural = "结算明细"
        constraints = [
            models.UniqueConstraint(
                fields=["log", "payer"],
                condition=Q(refused=False, live=True),
                name="settlement_line_paid_once",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="settlement_line_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.log_id} {self.payer}"


from yanglao.community.models_programmes import *  # noqa: E402,F403  (issue 12 parts 4–7, 9)
