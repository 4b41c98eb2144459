"""Account writes: creation, changes (four eyes), passwords, two-factor devices, API tokens.

Every write is audited in its own transaction. Three-role separation holds against the
administrators themselves: nobody changes their own role, jurisdictions or activation, and a
change that creates or raises an account with data access, or touches an auditor or
administrator account, waits for a second security administrator (`AccountChange`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from yanglao.accounts.models import (
    AccountChange,
    ApiToken,
    ChangeKind,
    ChangeStatus,
    Jurisdiction,
    Mode,
    PasswordHistory,
    RecoveryCode,
    RecoveryCodeDevice,
    SecurityPolicy,
    User,
)
from yanglao.accounts.policy import (
    ADMIN_ROLES,
    AccountState,
    data_access,
    needs_approval,
    otp_required,
    password_expired,
)
from yanglao.accounts.roles import Cap, Role
from yanglao.core.audit import Action, audit
from yanglao.regions import codes
from yanglao.regions.models import Level, Region

RECOVERY_CODES = 10


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


def _check_password(password: str, user: User, errors: dict[str, list[str]]) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)


def _state(user: User) -> AccountState:
    return AccountState(
        role=user.role,
        is_active=user.is_active,
        jurisdictions=frozenset(f"{j.region_id}:{j.mode}" for j in user.jurisdictions.all()),
    )


def _labels(regions: list[tuple[Region, str]]) -> list[str]:
    return sorted(f"{r.code}:{m}" for r, m in regions)


APPROVAL_NEEDED = "此变更须由另一名安全管理员批准"


# --- password --------------------------------------------------------------------------


def _store_password(user: User, password_hash: str, *, temporary: bool) -> None:
    """Set a (hashed) password: keep the old hash in the history, end the API tokens."""
    if user.pk and user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = settings.PASSWORD_HISTORY_COUNT
        old = user.password_history.order_by("-id").values_list("id", flat=True)[keep:]
        PasswordHistory.objects.filter(id__in=list(old)).delete()
    user.password = password_hash
    user.must_change_password = temporary
    user.password_changed_at = timezone.now()
    if user.pk:
        user.api_tokens.all().delete()


def password_change(*, user: User, old_password: str, new_password: str) -> None:
    """Self-service change (also the forced change after a temporary or expired password)."""
    errors: dict[str, list[str]] = {}
    if not user.check_password(old_password):
        errors["old_password"] = ["原密码不正确"]
    if new_password == old_password:
        errors["password"] = ["新密码不能与原密码相同"]
    else:
        _check_password(new_password, user, errors)
    if errors:
        raise AccountInvalid(errors)
    with transaction.atomic():
        _store_password(user, make_password(new_password), temporary=False)
        user.save()
        audit(
            actor=user,
            action=Action.PASSWORD_CHANGE,
            object_type="user",
            object_id=str(user.pk),
            object_label=user.username,
        )


def must_change_password(user: User) -> bool:
    return user.must_change_password or password_expired(
        user.password_changed_at, timezone.now(), settings.PASSWORD_MAX_AGE_DAYS
    )


# --- create / update -------------------------------------------------------------------


def _validate_create(
    username: str, password: str, role: str, full_name: str, jurisdictions: list[tuple[str, str]]
) -> list[tuple[Region, str]]:
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["请填写账号"]
    elif User.objects.filter(username=username).exists():
        errors["username"] = ["该账号已存在"]
    if role not in Role.values:
        errors["role"] = ["请选择角色"]
    _check_password(password, User(username=username, full_name=full_name), errors)
    regions = _jurisdictions(jurisdictions, errors)
    if errors:
        raise AccountInvalid(errors)
    return regions


def _write_create(
    *,
    actor: User | None,
    approved_by: User | None,
    username: str,
    password_hash: str,
    role: str,
    full_name: str,
    phone: str,
    regions: list[tuple[Region, str]],
) -> User:
    user = User(username=username, role=role, full_name=full_name, phone=phone)
    # A password an administrator sets is temporary; the operator's command sets a real one.
    _store_password(user, password_hash, temporary=actor is not None)
    user.save()
    Jurisdiction.objects.bulk_create(Jurisdiction(user=user, region=r, mode=m) for r, m in regions)
    changes: dict[str, Any] = {"role": role, "jurisdictions": _labels(regions)}
    if approved_by is not None:
        changes["approved_by"] = approved_by.username
    audit(
        actor=actor,
        action=Action.USER_CREATE,
        object_type="user",
        object_id=str(user.pk),
        object_label=username,
        changes=changes,
    )
    return user


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
    """Create an account at once: the operator's commands (actor None), or an administrator
    creating an account that needs no second approval. Otherwise `AccountInvalid`."""
    _check_actor(actor)
    username = username.strip()
    regions = _validate_create(username, password, role, full_name, jurisdictions or [])
    after = AccountState(role=role, jurisdictions=frozenset(_labels(regions)))
    if actor is not None and needs_approval(None, after):
        raise AccountInvalid({"__all__": [APPROVAL_NEEDED]})
    with transaction.atomic():
        return _write_create(
            actor=actor,
            approved_by=None,
            username=username,
            password_hash=make_password(password),
            role=role,
            full_name=full_name,
            phone=phone,
            regions=regions,
        )


# The first security administrators of a new site (docs/deployment.md step 5): four eyes needs
# two of them, and only a security administrator creates accounts, so the operator creates
# these two from the server's shell; after that every account goes through the pages.
BOOTSTRAP_ADMINS = 2


def security_admin_bootstrap(
    *, username: str, password: str, full_name: str, region: str = ""
) -> User:
    """Create one of the first two security administrators (`yanglao accounts_init`).

    Refused once the site has two active security administrators: the command is a way in,
    not a way around the second person's approval. The password is temporary (changed at the
    first login, where the phone app is enrolled too); audited with no actor (the operator)."""
    active = User.objects.filter(role=Role.SECURITY_ADMIN, is_active=True).count()
    if active >= BOOTSTRAP_ADMINS:
        raise AccountInvalid(
            {
                "__all__": [
                    f"已有 {active} 名安全管理员：新账号请由安全管理员在“账号管理”中创建"
                    "（须另一名安全管理员批准）"
                ]
            }
        )
    province = region or (
        Region.objects.filter(level=Level.PROVINCE)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
        or ""
    )
    username = username.strip()
    regions = _validate_create(
        username, password, Role.SECURITY_ADMIN, full_name, [(province, Mode.STATS)]
    )
    with transaction.atomic():
        user = _write_create(
            actor=None,
            approved_by=None,
            username=username,
            password_hash=make_password(password),
            role=Role.SECURITY_ADMIN,
            full_name=full_name,
            phone="",
            regions=regions,
        )
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
    return user


@dataclass(frozen=True)
class UpdateRequest:
    role: str
    full_name: str
    is_active: bool
    jurisdictions: list[tuple[str, str]]
    password: str = ""


def _validate_update(
    actor: User, user: User, req: UpdateRequest
) -> tuple[list[tuple[Region, str]], AccountState]:
    errors: dict[str, list[str]] = {}
    if req.role not in Role.values:
        errors["role"] = ["请选择角色"]
    regions = _jurisdictions(req.jurisdictions, errors)
    after = AccountState(
        role=req.role, is_active=req.is_active, jurisdictions=frozenset(_labels(regions))
    )
    if user.pk == actor.pk:
        before = _state(user)
        if (before.role, before.jurisdictions) != (after.role, after.jurisdictions):
            errors.setdefault("__all__", []).append("不能修改自己的角色或辖区")
        if not req.is_active:
            errors["is_active"] = ["不能停用自己的账号"]
        if req.password:
            errors["password"] = ["请在“修改密码”页面修改自己的密码"]
    if req.password and "password" not in errors:
        _check_password(req.password, user, errors)
    if errors:
        raise AccountInvalid(errors)
    return regions, after


def _write_update(
    *,
    actor: User,
    approved_by: User | None,
    user: User,
    role: str,
    full_name: str,
    is_active: bool,
    regions: list[tuple[Region, str]],
    password_hash: str,
) -> User:
    before = {
        "role": user.role,
        "full_name": user.full_name,
        "is_active": user.is_active,
        "jurisdictions": sorted(f"{j.region_id}:{j.mode}" for j in user.jurisdictions.all()),
    }
    user.role, user.full_name, user.is_active = role, full_name, is_active
    if password_hash:
        _store_password(user, password_hash, temporary=True)
    if not is_active:
        user.api_tokens.all().delete()
    user.save()
    user.jurisdictions.all().delete()
    Jurisdiction.objects.bulk_create(Jurisdiction(user=user, region=r, mode=m) for r, m in regions)
    after = {
        "role": role,
        "full_name": full_name,
        "is_active": is_active,
        "jurisdictions": _labels(regions),
    }
    changes: dict[str, Any] = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if password_hash:
        changes["password"] = ["***", "已重置（临时密码）"]
    if approved_by is not None:
        changes["approved_by"] = approved_by.username
    audit(
        actor=actor,
        action=Action.USER_UPDATE,
        object_type="user",
        object_id=str(user.pk),
        object_label=user.username,
        changes=changes,
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
    """Change an account at once when no second approval is needed; else `AccountInvalid`."""
    _check_actor(actor)
    req = UpdateRequest(role, full_name, is_active, jurisdictions, password)
    regions, after = _validate_update(actor, user, req)
    if needs_approval(_state(user), after):
        raise AccountInvalid({"__all__": [APPROVAL_NEEDED]})
    with transaction.atomic():
        return _write_update(
            actor=actor,
            approved_by=None,
            user=user,
            role=role,
            full_name=full_name,
            is_active=is_active,
            regions=regions,
            password_hash=make_password(password) if password else "",
        )


# --- four eyes -------------------------------------------------------------------------


def _request(
    actor: User, kind: str, target: User | None, username: str, payload: dict[str, Any]
) -> AccountChange:
    summary = {k: v for k, v in payload.items() if k != "password_hash"}
    if payload.get("password_hash"):
        summary["password"] = "设置临时密码"
    change = AccountChange.objects.create(
        kind=kind,
        target=target,
        target_username=username,
        payload=payload,
        summary=summary,
        requested_by=actor,
    )
    audit(
        actor=actor,
        action=Action.USER_CHANGE_REQUEST,
        object_type="user",
        object_id=str(target.pk) if target else "",
        object_label=username,
        changes={"change": change.pk, "kind": kind, **summary},
    )
    return change


def request_create(
    *,
    actor: User,
    username: str,
    password: str,
    role: str,
    full_name: str = "",
    phone: str = "",
    jurisdictions: list[tuple[str, str]] | None = None,
) -> User | AccountChange:
    """The administrator's entry: create at once, or file the creation for approval."""
    _check_actor(actor)
    username = username.strip()
    regions = _validate_create(username, password, role, full_name, jurisdictions or [])
    after = AccountState(role=role, jurisdictions=frozenset(_labels(regions)))
    with transaction.atomic():
        if not needs_approval(None, after):
            return _write_create(
                actor=actor,
                approved_by=None,
                username=username,
                password_hash=make_password(password),
                role=role,
                full_name=full_name,
                phone=phone,
                regions=regions,
            )
        payload = {
            "role": role,
            "full_name": full_name,
            "phone": phone,
            "jurisdictions": _labels(regions),
            "password_hash": make_password(password),
        }
        return _request(actor, ChangeKind.CREATE, None, username, payload)


