from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models

from yanglao.accounts.roles import Role, has_cap


class User(AbstractUser):
    """A staff account. Personal names are optional; the role decides what it may do."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    phone = models.CharField("联系电话", max_length=20, blank=True)

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def __str__(self) -> str:
        return self.full_name or self.username

    def can(self, cap: str) -> bool:
        return self.is_active and has_cap(self.role, cap)


class Mode(models.TextChoices):
    EDIT = "edit", "办理（查看与修改）"
    SEARCH = "search", "查询（只读）"
    STATS = "stats", "统计（仅汇总数字）"


class Jurisdiction(models.Model):
    """A region subtree a user works in, and how (DESIGN principle 2)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="jurisdictions")
    region = models.ForeignKey("regions.Region", verbose_name="辖区", on_delete=models.PROTECT)
    mode = models.CharField("方式", max_length=8, choices=Mode.choices, default=Mode.EDIT)

    class Meta:
        verbose_name = "辖区授权"
        verbose_name_plural = "辖区授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "region", "mode"], name="jurisdiction_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_mode_display()}"


class ApiToken(models.Model):
    """A bearer token for the REST API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"token of {self.user_id}"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
