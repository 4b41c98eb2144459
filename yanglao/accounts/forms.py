from __future__ import annotations

from typing import Any

from django import forms

from yanglao.accounts.models import Mode, User
from yanglao.accounts.regionpicker import RegionField
from yanglao.accounts.roles import Role


class LoginForm(forms.Form):
    username = forms.CharField(
        label="账号",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ServiceErrorsMixin:
    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            for msg in messages:
                self.add_error(field if field in self.fields else None, msg)  # type: ignore[attr-defined]


class OtpForm(forms.Form):
    code = forms.CharField(
        label="动态验证码或恢复码",
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
        help_text="手机验证器上的6位数字；手机不在身边时可输入一个恢复码（每个只能用一次）",
    )


class PasswordChangeForm(ServiceErrorsMixin, forms.Form):
    old_password = forms.CharField(
        label="原密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    password = forms.CharField(
        label="新密码",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少10位，含大写字母、小写字母、数字、符号中的至少3类，不能与最近用过的密码相同",
    )
    password2 = forms.CharField(
        label="再次输入新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", "两次输入的新密码不一致")
        return data


class SecurityPolicyForm(forms.Form):
    visit_worker_otp = forms.BooleanField(
        label="村（社区）巡访员登录也须输入动态验证码",
        required=False,
        help_text="其他所有角色一律须使用动态验证码（双因素登录）",
    )


JURISDICTION_ROWS_FREE = 2  # blank rows below the account's jurisdictions
JURISDICTION_ROWS_MAX = 12


class UserForm(ServiceErrorsMixin, forms.Form):
    username = forms.CharField(label="账号", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=50, required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    password = forms.CharField(
        label="密码",
        required=False,
        widget=forms.PasswordInput,
        help_text=(
            "临时密码：至少10位，含大写字母、小写字母、数字、符号中的至少3类；"
            "本人首次登录时须修改。编辑时留空表示不修改"
        ),
    )
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else {}
        used = [
            i
            for i in range(JURISDICTION_ROWS_MAX)
            if data.get(f"jur_region_{i}") or self.initial.get(f"jur_region_{i}")
        ]
        rows = min((max(used) + 1 if used else 0) + JURISDICTION_ROWS_FREE, JURISDICTION_ROWS_MAX)
        for i in range(rows):
            self.fields[f"jur_region_{i}"] = RegionField(
                label=f"辖区{i + 1}", required=False, any_region=True, help_text=""
            )
            self.fields[f"jur_mode_{i}"] = forms.ChoiceField(
                label=f"辖区{i + 1}的权限",
                choices=Mode.choices,
                initial=Mode.EDIT,
                required=False,  # a blank row needs none; a filled row defaults to 办理
            )
        self.jurisdiction_count = rows

    def main_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.fields if not n.startswith("jur_")]

    def jurisdiction_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"jur_region_{i}"], self[f"jur_mode_{i}"]) for i in range(self.jurisdiction_count)
        ]

    def jurisdictions(self) -> list[tuple[str, str]]:
        """(region code, mode) of the rows filled in, as the services take them."""
        d = self.cleaned_data
        return [
            (d[f"jur_region_{i}"], d[f"jur_mode_{i}"] or Mode.EDIT)
            for i in range(self.jurisdiction_count)
            if d.get(f"jur_region_{i}")
        ]

    @staticmethod
    def initial_from(user: User) -> dict[str, object]:
        initial: dict[str, object] = {
            "username": user.username,
            "full_name": user.full_name,
            "role": user.role,
            "is_active": user.is_active,
        }
        for i, j in enumerate(user.jurisdictions.order_by("region_id")):
            initial[f"jur_region_{i}"] = j.region_id
            initial[f"jur_mode_{i}"] = j.mode
        return initial
