"""Tables of the community programmes (issue 12 parts 4–7 and 9): 家庭养老床位, 老年助餐,
适老化改造, 紧急呼叫 and the service-circle anchor points. Imported at the end of models.py.

A `region` column is the person's village when the row is a person's (contracts, diners,
cases, devices, alarms) and the site's village for a site's rows; it follows the region
copies rule of docs/development.md (refreshed through people's life-event hooks only)."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from yanglao.community.programmes.choices import (
    AlarmKind,
    AlarmStatus,
    BedDevice,
    CaseStatus,
    ContractStatus,
    DispatchTo,
    MealKind,
    MealSettlementStatus,
    MealSource,
)


def _yuan(label: str, **kw: object) -> models.DecimalField:
    return models.DecimalField(label, max_digits=12, decimal_places=2, **kw)  # type: ignore[arg-type]


# --- 家庭养老床位 -------------------------------------------------------------------------


class HomeBedContract(models.Model):
    """A 家庭养老床位 agreement: the person, the provider, the services promised a month."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "community.Provider",
        verbose_name="服务商",
        on_delete=models.PROTECT,
        related_name="home_beds",
    )
    items = models.ManyToManyField(
        "community.CatalogueItem", verbose_name="约定服务项目", related_name="+", blank=True
    )
    start = models.DateField("签约日期")
    end = models.DateField("终止日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    min_services = models.PositiveSmallIntegerField("每月最少服务次数")
    assessed_on = models.DateField("居家评估日期")
    assessment_grade = models.PositiveSmallIntegerField("评估等级", null=True, blank=True)
    home_note = models.CharField("居家环境评估意见", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "家庭养老床位协议"
        verbose_name_plural = "家庭养老床位协议"
        indexes = [models.Index(fields=["region", "status"], name="homebed_region_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="active"), name="homebed_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"家庭养老床位 {self.person_id}"


class HomeBedDeviceRow(models.Model):
    """A device installed at the bed's home."""

    contract = models.ForeignKey(HomeBedContract, on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField("设备", max_length=16, choices=BedDevice.choices)
    installed_on = models.DateField("安装日期")
    serial = models.CharField("设备编号", max_length=50, blank=True)

    class Meta:
        verbose_name = "家庭养老床位设备"
        verbose_name_plural = "家庭养老床位设备"

    def __str__(self) -> str:
        return self.get_kind_display()


# --- 老年助餐 ----------------------------------------------------------------------------


class MealDiner(models.Model):
    """A person enrolled at a meal site (敬老餐厅 or 助餐点) with a subsidy tier."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        "community.Facility", verbose_name="助餐点", on_delete=models.PROTECT, related_name="diners"
    )
    tier = models.CharField("补贴档次", max_length=4)
    enrolled_on = models.DateField("登记日期")
    ended_on = models.DateField("退出日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "助餐对象"
        verbose_name_plural = "助餐对象"
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_on__isnull=True), name="diner_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"助餐 {self.person_id}@{self.site_id}"


class MealRecord(models.Model):
    """One meal served: at most one breakfast, lunch and dinner a diner a day."""

    diner = models.ForeignKey(MealDiner, on_delete=models.PROTECT, related_name="meals")
    site = models.ForeignKey("community.Facility", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    meal_date = models.DateField("就餐日期")
    meal = models.CharField("餐次", max_length=16, choices=MealKind.choices)
    source = models.CharField("来源", max_length=8, choices=MealSource.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "就餐记录"
        verbose_name_plural = "就餐记录"
        indexes = [models.Index(fields=["site", "meal_date"], name="meal_site_date_idx")]
        constraints = [
            models.UniqueConstraint(fields=["diner", "meal_date", "meal"], name="meal_once")
        ]

    def __str__(self) -> str:
        return f"{self.meal_date} {self.meal}"


class MealSettlement(models.Model):
    """A site's monthly subsidy settlement: meals × subsidy per tier, frozen on approval."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(
        "community.Facility", on_delete=models.PROTECT, related_name="meal_settlements"
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    month = models.DateField("结算月份")
    status = models.CharField(
        "状态",
        max_length=16,
        choices=MealSettlementStatus.choices,
        default=MealSettlementStatus.DRAFT,
    )
    meals_paid = models.PositiveIntegerField("补贴餐数", default=0)
    meals_refused = models.PositiveIntegerField("不予补贴餐数", default=0)
    total = _yuan("补贴金额（元）", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "助餐补贴结算"
        verbose_name_plural = "助餐补贴结算"
        constraints = [
            models.UniqueConstraint(fields=["site", "month"], name="meal_settlement_once")
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.month:%Y-%m}"


class MealSettlementLine(models.Model):
    """A meal's subsidy, or why it is not paid. A meal is paid in one settlement only."""

    settlement = models.ForeignKey(MealSettlement, on_delete=models.CASCADE, related_name="lines")
    record = models.ForeignKey(MealRecord, on_delete=models.PROTECT, related_name="+")
    tier = models.CharField("补贴档次", max_length=4)
    amount = _yuan("补贴（元）")
    refused = models.BooleanField("不予补贴", default=False)
    reason = models.CharField("原因", max_length=100, blank=True)

    class Meta:
        verbose_name = "助餐结算明细"
        verbose_name_plural = "助餐结算明细"
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=Q(refused=False), name="meal_paid_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.amount}"


# --- 适老化改造 --------------------------------------------------------------------------


class ModificationItem(models.Model):
    """An item of the modification catalogue with its price (民发〔2020〕86号 推荐清单)."""

    code = models.CharField("编码", max_length=8, unique=True)
    name = models.CharField("项目", max_length=100)
    category = models.CharField("类别", max_length=20)
    unit = models.CharField("单位", max_length=8)
    unit_price = _yuan("单价（元）")
    basic = models.BooleanField("基础类", default=True)

    class Meta:
        verbose_name = "适老化改造项目"
        verbose_name_plural = "适老化改造项目"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ModificationCase(models.Model):
    """One household's modification: application → assessment → plan → works → acceptance →
    subsidy."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "community.Provider",
        verbose_name="施工单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "进度", max_length=16, choices=CaseStatus.choices, default=CaseStatus.APPLIED
    )
    applied_on = models.DateField("申请日期")
    assessed_on = models.DateField("入户评估日期", null=True, blank=True)
    assessment_note = models.CharField("评估意见", max_length=300, blank=True)
    planned_on = models.DateField("方案确定日期", null=True, blank=True)
    works_from = models.DateField("开工日期", null=True, blank=True)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    acceptance_note = models.CharField("验收意见", max_length=300, blank=True)
    subsidy = _yuan("补贴金额（元）", null=True, blank=True)
    subsidised_on = models.DateField("补贴拨付日期", null=True, blank=True)
    refusal = models.CharField("不予改造原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "适老化改造"
        verbose_name_plural = "适老化改造"
        indexes = [models.Index(fields=["region", "status"], name="modcase_region_idx")]

    def __str__(self) -> str:
        return f"适老化改造 {self.person_id}"


class ModificationLine(models.Model):
    case = models.ForeignKey(ModificationCase, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(ModificationItem, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField("数量", max_digits=8, decimal_places=2)
    unit_price = _yuan("单价（元）")
    amount = _yuan("金额（元）")

    class Meta:
        verbose_name = "改造方案明细"
        verbose_name_plural = "改造方案明细"

    def __str__(self) -> str:
        return f"{self.item_id} × {self.quantity}"


class ModificationPhoto(models.Model):
    case = models.ForeignKey(ModificationCase, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="modification/%Y/%m/")
    content_type = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "验收照片"
        verbose_name_plural = "验收照片"

    def __str__(self) -> str:
        return f"验收照片 {self.pk}"


class ModificationTarget(models.Model):
    """A programme target: households to modify in a region by the end of a year (read by the
    statistics module through selectors.modification_progress)."""

    # A code, not a foreign key: targets are policy data seeded before regions are loaded.
    region_code = models.CharField("区划代码", max_length=12)
    year = models.PositiveSmallIntegerField("年度")
    households = models.PositiveIntegerField("目标户数")
    document = models.CharField("依据", max_length=120)

    class Meta:
        verbose_name = "适老化改造目标"
        verbose_name_plural = "适老化改造目标"
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="modtarget_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year}"


# --- 紧急呼叫 ----------------------------------------------------------------------------


class DevicePlatform(models.Model):
    """A device platform that sends alarms; authenticated by its own token (stored hashed)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("平台名称", max_length=100)
    county = models.ForeignKey(
        "regions.Region", verbose_name="所属县（区）", on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField("令牌前缀", max_length=8, editable=False)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "设备平台"
        verbose_name_plural = "设备平台"

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class AlarmDevice(models.Model):
    """A device registered to a person (one-key SOS button, fall, smoke or gas detector)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    platform = models.ForeignKey(DevicePlatform, on_delete=models.PROTECT, related_name="devices")
    device_id = models.CharField("设备编号", max_length=64)
    kind = models.CharField("设备类型", max_length=8, choices=AlarmKind.choices)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    installed_on = models.DateField("安装日期")
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "紧急呼叫设备"
        verbose_name_plural = "紧急呼叫设备"
        constraints = [
            models.UniqueConstraint(fields=["platform", "device_id"], name="alarm_device_once")
        ]

    def __str__(self) -> str:
        return self.device_id


class Alarm(models.Model):
    """An alarm from a device platform, dispatched, met on site and closed by a visit record
    or a service log."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    platform = models.ForeignKey(DevicePlatform, on_delete=models.PROTECT, related_name="+")
    platform_alarm_id = models.CharField("平台报警编号", max_length=64)
    device = models.ForeignKey(AlarmDevice, on_delete=models.PROTECT, related_name="alarms")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("报警类型", max_length=8, choices=AlarmKind.choices)
    raised_at = models.DateTimeField("报警时间")
    received_at = models.DateTimeField("接收时间", auto_now_add=True)
    status = models.CharField(
        "状态", max_length=16, choices=AlarmStatus.choices, default=AlarmStatus.OPEN
    )
    dispatch_to = models.CharField(
        "派单对象", max_length=16, choices=DispatchTo.choices, default=DispatchTo.NONE
    )
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="响应人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    provider = models.ForeignKey(
        "community.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    family_contact = models.CharField("通知家属", max_length=60, blank=True)
    arrived_at = models.DateTimeField("到达现场时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField("处置结果", max_length=300, blank=True)
    false_alarm = models.BooleanField("误报", default=False)
    visit_record = models.ForeignKey(
        "visits.VisitRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_log = models.ForeignKey(
        "community.ServiceLog", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "紧急呼叫"
        verbose_name_plural = "紧急呼叫"
        indexes = [models.Index(fields=["region", "status"], name="alarm_region_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "platform_alarm_id"], name="alarm_platform_once"
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False) | ~Q(status="closed"),
                name="alarm_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.raised_at:%Y-%m-%d %H:%M}"

    @property
    def dispatch_target(self) -> str:
        """Whom the alarm was dispatched to, as users read it."""
        if self.dispatch_to == DispatchTo.PROVIDER and self.provider_id:
            return self.provider.name if self.provider else ""
        if self.dispatch_to == DispatchTo.FAMILY:
            return self.family_contact
        if self.dispatch_to == DispatchTo.WORKER and self.responder_id and self.responder:
            return self.responder.full_name or self.responder.username
        return ""


# --- 服务圈 ------------------------------------------------------------------------------


class VillagePoint(models.Model):
    """Where a village (community)'s 村（居）委会 stands: the anchor of its service circle."""

    region = models.OneToOneField(
        "regions.Region", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6)
    latitude = models.DecimalField("纬度", max_digits=8, decimal_places=6)
    source = models.CharField("来源", max_length=100, blank=True)

    class Meta:
        verbose_name = "村（社区）位置"
        verbose_name_plural = "村（社区）位置"

    def __str__(self) -> str:
        return f"{self.region_id}"
