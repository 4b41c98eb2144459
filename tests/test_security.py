"""Login security (等保 2.0 level 3), audit rows for writes/reveals/exports, append-only audit."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import translation

from yanglao.accounts.roles import Role
from yanglao.accounts.services import AccountInvalid, user_create, user_unlock
from yanglao.core.models import AuditEvent
from yanglao.core.sheets import read_xlsx_bytes
from yanglao.core.visible import visible_text
from yanglao.people import services
from yanglao.people.testing import person_input

pytestmark = pytest.mark.django_db
PASSWORD = "Yl-test-pass-2026"


def test_account_locks_after_five_failures_in_15_minutes(regions, make_user) -> None:
    user = make_user(Role.COUNTY_OFFICER, "220102", username="lockme")
    client = Client()
    for _ in range(5):
        r = client.post("/accounts/login/", {"username": "lockme", "password": "wrong-password-x"})
        assert "账号或密码错误" in r.content.decode() or r.status_code == 429
    # Even the right password is refused now (django-axes answers 429 Too Many Requests).
    r = client.post("/accounts/login/", {"username": "lockme", "password": PASSWORD})
    assert r.status_code == 429 and "已锁定15分钟" in r.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed").count() >= 5
    admin = make_user(Role.SECURITY_ADMIN, "22", mode="stats")
    with transaction.atomic():
        user_unlock(actor=admin, user=user)
    r = client.post("/accounts/login/", {"username": "lockme", "password": PASSWORD})
    assert r.status_code == 302


def test_session_expires_after_30_idle_minutes() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1!", "太短"), ("password123", "太常见"), ("12345678901", "只包含数字")],
)
def test_password_rules(regions, password: str, message: str) -> None:
    with pytest.raises(AccountInvalid) as exc, translation.override("zh-hans"):
        user_create(
            actor=None,
            username="u1",
            password=password,
            role=Role.VISIT_WORKER,
            jurisdictions=[("220102001001", "edit")],
        )
    assert message in " ".join(exc.value.errors["password"])


def test_separation_of_duties(regions, make_user) -> None:
    sysadmin = make_user(Role.SYSTEM_ADMIN, "22", mode="stats")
    auditor = make_user(Role.AUDITOR, "22", mode="stats")
    secadmin = make_user(Role.SECURITY_ADMIN, "22", mode="stats")
    c = Client()
    c.force_login(sysadmin)
    assert c.get("/audit/").status_code == 403
    c.force_login(auditor)
    assert c.get("/audit/").status_code == 200
    assert c.get("/people/").status_code == 403
    assert c.post("/people/new/", {}).status_code == 403
    assert c.get("/accounts/users/").status_code == 403
    c.force_login(secadmin)
    assert c.get("/accounts/users/").status_code == 200
    assert c.get("/audit/").status_code == 403


def test_writes_reveals_and_exports_are_audited(regions, make_user) -> None:
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    person, _ = services.person_register(actor=officer, data=person_input("220102001001"))
    c = Client(REMOTE_ADDR="10.1.2.3")
    c.force_login(officer)
    r = c.post(f"/people/{person.public_id}/reveal/id_number/")
    assert person.id_number in r.content.decode()
    r = c.get("/people/export.csv?region=220102")
    body = b"".join(r.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert person.id_number_masked in body and person.id_number not in body
    r = c.get("/people/export.xlsx?region=220102")
    rows = read_xlsx_bytes(b"".join(r.streaming_content))  # type: ignore[attr-defined]
    assert rows[0][1] == "身份证号码（脱敏）" and rows[1][1] == person.id_number_masked
    r = c.get("/people/export.xlsx?region=220102&ids=full")
    rows = read_xlsx_bytes(b"".join(r.streaming_content))  # type: ignore[attr-defined]
    assert rows[0][1] == "身份证号码" and rows[1][1] == person.id_number
    assert rows[1][9] == "13812345678"
    reveal = AuditEvent.objects.get(action="person.reveal_identifier")
    assert reveal.ip == "10.1.2.3" and reveal.request_id and reveal.actor == officer
    exports = AuditEvent.objects.filter(action="person.export").order_by("id")
    assert [e.changes["identifiers"] for e in exports] == ["masked", "masked", "full"]
    assert exports[0].changes["filter"]["region"] == "220102000000"
    assert AuditEvent.objects.filter(action="person.create", object_id=str(person.public_id))


def test_auditor_searches_by_person_and_actor(regions, make_user) -> None:
    officer = make_user(Role.COUNTY_OFFICER, "220102", username="officer_x")
    person, _ = services.person_register(actor=officer, data=person_input("220102001001"))
    services.person_reveal(actor=officer, person=person, field="id_number")
    auditor = make_user(Role.AUDITOR, "22", mode="stats")
    c = Client()
    c.force_login(auditor)
    page = c.get(f"/audit/?person={person.public_id}&actor=officer_x").content.decode()
    page = visible_text(page)
    assert "查看完整号码" in page and "登记老年人" in page
    # Auditors of another region do not see the events of this one.
    other = make_user(Role.AUDITOR, "220204", mode="stats")
    c.force_login(other)
    assert "登记老年人" not in visible_text(c.get("/audit/?actor=officer_x").content.decode())


def test_audit_rows_are_append_only(regions) -> None:
    with transaction.atomic():
        from yanglao.core.audit import audit

        event = audit(actor=None, action="test.event")
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused() -> None:
    from yanglao.core.audit import audit

    with pytest.raises(RuntimeError, match="transaction"):
        audit(actor=None, action="person.update")