def request_update(
    *,
    actor: User,
    user: User,
    role: str,
    full_name: str,
    is_active: bool,
    jurisdictions: list[tuple[str, str]],
    password: str = "",
) -> User | AccountChange:
    """The administrator's entry: change at once, or file the change for approval."""
    _check_actor(actor)
    req = UpdateRequest(role, full_name, is_active, jurisdictions, password)
    regions, after = _validate_update(actor, user, req)
    password_hash = make_password(password) if password else ""
    with transaction.atomic():
        if not needs_approval(_state(user), after):
            return _write_update(
                actor=actor,
                approved_by=None,
                user=user,
                role=role,
                full_name=full_name,
                is_active=is_active,
                regions=regions,
                password_hash=password_hash,
            )
        payload = {
            "role": role,
            "full_name": full_name,
            "is_active": is_active,
            "jurisdictions": _labels(regions),
            "password_hash": password_hash,
        }
        return _request(actor, ChangeKind.UPDATE, user, user.username, payload)


def request_otp_reset(*, actor: User, user: User) -> AccountChange | None:
    """Remove an account's two-factor devices (lost phone): the owner enrols again at the next
    login. Waits for approval for an account with data access or an administrator account."""
    _check_actor(actor)
    if user.pk == actor.pk:
        raise AccountInvalid({"__all__": ["不能重置自己的动态验证码"]})
    with transaction.atomic():
        if data_access(user.role) or user.role in ADMIN_ROLES:
            return _request(actor, ChangeKind.OTP_RESET, user, user.username, {})
        _otp_reset(actor=actor, approved_by=None, user=user)
    return None


