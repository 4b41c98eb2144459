"""Account writes: creation, jurisdictions, activation, unlock. Audited."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from yanglao.accounts.models import Jurisdiction, Mode, User
from yanglao.accounts.roles import Cap, Role
from yanglao.core.audit import Action, audit
from yanglao.regions import codes
from yanglao.regions.models import Region


class AccountInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _check_actor(actor: User | None) -> None:
    # actor None: the `yanglao demo` / `createuser` commands run by the operator on the server.
    if actor is not None and not actor.can(Cap.ACCOUNT_MANAGE):
        raise PermissionError("只有安全管理员可以管理账号")


def _jurisdictions(
    items: list[tuple[str, str]], errors: dict[str, list[str]]
) -> list[tuple[Region, str]]:
    out: list[tuple[Region, str]] = []
    for code, mode in items:
        try:
            region = Region.objects.get(code=codes.pad(code) if len(code) != 12 else code)
        except (ValueError, Region.DoesNotExist):
            errors.setdefault("jurisdictions", []).append(f"区划代码 {code} 不存在")
            continue
        if mode not in Mode.values:
            errors.setdefault("jurisdictions", []).append(f"无效的授权方式 {mode}")
            continue
        out.append((region, mode))
    return out


def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    full_name: str = "",
    phone: str = "",
    jurisdictions: list[tuple[str, str]] | None = None,
) -> User:
    _check_actor(actor)
    errors: dict[str, list[str]] = {}
    username = username.strip()
    if not username:
        errors["username"] = ["请填写账号"]
    elif User.objects.filter(username=username).exists():
        errors["username"] = ["该账号已存在"]
    if role not in Role.values:
        errors["role"] = ["请选择角色"]
    try:
        validate_password(password, User(username=username, full_name=full_name))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    regions = _jurisdictions(jurisdictions or [], errors)
    if errors:
        raise AccountInvalid(errors)
    with transaction.atomic():
        user = User(username=username, role=role, full_name=full_name, phone=phone)
        user.set_password(password)
        user.save()
        Jurisdiction.objects.bulk_create(
            Jurisdiction(user=user, region=r, mode=m) for r, m in regions
        )
        audit(
            actor=actor,
            action=Action.USER_CREATE,
            object_type="user",
            object_id=str(user.pk),
            object_label=username,
            changes={"role": role, "jurisdictions": [f"{r.code}:{m}" for r, m in regions]},
        )
    return user


def user_update(
    *,
    actor: User,
    user: User,
    role: str,
    full_name: str,
    is_active: bool,
    jurisdictions: list[tuple[str, str]],
    password: str = "",
) -> User:
    _check_actor(actor)
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = ["请选择角色"]
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if user.pk == actor.pk and not is_active:
        errors["is_active"] = ["不能停用自己的账号"]
    regions = _jurisdictions(jurisdictions, errors)
    if errors:
        raise AccountInvalid(errors)
    with transaction.atomic():
        before = {
            "role": user.role,
            "full_name": user.full_name,
            "is_active": user.is_active,
            "jurisdictions": sorted(f"{j.region_id}:{j.mode}" for j in user.jurisdictions.all()),
        }
        user.role, user.full_name, user.is_active = role, full_name, is_active
        if password:
            user.set_password(password)
        user.save()
        user.jurisdictions.all().delete()
        Jurisdiction.objects.bulk_create(
            Jurisdiction(user=user, region=r, mode=m) for r, m in regions
        )
        after = {
            "role": role,
            "full_name": full_name,
            "is_active": is_active,
            "jurisdictions": sorted(f"{r.code}:{m}" for r, m in regions),
        }
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if password:
            changes["password"] = ["***", "已重置"]
        audit(
            actor=actor,
            action=Action.USER_UPDATE,
            object_type="user",
            object_id=str(user.pk),
            object_label=user.username,
            changes=changes,
        )
    return user


def user_unlock(*, actor: User, user: User) -> None:
    """Clear django-axes failure records for this account."""
    _check_actor(actor)
    from axes.utils import reset

    with transaction.atomic():
        reset(username=user.username)
        audit(
            actor=actor,
            action=Action.USER_UNLOCK,
            object_type="user",
            object_id=str(user.pk),
            object_label=user.username,
        )
