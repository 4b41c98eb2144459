from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django_otp.models import Device, ThrottlingMixin

from yanglao.accounts.roles import Role, has_cap


class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A staff account. Personal names are optional; the role decides what it may do."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    # A password set by an administrator is temporary: the owner must change it at first login.
    must_change_password = models.BooleanField("须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

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
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the token, so its owner can tell tokens apart in the list.
    prefix = models.CharField(max_length=8, blank=True)
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


class PasswordHistory(models.Model):
    """Earlier password hashes of an account, so a new password cannot reuse the last N."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"password of {self.user_id} at {self.created_at}"


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """Single-use recovery codes (django-otp device); only their SHA-256 is stored."""

    class Meta(Device.Meta):
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    def verify_token(self, token: object) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        code = normalise_recovery_code(str(token))
        used = bool(code) and self.codes.filter(code_hash=RecoveryCode.hash(code)).delete()[0] > 0
        if used:
            self.throttle_reset(commit=True)
        else:
            self.throttle_increment(commit=True)
        return used


def normalise_recovery_code(text: str) -> str:
    """'abcd-efgh-…' typed any way (spaces, dashes, lower case) -> 'ABCDEFGH…'."""
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())[:64]


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"recovery code of device {self.device_id}"

    @staticmethod
    def hash(code: str) -> str:
        return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


class SecurityPolicy(models.Model):
    """Settings the security administrator changes at run time (one row, audited)."""

    visit_worker_otp = models.BooleanField("村（社区）巡访员须使用动态验证码", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "安全策略"
        verbose_name_plural = "安全策略"

    def __str__(self) -> str:
        return "安全策略"

    @classmethod
    def current(cls) -> SecurityPolicy:
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls(visit_worker_otp=False)


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "待批准"
    APPLIED = "applied", "已生效"
    REJECTED = "rejected", "已驳回"
    FAILED = "failed", "批准时校验未通过"


class ChangeKind(models.TextChoices):
    CREATE = "create", "创建账号"
    UPDATE = "update", "修改账号"
    OTP_RESET = "otp_reset", "重置动态验证码"


class AccountChange(models.Model):
    """A change to an account that waits for a second security administrator (four eyes)."""

    kind = models.CharField("类型", max_length=16, choices=ChangeKind.choices)
    target = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_username = models.CharField("账号", max_length=150)
    # The requested state; a new password only as its hash, never in clear.
    payload = models.JSONField(default=dict)
    summary = models.JSONField("变更内容", default=dict)
    status = models.CharField(
        "状态", max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "待批准的账号变更"
        verbose_name_plural = "待批准的账号变更"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target_username}"