def _otp_reset(*, actor: User, approved_by: User | None, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    audit(
        actor=actor,
        action=Action.OTP_RESET,
        object_type="user",
        object_id=str(user.pk),
        object_label=user.username,
        changes={"approved_by": approved_by.username} if approved_by else {},
    )


def _pending(change: AccountChange) -> AccountChange:
    locked = AccountChange.objects.select_for_update().get(pk=change.pk)
    if locked.status != ChangeStatus.PENDING:
        raise AccountInvalid({"__all__": ["该变更已处理"]})
    return locked


def change_approve(*, actor: User, change: AccountChange) -> User:
    """A second security administrator approves; the change is applied and both audited."""
    _check_actor(actor)
    if change.requested_by_id == actor.pk:
        raise AccountInvalid({"__all__": ["须由另一名安全管理员批准，不能批准自己提出的变更"]})
    if change.target_id is not None and change.target_id == actor.pk:
        raise AccountInvalid({"__all__": ["不能批准对自己账号的变更"]})
    with transaction.atomic():
        change = _pending(change)
        p = change.payload
        errors: dict[str, list[str]] = {}
        pairs = [j.split(":", 1) for j in p.get("jurisdictions", [])]
        regions = _jurisdictions([(code, mode) for code, mode in pairs], errors)
        requester = change.requested_by
        taken = User.objects.filter(username=change.target_username).exists()
        if change.kind == ChangeKind.CREATE and taken:
            errors["username"] = ["该账号已存在"]
        if errors:
            raise AccountInvalid(errors)
        if change.kind == ChangeKind.CREATE:
            user = _write_create(
                actor=requester,
                approved_by=actor,
                username=change.target_username,
                password_hash=p["password_hash"],
                role=p["role"],
                full_name=p["full_name"],
                phone=p.get("phone", ""),
                regions=regions,
            )
        else:
            user = User.objects.select_for_update().get(pk=int(change.target_id or 0))
            if change.kind == ChangeKind.UPDATE:
                _write_update(
                    actor=requester,
                    approved_by=actor,
                    user=user,
                    role=p["role"],
                    full_name=p["full_name"],
                    is_active=p["is_active"],
                    regions=regions,
                    password_hash=p["password_hash"],
                )
            else:
                _otp_reset(actor=requester, approved_by=actor, user=user)
        change.status = ChangeStatus.APPLIED
        change.target = user
        change.decided_by, change.decided_at = actor, timezone.now()
        change.save()
        audit(
            actor=actor,
            action=Action.USER_CHANGE_APPROVE,
            object_type="user",
            object_id=str(user.pk),
            object_label=user.username,
            changes={"change": change.pk, "kind": change.kind, "requested_by": requester.username},
        )
    return user


def change_reject(*, actor: User, change: AccountChange, note: str = "") -> None:
    """Another administrator rejects, or the requester withdraws, a pending change."""
    _check_actor(actor)
    with transaction.atomic():
        change = _pending(change)
        change.status = ChangeStatus.REJECTED
        change.decided_by, change.decided_at = actor, timezone.now()
        change.note = note.replace("\x00", "")[:200]
        change.save()
        audit(
            actor=actor,
            action=Action.USER_CHANGE_REJECT,
            object_type="user",
            object_id=str(change.target_id or ""),
            object_label=change.target_username,
            changes={"change": change.pk, "kind": change.kind, "note": change.note},
        )


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of these accounts are locked now by failed logins (django-axes, within the
    cool-off time): only those show 解除锁定."""
    from axes.models import AccessAttempt
    from django.db.models import Sum

    if not usernames:
        return set()
    qs = AccessAttempt.objects.filter(username__in=usernames)
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if cooloff:
        qs = qs.filter(attempt_time__gte=timezone.now() - cooloff)
    return {
        row["username"]
        for row in qs.values("username")
        .annotate(n=Sum("failures_since_start"))
        .filter(n__gte=settings.AXES_FAILURE_LIMIT)
    }


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


def security_policy_set(*, actor: User, visit_worker_otp: bool) -> SecurityPolicy:
    _check_actor(actor)
    with transaction.atomic():
        policy = SecurityPolicy.objects.select_for_update().order_by("pk").first()
        if policy is None:
            policy = SecurityPolicy()
        before = policy.visit_worker_otp
        policy.visit_worker_otp = visit_worker_otp
        policy.save()
        audit(
            actor=actor,
            action=Action.SECURITY_POLICY_SET,
            object_type="security_policy",
            object_id=str(policy.pk),
            object_label="安全策略",
            changes={"visit_worker_otp": [before, visit_worker_otp]},
        )
    return policy


# --- two-factor ------------------------------------------------------------------------


def otp_needed(user: User) -> bool:
    """Must this account pass a second factor? By role, or because it has enrolled anyway."""
    if otp_required(user.role, visit_worker_otp=_visit_worker_otp(user)):
        return True
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _visit_worker_otp(user: User) -> bool:
    return user.role == Role.VISIT_WORKER and SecurityPolicy.current().visit_worker_otp


def otp_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def otp_enrol_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the enrolment page shows (one per account)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=False)
    return device


def otp_enrol_confirm(*, user: User, token: str) -> list[str] | None:
    """Confirm enrolment with a first code; returns the new recovery codes (shown once)."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-id")
            .first()
        )
        if device is None or not device.verify_token(_digits(token)):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save()
        codes_ = _new_recovery_codes(user)
        audit(
            actor=user,
            action=Action.OTP_ENROL,
            object_type="user",
            object_id=str(user.pk),
            object_label=user.username,
        )
    return codes_


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="恢复码")
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
    out = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(16))  # 80 bits
        out.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=RecoveryCode.hash(c)) for c in out
    )
    return out


