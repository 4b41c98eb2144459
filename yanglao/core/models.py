"""Audit events: append-only (DESIGN principle 4; 网络安全法 art. 21 logs ≥ 6 months)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from yanglao.core.dates import fmt_datetime


class AuditEvent(models.Model):
    """One write, reveal, export or security event. Never updated, never deleted.

    A database trigger (migration 0002) refuses UPDATE and DELETE on this table; on
    PostgreSQL the application's role may only INSERT and SELECT it (tools/db_roles.sql), and
    every row is hash-chained to the one before (core.chain, `yanglao audit_verify`).
    """

    # Set by the writer (not auto_now_add) because the time is part of the chained hash.
    occurred_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        # audit_actor_idx (actor, -id) serves every lookup by actor: a second index on actor
        # alone was written for every audit row (one per person of an import) and never read.
        db_index=False,
    )
    actor_username = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    # Indexed through Meta: db_index=True would add a pattern-ops "_like" twin on PostgreSQL,
    # written for every audit row and never used (these are matched by equality and range).
    object_id = models.CharField("对象标识", max_length=64, blank=True)
    object_label = models.CharField("对象名称", max_length=200, blank=True)
    region_code = models.CharField("区划代码", max_length=12, blank=True)
    changes: models.JSONField[dict[str, Any]] = models.JSONField(
        "变更内容", default=dict, blank=True
    )
    request_id = models.CharField("请求号", max_length=36, blank=True)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    # sha256(previous row's chain_hash + this row's content): core.chain. Empty only on rows
    # written before the chain existed.
    chain_hash = models.CharField("链式哈希", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["actor", "-id"], name="audit_actor_idx"),
            models.Index(fields=["object_id"], name="audit_object_idx"),
            models.Index(fields=["region_code"], name="audit_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{fmt_datetime(self.occurred_at)} {self.actor_username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    @property
    def action_label(self) -> str:
        from yanglao.core.audit import ACTION_LABELS

        return ACTION_LABELS.get(self.action, self.action)


class KeyRotation(models.Model):
    """Progress of `yanglao keys_rotate` on one table, so an interrupted run resumes."""

    table = models.CharField("表", max_length=100, unique=True)  # "people.Person"
    target = models.CharField("目标", max_length=100)  # "<key id>/<hash algorithm>"
    last_pk = models.BigIntegerField("已处理到", default=0)
    rows_changed = models.BigIntegerField("已改写行数", default=0)
    done = models.BooleanField("已完成", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "密钥轮换进度"
        verbose_name_plural = "密钥轮换进度"

    def __str__(self) -> str:
        return f"{self.table} → {self.target}"


class CalendarDay(models.Model):
    """One exception to the Monday–Friday working week, from the State Council's yearly
    notice 国务院办公厅关于X年部分节假日安排的通知 (《全国年节及纪念日放假办法》): a public
    holiday on a weekday (`working=False`) or an adjusted working weekend, 调休上班
    (`working=True`). A holiday on a Saturday or Sunday needs no row. Every working-day
    deadline (core.workdays.add_working_days) reads this one table."""

    day = models.DateField("日期", unique=True)
    working = models.BooleanField("是否上班", choices=[(False, "放假"), (True, "调休上班")])
    name = models.CharField("节假日", max_length=20)
    document = models.CharField("依据文件", max_length=120)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}（{self.get_working_display()}）"
