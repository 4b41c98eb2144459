from __future__ import annotations

from django.db import models

from yanglao.regions import codes


class Level(models.IntegerChoices):
    PROVINCE = codes.PROVINCE, "省"
    CITY = codes.CITY, "市"
    COUNTY = codes.COUNTY, "县（区）"
    TOWNSHIP = codes.TOWNSHIP, "乡镇（街道）"
    VILLAGE = codes.VILLAGE, "村（社区）"


class Region(models.Model):
    """One node of the administrative tree, keyed by its padded 12-digit statistical code."""

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=100)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField("启用日期", null=True, blank=True)
    valid_to = models.DateField("停用日期", null=True, blank=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return codes.prefix(self.code, self.level)

    @property
    def subtree(self) -> tuple[str, str]:
        return codes.subtree_range(self.code, self.level)

    @property
    def is_current(self) -> bool:
        return self.valid_to is None