def recovery_codes_regenerate(*, user: User) -> list[str]:
    with transaction.atomic():
        out = _new_recovery_codes(user)
        audit(
            actor=user,
            action=Action.OTP_RECOVERY_CODES,
            object_type="user",
            object_id=str(user.pk),
            object_label=user.username,
        )
    return out


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user).count()


def _digits(token: str) -> str:
    # Full-width digits from a Chinese input method are digits too (GB 11643 style).
    return "".join(str(int(c)) if c.isdigit() and c.isdecimal() else c for c in token.strip())


def otp_verify(*, user: User, token: str) -> Device | None:
    """A current code from the phone app, or an unused recovery code (consumed)."""
    token = token.strip()[:64]
    with transaction.atomic():
        if _digits(token).isdigit() and len(_digits(token)) == 6:
            device: Device | None = (
                TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            )
            ok = device is not None and device.verify_token(_digits(token))
        else:
            device = RecoveryCodeDevice.objects.select_for_update().filter(user=user).first()
            ok = device is not None and device.verify_token(token)
            if ok:
                audit(
                    actor=user,
                    action=Action.OTP_RECOVERY_USED,
                    object_type="user",
                    object_id=str(user.pk),
                    object_label=user.username,
                    changes={"left": recovery_codes_left(user)},
                )
    return device if ok else None


# --- API tokens ------------------------------------------------------------------------


def token_revoke(*, actor: User, token: ApiToken) -> None:
    """The token's owner or a security administrator ends a token."""
    if token.user_id != actor.pk and not actor.can(Cap.ACCOUNT_MANAGE):
        raise PermissionError("无权吊销此令牌")
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).delete()
        audit(
            actor=actor,
            action=Action.TOKEN_REVOKE,
            object_type="user",
            object_id=str(token.user_id),
            object_label=token.user.username,
            changes={"token": str(token.public_id), "prefix": token.prefix},
        )


def tokens_end_on_lockout(*, username: str) -> None:
    """A locked account's API tokens die with the lock (django-axes signal)."""
    with transaction.atomic():
        n = ApiToken.objects.filter(user__username=username).delete()[0]
        audit(
            actor=None,
            action=Action.LOCKED_OUT,
            object_type="user",
            object_label=username[:150],
            changes={"tokens_ended": n},
        )
