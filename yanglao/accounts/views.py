from __future__ import annotations

import time
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from yanglao.accounts import services
from yanglao.accounts.forms import (
    LoginForm,
    OtpForm,
    PasswordChangeForm,
    SecurityPolicyForm,
    UserForm,
)
from yanglao.accounts.models import AccountChange, ApiToken, ChangeStatus, SecurityPolicy, User
from yanglao.accounts.roles import Cap
from yanglao.core.decorators import AuthedRequest, scope

PENDING = "login_pending"
MAX_CODE_FAILURES = 5
BAD_LOGIN = "账号或密码错误。连续失败5次后账号将锁定15分钟。"


def _safe_next(request: HttpRequest, target: str) -> str:
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return "/"
    return target


def _pending_user(request: HttpRequest) -> User | None:
    """The account that passed its password in this session and owes its second factor."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > settings.LOGIN_PENDING_TTL.total_seconds():
        request.session.pop(PENDING, None)
        return None
    uid = pending.get("uid")
    if not isinstance(uid, int):
        return None
    return User.objects.filter(pk=uid, is_active=True).first()


def _finish_login(request: HttpRequest, user: User, device: Any | None) -> str:
    pending = request.session.get(PENDING) or {}
    backend = pending.get("backend") or settings.AUTHENTICATION_BACKENDS[-1]
    target = _safe_next(request, pending.get("next", ""))
    login(request, user, backend=backend)
    if device is not None:
        django_otp.login(request, device)
    request.session.pop(PENDING, None)
    return target


@scope(public=True)
def login_view(request: AuthedRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return render(request, "accounts/locked.html", status=403)
        if not isinstance(user, User):
            form.add_error(None, BAD_LOGIN)
        else:
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not services.otp_needed(user):
                login(request, user)
                return redirect(_safe_next(request, target))
            # The password is right; the session is not logged in until the second factor.
            request.session.cycle_key()
            request.session[PENDING] = {
                "uid": user.pk,
                "backend": getattr(user, "backend", ""),
                "at": time.time(),
                "fails": 0,
                "next": target,
            }
            if services.otp_enrolled(user):
                return redirect("accounts:login_otp")
            return redirect("accounts:login_enrol")
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


def _code_failed(request: HttpRequest, user: User) -> bool:
    """Count a wrong code (towards the account lockout as well); True when it is over."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.username}, request=request
    )
    pending = request.session[PENDING]
    pending["fails"] = int(pending.get("fails", 0)) + 1
    request.session.modified = True
    if pending["fails"] >= MAX_CODE_FAILURES or getattr(request, "axes_locked_out", False):
        request.session.pop(PENDING, None)
        return True
    return False


