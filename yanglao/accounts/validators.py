"""Password length rule with a Chinese message.

Django 5.2 changed this validator's message id to use `%d`, and its zh_Hans catalogue still
carries the old `%(min_length)d` form, so users would see English. Same rule, our message.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short")

    def get_error_message(self) -> str:
        return f"密码太短，至少需要{self.min_length}个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要{self.min_length}个字符。"


def character_classes(password: str) -> int:
    """How many of the four classes (lower case, upper case, digit, other: symbols, Chinese
    characters) a password uses."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not (c.isascii() and c.isalnum()) and not c.isdigit() for c in password),
        )
    )


class CharacterClassesValidator:
    """At least `min_classes` of lower case, upper case, digits and other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return f"密码须包含小写字母、大写字母、数字、符号四类中的至少{self.min_classes}类。"


class PasswordHistoryValidator:
    """Refuses the current password and the last PASSWORD_HISTORY_COUNT ones."""

    def validate(self, password: str, user: Any = None) -> None:
        from django.conf import settings
        from django.contrib.auth.hashers import check_password

        if user is None or not getattr(user, "pk", None):
            return
        count = settings.PASSWORD_HISTORY_COUNT
        if count <= 0:
            return
        hashes = [user.password] if user.password else []
        hashes += list(
            user.password_history.order_by("-id").values_list("password", flat=True)[:count]
        )
        if any(check_password(password, h) for h in hashes):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def get_help_text(self) -> str:
        from django.conf import settings

        return f"不能使用当前密码或最近{settings.PASSWORD_HISTORY_COUNT}次用过的密码。"
