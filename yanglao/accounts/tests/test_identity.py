"""Identity and roles (issue 15): two-factor login, four eyes, passwords, tokens, sessions."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from yanglao.accounts import services
from yanglao.accounts.models import (
    AccountChange,
    ApiToken,
    ChangeStatus,
    RecoveryCode,
    RecoveryCodeDevice,
    User,
)
from yanglao.accounts.roles import Role
from yanglao.accounts.testing import code_for_secret, totp_code
from yanglao.api.tests.conftest import token_body
from yanglao.core.models import AuditEvent
from yanglao.core.visible import visible_text

pytestmark = pytest.mark.django_db
PASSWORD = "Yl-test-pass-2026"
TOKEN_URL = "/api/v1/auth/token"


def password_step(c: Client, username: str, password: str = PASSWORD) -> Any:
    return c.post("/accounts/login/", {"username": username, "password": password})


def logged_in(c: Client) -> bool:
    return "_auth_user_id" in c.session


# --- two-factor login ------------------------------------------------------------------


def test_password_alone_does_not_log_an_officer_in(regions, make_user) -> None:
    officer = make_user(Role.COUNTY_OFFICER, "220102", username="otp_officer")
    c = Client()
    r = password_step(c, "otp_officer")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/code/"
    assert not logged_in(c)
    assert c.get("/people/").status_code == 302  # still the login page
    r = c.post("/accounts/login/code/", {"code": "000000"})
    assert "验证码不正确" in r.content.decode() and not logged_in(c)
    TOTPDevice.objects.filter(user=officer).update(throttling_failure_count=0)
    r = c.post("/accounts/login/code/", {"code": totp_code(officer)})
    assert r.status_code == 302 and logged_in(c)
    assert c.session[DEVICE_ID_SESSION_KEY].startswith("otp_totp.totpdevice/")
    assert c.get("/people/").status_code == 200


def test_first_login_enrols_by_qr_code_and_shows_recovery_codes_once(regions, make_user) -> None:
    make_user(Role.AUDITOR, "22", mode="stats", username="new_auditor", otp=False)
    c = Client()
    r = password_step(c, "new_auditor")
    assert r["Location"] == "/accounts/login/enrol/"
    page = c.get("/accounts/login/enrol/").content.decode()
    # The QR code is drawn in the page (inline SVG), no external service; the secret as text.
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>")[0].replace(
        "http://www.w3.org", ""
    )
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', page).group(1)  # type: ignore[union-attr]
    assert not logged_in(c)
    r = c.post("/accounts/login/enrol/", {"code": code_for_secret(secret)})
    assert r.status_code == 200 and logged_in(c)
    codes = re.findall(r"<code>([A-Z0-9-]{19})</code>", r.content.decode())
    assert len(codes) == 10
    user = User.objects.get(username="new_auditor")
    # Stored hashed only.
    stored = set(RecoveryCode.objects.filter(device__user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not any(c.replace("-", "") in h for c in codes for h in stored)
    assert AuditEvent.objects.filter(action="auth.otp_enrol", actor=user).exists()

    # A recovery code logs in once, and only once.
    for expected in (True, False):
        other = Client()
        password_step(other, "new_auditor")
        other.post("/accounts/login/code/", {"code": codes[0].lower().replace("-", " ")})
        assert logged_in(other) is expected
        RecoveryCodeDevice.objects.filter(user=user).update(throttling_failure_count=0)
    assert AuditEvent.objects.filter(action="auth.recovery_code_used").count() == 1


def test_visit_workers_two_factor_is_the_security_admins_choice(regions, make_user) -> None:
    make_user(Role.VISIT_WORKER, "220102001001", username="worker_x")
    admin = make_user(Role.SECURITY_ADMIN, "22", mode="stats")
    c = Client()
    assert password_step(c, "worker_x")["Location"] == "/"
    assert logged_in(c)
    admin_c = Client()
    admin_c.force_login(admin)
    r = admin_c.post("/accounts/policy/", {"visit_worker_otp": "on"})
    assert r.status_code == 302
    event = AuditEvent.objects.get(action="policy.security_set")
    assert event.actor == admin and event.changes == {"visit_worker_otp": [False, True]}
    # The open session owes its second factor now: it is ended.
    assert c.get("/people/")["Location"].startswith("/accounts/login/")
    assert password_step(Client(), "worker_x")["Location"] == "/accounts/login/enrol/"


def test_session_without_second_factor_is_ended(regions, make_user) -> None:
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    c = Client()
    c.force_login(officer)
    assert c.get("/people/").status_code == 200
    session = c.session
    del session[DEVICE_ID_SESSION_KEY]
    session.save()
    assert c.get("/people/")["Location"].startswith("/accounts/login/")
    assert not logged_in(c)


def test_token_issue_needs_the_code_for_two_factor_roles(client, regions, make_user) -> None:
    officer = make_user(Role.COUNTY_OFFICER, "220102", username="api_officer")
    body = {"username": "api_officer", "password": PASSWORD}
    r = client.post(TOKEN_URL, body, content_type="application/json")
    assert r.status_code == 401 and "动态验证码" in r.json()["detail"]
    r = client.post(TOKEN_URL, {**body, "otp": "123456"}, content_type="application/json")
    assert r.status_code == 401 and not ApiToken.objects.exists()
    r = client.post(TOKEN_URL, token_body(officer), content_type="application/json")
    assert r.status_code == 200
    make_user(Role.CITY_OFFICER, "2201", username="no_phone", otp=False)
    r = client.post(
        TOKEN_URL, {"username": "no_phone", "password": PASSWORD}, content_type="application/json"
    )
    assert r.status_code == 403 and "绑定" in r.json()["detail"]


# --- three-role separation, four eyes --------------------------------------------------


@pytest.fixture
def admins(regions, make_user) -> tuple[User, User, User]:
    a = make_user(Role.SECURITY_ADMIN, "22", mode="stats", username="sec_a")
    b = make_user(Role.SECURITY_ADMIN, "22", mode="stats", username="sec_b")
    auditor = make_user(Role.AUDITOR, "22", mode="stats", username="auditor_x")
    return a, b, auditor


def _edit(c: Client, user: User, **fields: Any) -> Any:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "is_active": "on",
        "password": "",
    }
    for i, j in enumerate(user.jurisdictions.order_by("region_id")):
        data |= {f"jur_region_{i}": j.region_id, f"jur_mode_{i}": j.mode}
    data.update(fields)
    return c.post(f"/accounts/users/{user.pk}/", data)


def test_security_admin_cannot_change_its_own_role(admins) -> None:
    a, _, _ = admins
    c = Client()
    c.force_login(a)
    r = _edit(c, a, role=Role.AUDITOR)
    assert "不能修改自己的角色或辖区" in r.content.decode()
    _edit(c, a, jur_region_0="南关区", jur_mode_0="edit")
    a.refresh_from_db()
    assert a.role == Role.SECURITY_ADMIN
    assert list(a.jurisdictions.values_list("region_id", flat=True)) == ["220000000000"]
    assert c.get("/audit/").status_code == 403


def test_provincial_officer_for_oneself_waits_for_a_second_admin(admins) -> None:
    a, b, auditor = admins
    c = Client()
    c.force_login(a)
    r = c.post(
        "/accounts/users/new/",
        {
            "username": "my_province",
            "role": Role.PROVINCE_OFFICER,
            "password": "Sneaky-Pass-2026",
            "jur_region_0": "吉林省",
            "jur_mode_0": "edit",
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    assert not User.objects.filter(username="my_province").exists()
    change = AccountChange.objects.get(target_username="my_province")
    assert change.status == ChangeStatus.PENDING
    assert "Sneaky" not in json.dumps(change.payload)  # only the hash
    # The requester cannot approve it; the service refuses a direct creation too.
    c.post(f"/accounts/changes/{change.pk}/decide/", {"approve": "1"})
    assert not User.objects.filter(username="my_province").exists()
    with pytest.raises(services.AccountInvalid):
        services.user_create(
            actor=a,
            username="my_province",
            password="Sneaky-Pass-2026",
            role=Role.PROVINCE_OFFICER,
            jurisdictions=[("22", "edit")],
        )
    # A second security administrator approves; both steps audited.
    cb = Client()
    cb.force_login(b)
    cb.post(f"/accounts/changes/{change.pk}/decide/", {"approve": "1"})
    created = User.objects.get(username="my_province")
    assert created.must_change_password  # the password the admin chose is temporary
    assert AuditEvent.objects.filter(action="user.change_request", actor=a).exists()
    assert AuditEvent.objects.filter(action="user.change_approve", actor=b).exists()
    create = AuditEvent.objects.get(action="user.create", object_label="my_province")
    assert create.changes["approved_by"] == "sec_b"
    # The auditor sees every administrator action.
    ca = Client()
    ca.force_login(auditor)
    page = ca.get("/audit/?action=user.").content.decode()
    for action in ("申请账号变更（待批准）", "批准账号变更", "创建账号"):
        assert action in page


def test_resetting_the_auditors_password_needs_approval(admins) -> None:
    a, b, auditor = admins
    c = Client()
    c.force_login(a)
    _edit(c, auditor, password="Taken-Over-2026")
    auditor.refresh_from_db()
    assert auditor.check_password(PASSWORD)  # unchanged: the admin cannot log in as the auditor
    assert (
        "账号或密码错误" in password_step(Client(), "auditor_x", "Taken-Over-2026").content.decode()
    )
    change = AccountChange.objects.get(target=auditor)
    # b may not approve a change to b's own account; a change to a is b's to approve.
    _edit(c, b, full_name="改名")
    own = AccountChange.objects.get(target=b)
    cb = Client()
    cb.force_login(b)
    cb.post(f"/accounts/changes/{own.pk}/decide/", {"approve": "1"})
    own.refresh_from_db()
    assert own.status == ChangeStatus.PENDING
    cb.post(f"/accounts/changes/{change.pk}/decide/", {"approve": "0", "note": "未经本人申请"})
    change.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED and change.decided_by == b
    assert AuditEvent.objects.filter(action="user.change_reject", actor=b).exists()


def test_lowering_an_account_needs_no_second_person(admins, make_user) -> None:
    a, _, _ = admins
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    c = Client()
    c.force_login(a)
    _edit(c, officer, is_active="")
    officer.refresh_from_db()
    assert not officer.is_active
    assert not AccountChange.objects.exists()


# --- passwords -------------------------------------------------------------------------


def test_temporary_password_forces_a_change_then_history_refuses_reuse(admins, settings) -> None:
    a, b, _ = admins
    # An institution operator reads its residents: data access, so a second admin approves.
    with pytest.raises(services.AccountInvalid):
        services.user_create(
            actor=a,
            username="operator_x",
            password="Temp-Pass-2026",
            role=Role.INSTITUTION_OPERATOR,
            jurisdictions=[("220102", "stats")],
        )
    change = services.request_create(
        actor=a,
        username="operator_x",
        password="Temp-Pass-2026",
        role=Role.INSTITUTION_OPERATOR,
        jurisdictions=[("220102", "stats")],
    )
    assert isinstance(change, AccountChange)
    user = services.change_approve(actor=b, change=change)
    assert user.must_change_password
    c = Client()
    c.force_login(user)
    assert c.get("/people/")["Location"] == "/accounts/password/"
    assert "临时密码" in c.get("/accounts/password/").content.decode()
    r = c.post(
        "/accounts/password/",
        {"old_password": "Temp-Pass-2026", "password": "alllowercase1", "password2": "x"},
    )
    assert "至少3类" in r.content.decode()
    new = "New-Pass-2026!"
    c.post(
        "/accounts/password/", {"old_password": "Temp-Pass-2026", "password": new, "password2": new}
    )
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(new)
    assert c.get("/accounts/security/").status_code == 200  # still logged in
    # The previous password cannot come back.
    with pytest.raises(services.AccountInvalid) as exc:
        services.password_change(user=user, old_password=new, new_password="Temp-Pass-2026")
    assert "最近" in exc.value.errors["password"][0]


def test_expired_password_forces_a_change(regions, make_user, settings) -> None:
    settings.PASSWORD_MAX_AGE_DAYS = 90
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    User.objects.filter(pk=officer.pk).update(
        password_changed_at=timezone.now() - timedelta(days=91)
    )
    c = Client()
    c.force_login(officer)
    assert c.get("/people/")["Location"] == "/accounts/password/"


def test_lockout_by_source_address(regions, make_user, settings) -> None:
    settings.LOCKOUT_IP_FAILURES = 3
    make_user(Role.VISIT_WORKER, "220102001001", username="victim")
    office = Client(REMOTE_ADDR="10.0.0.9")
    for name in ("a1", "a2", "a3"):
        password_step(office, name, "Wrong-Pass-2026")
    # Different accounts from one address: the address is locked, even for a right password.
    assert password_step(office, "victim").status_code in (403, 429)
    assert password_step(Client(REMOTE_ADDR="10.0.0.10"), "victim").status_code == 302


# --- API tokens ------------------------------------------------------------------------


def test_tokens_listed_and_revoked_by_owner_and_security_admin(
    client, admins, make_user, api_client
) -> None:
    a, _, _ = admins
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    other = make_user(Role.COUNTY_OFFICER, "220204")
    mine = api_client(officer)
    spare = client.post(TOKEN_URL, token_body(officer), content_type="application/json").json()
    listed = mine.get("/api/v1/auth/tokens").json()["items"]
    assert len(listed) == 2 and {t["username"] for t in listed} == {officer.username}
    spare_id = str(ApiToken.objects.get(prefix=spare["token"][:6]).public_id)
    # Someone else's token is not found.
    outsider = api_client(other)
    assert outsider.call("DELETE", f"/api/v1/auth/tokens/{spare_id}").status_code == 404
    assert len(outsider.get("/api/v1/auth/tokens").json()["items"]) == 1
    assert mine.call("DELETE", f"/api/v1/auth/tokens/{spare_id}").status_code == 204
    dead = Client().get("/api/v1/persons", headers={"Authorization": f"Bearer {spare['token']}"})
    assert dead.status_code == 401
    # The security administrator sees everyone's on a page and revokes there.
    c = Client()
    c.force_login(a)
    page = c.get("/accounts/tokens/").content.decode()
    assert officer.username in page and other.username in page
    token = ApiToken.objects.get(user=other)
    c.post(f"/accounts/tokens/{token.public_id}/revoke/")
    assert not ApiToken.objects.filter(user=other).exists()
    assert AuditEvent.objects.filter(action="auth.token_revoke").count() == 2
    assert c.post("/accounts/tokens/not-a-uuid/revoke/").status_code == 404


def test_tokens_die_on_password_change_and_lockout(client, regions, make_user, api_client) -> None:
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    api = api_client(officer)
    assert api.get("/api/v1/auth/tokens").status_code == 200
    services.password_change(user=officer, old_password=PASSWORD, new_password="Other-Pass-2026")
    assert api.get("/api/v1/auth/tokens").status_code == 401
    officer.refresh_from_db()
    r = client.post(
        TOKEN_URL, token_body(officer, "Other-Pass-2026"), content_type="application/json"
    )
    raw = r.json()["token"]
    for _ in range(5):
        password_step(Client(), officer.username, "Wrong-Pass-2026")
    dead = Client().get("/api/v1/auth/tokens", headers={"Authorization": f"Bearer {raw}"})
    assert dead.status_code == 401 and not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


# --- sessions --------------------------------------------------------------------------


def test_background_polling_does_not_keep_an_idle_session_alive(regions, make_user) -> None:
    officer = make_user(Role.TOWNSHIP_OFFICER, "220102001")
    c = Client()
    poll = {"HX-Request": "true", "X-Background-Poll": "1"}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        c.force_login(officer)
        assert c.get("/visits/board/").status_code == 200  # real activity
        for _ in range(59):  # 29.5 minutes of polling every 30 s
            clock.shift(timedelta(seconds=30))
            assert c.get("/visits/board/emergencies/", headers=poll).status_code == 200
        clock.shift(timedelta(seconds=31))  # 30 min 1 s since the last real request
        r = c.get("/visits/board/emergencies/", headers=poll)
        assert r.status_code == 286 and r["HX-Redirect"] == "/accounts/login/"
        assert c.get("/visits/board/")["Location"].startswith("/accounts/login/")


def test_real_activity_keeps_the_session(regions, make_user) -> None:
    officer = make_user(Role.TOWNSHIP_OFFICER, "220102001")
    c = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        c.force_login(officer)
        for _ in range(4):
            clock.shift(timedelta(minutes=29))
            assert c.get("/visits/board/").status_code == 200


# --- demo accounts ---------------------------------------------------------------------


def test_demo_accounts_json_lets_scripts_log_in(regions, tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    call_command("demo", "--people", "0", "--accounts-json", str(path), stdout=StringIO())
    accounts = json.loads(path.read_text(encoding="utf-8"))
    assert {a["username"] for a in accounts} >= {"county_nanguan", "secadmin", "secadmin2"}
    for a in accounts:
        assert a["totp_secret"] and a["totp_url"].startswith("otpauth://totp/")
    county = next(a for a in accounts if a["username"] == "county_nanguan")
    c = Client()
    assert password_step(c, "county_nanguan", county["password"])["Location"].endswith("/code/")
    c.post("/accounts/login/code/", {"code": code_for_secret(county["totp_secret"])})
    assert logged_in(c)
    TOTPDevice.objects.update(last_t=-1)
    r = Client().post(
        TOKEN_URL,
        {
            "username": "county_nanguan",
            "password": county["password"],
            "otp": code_for_secret(county["totp_secret"]),
        },
        content_type="application/json",
    )
    assert r.status_code == 200


def test_jurisdictions_are_picked_by_name_with_modes_as_words(admins) -> None:
    """Issue 14 part 2: regions by name (type-ahead list), modes 办理/查询/统计, and a wrong
    region named in Chinese next to its row; what was typed stays."""
    a, b, _ = admins
    c = Client()
    c.force_login(a)
    page = c.get("/accounts/users/new/").content.decode()
    assert (
        "data-region-picker" in page
        and "办理（查看与修改）" in page
        and "统计（仅汇总数字）" in page
    )
    r = c.post(
        "/accounts/users/new/",
        {
            "username": "nanguan_new",
            "full_name": "王丽英",
            "role": Role.COUNTY_OFFICER,
            "password": "Good-Pass-2026!",
            "jur_region_0": "长春市南关区",
            "jur_mode_0": "search",
            "jur_region_1": "不存在的地方",
            "jur_mode_1": "edit",
            "is_active": "on",
        },
    )
    body = r.content.decode()
    assert r.status_code == 200 and "没有找到名为“不存在的地方”的区划" in body
    assert 'value="王丽英"' in body and 'value="长春市南关区"' in body
    assert "jur_region_1" not in visible_text(body)
    r = c.post(
        "/accounts/users/new/",
        {
            "username": "nanguan_new",
            "role": Role.COUNTY_OFFICER,
            "password": "Good-Pass-2026!",
            "jur_region_0": "南关区",
            "jur_mode_0": "search",
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    if not User.objects.filter(username="nanguan_new").exists():  # waits for a second admin
        c2 = Client()
        c2.force_login(b)
        change = AccountChange.objects.get(target_username="nanguan_new")
        c2.post(f"/accounts/changes/{change.pk}/decide/", {"approve": "1"})
    made = User.objects.get(username="nanguan_new")
    assert list(made.jurisdictions.values_list("region_id", "mode")) == [("220102000000", "search")]
    edit = c.get(f"/accounts/users/{made.pk}/").content.decode()
    assert 'value="长春市南关区"' in edit and "220102000000" not in visible_text(edit)


def test_unlock_shows_only_on_a_locked_account(admins, make_user) -> None:
    from axes.models import AccessAttempt
    from django.conf import settings

    a, _, _ = admins
    locked = make_user(Role.VISIT_WORKER, "220102001001", username="locked_worker")
    make_user(Role.VISIT_WORKER, "220102001001", username="fine_worker")
    AccessAttempt.objects.create(
        username=locked.username,
        ip_address="10.0.0.1",
        user_agent="x",
        attempt_time=timezone.now(),
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    c = Client()
    c.force_login(a)
    page = c.get("/accounts/users/?q=_worker").content.decode()
    assert page.count("解除锁定") == 1 and "已锁定" in page
    c.post(f"/accounts/users/{locked.pk}/unlock/")
    assert "解除锁定" not in c.get("/accounts/users/?q=_worker").content.decode()


# --- a new site: the first two security administrators ------------------------------------


def test_accounts_init_creates_the_first_two_security_admins_then_refuses(
    regions, tmp_path: Path
) -> None:
    from django.core.management.base import CommandError

    secret = tmp_path / "password"
    secret.write_text("Erste-Pass-2026\n", encoding="utf-8")
    for name in ("sec_one", "sec_two"):
        out = StringIO()
        call_command("accounts_init", name, "--password-file", str(secret), stdout=out)
        assert f"已创建安全管理员 {name}" in out.getvalue()
    one = User.objects.get(username="sec_one")
    assert one.role == Role.SECURITY_ADMIN and one.must_change_password
    assert list(one.jurisdictions.values_list("region_id", "mode")) == [("220000000000", "stats")]
    event = AuditEvent.objects.get(action="user.create", object_label="sec_one")
    assert event.actor is None  # the operator, from the server's shell
    # A third is refused: from now on accounts are created on the pages, with four eyes.
    with pytest.raises(CommandError, match="已有 2 名安全管理员"):
        call_command("accounts_init", "sec_three", "--password-file", str(secret))
    assert not User.objects.filter(username="sec_three").exists()
    # Weak passwords are refused like anywhere else.
    User.objects.filter(username="sec_two").update(is_active=False)
    secret.write_text("short\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("accounts_init", "sec_three", "--password-file", str(secret))
    User.objects.filter(username="sec_two").update(is_active=True)

    # The first login enrols the phone app, then the temporary password is changed.
    c = Client()
    r = password_step(c, "sec_one", "Erste-Pass-2026")
    assert r["Location"] == "/accounts/login/enrol/"
    page = c.get("/accounts/login/enrol/").content.decode()
    secret_key = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', page).group(1)  # type: ignore[union-attr]
    c.post("/accounts/login/enrol/", {"code": code_for_secret(secret_key)})
    assert logged_in(c)
    r = c.get("/accounts/users/")  # a temporary password: changed before anything else
    assert r.status_code == 302 and r["Location"].startswith("/accounts/password/")