@scope(public=True)
def login_otp(request: AuthedRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.otp_verify(user=user, token=form.cleaned_data["code"])
        if device is not None:
            return redirect(_finish_login(request, user, device))
        if _code_failed(request, user):
            if getattr(request, "axes_locked_out", False):
                return render(request, "accounts/locked.html", status=403)
            messages.error(request, "验证码错误次数过多，请重新登录。")
            return redirect("accounts:login")
        form.add_error("code", "验证码不正确或已使用过，请等手机上出现新的验证码后再试。")
    return render(request, "accounts/login_otp.html", {"form": form, "username": user.username})


def _qr_svg(device: TOTPDevice) -> str:
    # Drawn here, on the intranet page: no external QR service ever sees the secret.
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def _secret_text(device: TOTPDevice) -> str:
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode()
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@scope(public=True)
def login_enrol(request: AuthedRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    if services.otp_enrolled(user):
        return redirect("accounts:login_otp")
    device = services.otp_enrol_start(user=user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.otp_enrol_confirm(user=user, token=form.cleaned_data["code"])
        if codes is not None:
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            target = _finish_login(request, user, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": target})
        if _code_failed(request, user):
            messages.error(request, "验证码错误次数过多，请重新登录。")
            return redirect("accounts:login")
        form.add_error("code", "验证码不正确，请核对手机时间并输入验证器当前显示的6位数字。")
    return render(
        request,
        "accounts/login_enrol.html",
        {"form": form, "qr": _qr_svg(device), "secret": _secret_text(device), "user": user},
    )


@require_POST
@scope(public=True)
def logout_view(request: AuthedRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


# --- self-service ----------------------------------------------------------------------


@scope()
def password_change(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.password_change(
                user=request.user, old_password=d["old_password"], new_password=d["password"]
            )
        except services.AccountInvalid as exc:
            form.add_service_errors(exc.errors)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。原有的接口令牌已全部失效。")
            return redirect("/")
    forced = services.must_change_password(request.user)
    return render(request, "accounts/password.html", {"form": form, "forced": forced})


@scope()
def my_security(request: AuthedRequest) -> HttpResponse:
    """My two-factor status, recovery codes and API tokens."""
    codes: list[str] | None = None
    if request.method == "POST" and request.POST.get("action") == "recovery":
        if not services.otp_enrolled(request.user):
            raise Http404
        codes = services.recovery_codes_regenerate(user=request.user)
    tokens = ApiToken.objects.filter(user=request.user, expires_at__gt=timezone.now())
    return render(
        request,
        "accounts/security.html",
        {
            "enrolled": services.otp_enrolled(request.user),
            "codes_left": services.recovery_codes_left(request.user),
            "codes": codes,
            "tokens": tokens.order_by("-created_at"),
        },
    )


@require_POST
@scope()
def token_revoke(request: AuthedRequest, public_id: str) -> HttpResponse:
    key = _uuid(public_id)
    token = ApiToken.objects.select_related("user").filter(public_id=key).first() if key else None
    if token is None:
        raise Http404
    try:
        services.token_revoke(actor=request.user, token=token)
    except PermissionError as exc:
        raise Http404 from exc
    messages.success(request, f"已吊销令牌 {token.prefix}…")
    back = request.POST.get("back", "")
    return redirect(_safe_next(request, back) if back else "accounts:security")


def _uuid(text: str) -> str | None:
    import uuid

    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


# --- security administrator ------------------------------------------------------------


@scope(Cap.ACCOUNT_MANAGE)
def users(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").replace("\x00", "").strip()[:150]
    qs = User.objects.order_by("username").prefetch_related("jurisdictions__region")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    pending = AccountChange.objects.filter(status=ChangeStatus.PENDING).count()
    rows = list(qs[:500])
    locked = services.locked_usernames([u.username for u in rows])
    return render(
        request,
        "accounts/users.html",
        {"users": rows, "q": q, "pending": pending, "locked": locked},
    )


def _flash_result(request: HttpRequest, result: object, done: str) -> None:
    if isinstance(result, AccountChange):
        messages.success(request, "已提交，须由另一名安全管理员在“待批准的变更”中批准后生效。")
    else:
        messages.success(request, done)


@scope(Cap.ACCOUNT_MANAGE)
def user_create(request: AuthedRequest) -> HttpResponse:
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.request_create(
                actor=request.user,
                username=d["username"],
                password=d["password"],
                role=d["role"],
                full_name=d["full_name"],
                jurisdictions=form.jurisdictions(),
            )
        except services.AccountInvalid as exc:
            form.add_service_errors(exc.errors)
        else:
            _flash_result(
                request, result, f"已创建账号 {d['username']}（临时密码，首次登录须修改）"
            )
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@scope(Cap.ACCOUNT_MANAGE)
def user_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    if request.method == "POST":
        form = UserForm(request.POST)
        form.fields["username"].required = False
        if form.is_valid():
            d = form.cleaned_data
            try:
                result = services.request_update(
                    actor=request.user,
                    user=target,
                    role=d["role"],
                    full_name=d["full_name"],
                    is_active=d["is_active"],
                    password=d["password"],
                    jurisdictions=form.jurisdictions(),
                )
            except services.AccountInvalid as exc:
                form.add_service_errors(exc.errors)
            else:
                _flash_result(request, result, "已保存")
                return redirect("accounts:users")
    else:
        form = UserForm(initial=UserForm.initial_from(target))
    tokens = ApiToken.objects.filter(user=target, expires_at__gt=timezone.now())
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "target": target,
            "creating": False,
            "tokens": tokens.order_by("-created_at"),
            "enrolled": services.otp_enrolled(target),
        },
    )


@require_POST
@scope(Cap.ACCOUNT_MANAGE)
def user_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    services.user_unlock(actor=request.user, user=target)
    messages.success(request, f"已解除 {target.username} 的登录锁定")
    return redirect("accounts:users")


@require_POST
@scope(Cap.ACCOUNT_MANAGE)
def user_otp_reset(request: AuthedRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    try:
        result = services.request_otp_reset(actor=request.user, user=target)
    except services.AccountInvalid as exc:
        for errs in exc.errors.values():
            for e in errs:
                messages.error(request, e)
    else:
        _flash_result(request, result, f"已重置 {target.username} 的动态验证码，下次登录时重新绑定")
    return redirect("accounts:user_edit", pk=target.pk)


@scope(Cap.ACCOUNT_MANAGE)
def changes(request: AuthedRequest) -> HttpResponse:
    rows = AccountChange.objects.select_related("requested_by", "decided_by")
    return render(
        request,
        "accounts/changes.html",
        {
            "pending": rows.filter(status=ChangeStatus.PENDING),
            "done": rows.exclude(status=ChangeStatus.PENDING)[:50],
        },
    )


@require_POST
@scope(Cap.ACCOUNT_MANAGE)
def change_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(AccountChange, pk=pk)
    try:
        if request.POST.get("approve") == "1":
            services.change_approve(actor=request.user, change=change)
            messages.success(
                request, f"已批准：{change.get_kind_display()} {change.target_username}"
            )
        else:
            services.change_reject(
                actor=request.user, change=change, note=request.POST.get("note", "")
            )
            messages.success(
                request, f"已驳回：{change.get_kind_display()} {change.target_username}"
            )
    except services.AccountInvalid as exc:
        for errs in exc.errors.values():
            for e in errs:
                messages.error(request, e)
    return redirect("accounts:changes")


@scope(Cap.ACCOUNT_MANAGE)
def tokens(request: AuthedRequest) -> HttpResponse:
    rows = ApiToken.objects.select_related("user").filter(expires_at__gt=timezone.now())
    return render(request, "accounts/tokens.html", {"tokens": rows.order_by("-created_at")[:500]})


@scope(Cap.ACCOUNT_MANAGE)
def security_policy(request: AuthedRequest) -> HttpResponse:
    policy = SecurityPolicy.current()
    form = SecurityPolicyForm(
        request.POST or None, initial={"visit_worker_otp": policy.visit_worker_otp}
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.security_policy_set(
                actor=request.user, visit_worker_otp=form.cleaned_data["visit_worker_otp"]
            )
        messages.success(request, "安全策略已保存")
        return redirect("accounts:policy")
    return render(request, "accounts/policy.html", {"form": form})
