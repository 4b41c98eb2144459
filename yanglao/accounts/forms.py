from __future__ import annotations

from django import forms

from yanglao.accounts.models import Mode, User
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


JURISDICTION_HELP = (
    "每行一条：区划代码 空格 方式。方式为 edit（办理）、search（查询）或 stats（统计）"
)


def parse_jurisdictions(text: str) -> list[tuple[str, str]]:
    out = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        out.append((parts[0], parts[1] if len(parts) > 1 else Mode.EDIT))
    return out


class UserForm(forms.Form):
    username = forms.CharField(label="账号", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=50, required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    password = forms.CharField(
        label="密码",
        required=False,
        widget=forms.PasswordInput,
        help_text="至少10位，不能是常见密码；编辑时留空表示不修改",
    )
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    jurisdictions = forms.CharField(
        label="辖区授权",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=JURISDICTION_HELP,
        required=False,
    )

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            for msg in messages:
                self.add_error(field if field in self.fields else None, msg)

    @staticmethod
    def initial_from(user: User) -> dict[str, object]:
        return {
            "username": user.username,
            "full_name": user.full_name,
            "role": user.role,
            "is_active": user.is_active,
            "jurisdictions": "\n".join(
                f"{j.region_id} {j.mode}" for j in user.jurisdictions.order_by("region_id")
            ),
        }
