"""Snapshot tables of the indicator catalogue (issue 13 parts 2 and 5).

One `Snapshot` per (period, version): the figures of every indicator for every region node,
computed by `yanglao stats_snapshot`. An open period has one version, replaced each night; a
closed period's last version is frozen, and any later recomputation makes version n+1 with
the list of values that changed (`SnapshotChange`). Dashboards, the home page, bulletins and
the API read only these tables.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class SnapshotStatus(models.TextChoices):
    RUNNING = "running", "计算中"
    OPEN = "open", "本期未结束（每日更新）"
    FROZEN = "frozen", "已冻结"
    FAILED = "failed", "计算失败"


class Snapshot(models.Model):
    period = models.DateField("统计期")  # first day of the month
    version = models.PositiveIntegerField("版本", default=1)
    status = models.CharField(
        "状态", max_length=16, choices=SnapshotStatus.choices, default=SnapshotStatus.RUNNING
    )
    as_of = models.DateField("数据截止日期")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    seconds = models.FloatField("用时（秒）", default=0)
    rows = models.PositiveIntegerField("数值条数", default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed = models.PositiveIntegerField("与上一版本相比变化的数值", default=0)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "统计快照"
        verbose_name_plural = "统计快照"
        ordering = ["-period", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["period", "version"], name="snapshot_period_version")
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} 第{self.version}版"


class SnapshotValue(models.Model):
    """One figure: an indicator at one region node, overall (breakdown "") or for one value of
    one disaggregation ("sex:F", "age:80-89", "cat:extreme_poverty", "method:door" …)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="values")
    indicator = models.CharField("指标", max_length=40)
    region_code = models.CharField("区划代码", max_length=12)
    level = models.PositiveSmallIntegerField("层级")
    breakdown = models.CharField("分组", max_length=60, blank=True, default="")
    numerator = models.BigIntegerField("分子")
    denominator = models.BigIntegerField("分母", null=True, blank=True)

    class Meta:
        verbose_name = "统计数值"
        verbose_name_plural = "统计数值"
        indexes = [
            models.Index(
                fields=["snapshot", "indicator", "region_code", "breakdown"],
                name="snapvalue_lookup_idx",
            ),
            models.Index(fields=["snapshot", "level", "region_code"], name="snapvalue_level_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.region_code} {self.breakdown}"


class BaseValue(models.Model):
    """Staging: the figures as each query function groups them by the records' own region
    code (villages for people, any level for institutions), before the roll-up by prefix."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    indicator = models.CharField(max_length=40)
    region_code = models.CharField(max_length=12)
    level = models.PositiveSmallIntegerField()
    breakdown = models.CharField(max_length=60, blank=True, default="")
    numerator = models.BigIntegerField()
    denominator = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["snapshot", "level"], name="basevalue_snapshot_idx")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.region_code} {self.breakdown}"


class SnapshotChange(models.Model):
    """A figure that a recomputation of a closed period changed (what version n+1 says)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="changes")
    indicator = models.CharField("指标", max_length=40)
    region_code = models.CharField("区划代码", max_length=12)
    breakdown = models.CharField("分组", max_length=60, blank=True, default="")
    old_numerator = models.BigIntegerField("原分子", null=True, blank=True)
    new_numerator = models.BigIntegerField("新分子", null=True, blank=True)
    old_denominator = models.BigIntegerField("原分母", null=True, blank=True)
    new_denominator = models.BigIntegerField("新分母", null=True, blank=True)

    class Meta:
        verbose_name = "快照变化"
        verbose_name_plural = "快照变化"

    def __str__(self) -> str:
        return f"{self.indicator} {self.region_code} {self.breakdown}"


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", "待审核"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class BulletinKind(models.TextChoices):
    MONTH = "month", "月报"
    QUARTER = "quarter", "季报"


class Bulletin(models.Model):
    """A monthly bulletin (统计月报) of one region, built from one frozen snapshot version and
    public only once an officer of that region's level or above has approved it."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    # A monthly bulletin's one version; a quarterly bulletin's last month (3, 6, 9 or 12).
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="bulletins")
    kind = models.CharField(
        "类型", max_length=8, choices=BulletinKind.choices, default=BulletinKind.MONTH
    )
    # Every snapshot version the figures come from, first month first (for a quarter the
    # three months' frozen versions as they stood when the bulletin was drafted).
    sources = models.JSONField("数据来源快照", default=list)
    title = models.CharField("标题", max_length=100)
    status = models.CharField(
        "状态", max_length=16, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "统计公报"
        verbose_name_plural = "统计公报"
        ordering = ["-snapshot__period", "region_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "snapshot", "kind"],
                condition=~Q(status="withdrawn"),
                name="bulletin_one_per_region_snapshot",
            )
        ]

    def __str__(self) -> str:
        return self.title
