from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yanglao.accounts import services
from yanglao.accounts.forms import LoginForm, UserForm, parse_jurisdictions
from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap
from yanglao.core.decorators import AuthedRequest, scope


@scope(public=True)
def login_view(request: AuthedRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return render(request, "accounts/locked.html", status=403)
        if user is None:
            form.add_error(None, "账号或密码错误。连续失败5次后账号将锁定15分钟。")
        else:
            login(request, user)
            target = request.POST.get("next") or request.GET.get("next") or "/"
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            return redirect(target)
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


@require_POST
@scope(public=True)
def logout_view(request: AuthedRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@scope(Cap.ACCOUNT_MANAGE)
def users(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = User.objects.order_by("username").prefetch_related("jurisdictions__region")
    if q:
        qs = qs.filter(username__icontains=q) | qs.filter(full_name__icontains=q)
    return render(request, "accounts/users.html", {"users": qs[:500], "q": q})


@scope(Cap.ACCOUNT_MANAGE)
def user_create(request: AuthedRequest) -> HttpResponse:
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.user_create(
                actor=request.user,
                username=d["username"],
                password=d["password"],
                role=d["role"],
                full_name=d["full_name"],
                jurisdictions=parse_jurisdictions(d["jurisdictions"]),
            )
        except services.AccountInvalid as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, f"已创建账号 {d['username']}")
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
                services.user_update(
                    actor=request.user,
                    user=target,
                    role=d["role"],
                    full_name=d["full_name"],
                    is_active=d["is_active"],
                    password=d["password"],
                    jurisdictions=parse_jurisdictions(d["jurisdictions"]),
                )
            except services.AccountInvalid as exc:
                form.add_service_errors(exc.errors)
            else:
                messages.success(request, "已保存")
                return redirect("accounts:users")
    else:
        form = UserForm(initial=UserForm.initial_from(target))
    return render(
        request, "accounts/user_form.html", {"form": form, "target": target, "creating": False}
    )


@require_POST
@scope(Cap.ACCOUNT_MANAGE)
def user_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    services.user_unlock(actor=request.user, user=target)
    messages.success(request, f"已解除 {target.username} 的登录锁定")
    return redirect("accounts:users")
