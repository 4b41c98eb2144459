"""Denied accesses are audited (issue 15): 403s and out-of-scope 404s of the web pages and the
API, failed reveals, once per user and path in a window, outside the failed transaction."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.core.models import AuditEvent
from yanglao.people import services
from yanglao.people.models import Person
from yanglao.people.testing import person_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(regions, make_user) -> Person:
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    p, _ = services.person_register(actor=officer, data=person_input("220102001001"))
    return p


@pytest.fixture
def stranger(make_user):
    """An officer of the other county: the person is outside their jurisdiction."""
    return make_user(Role.COUNTY_OFFICER, "220204", username="stranger")


def _client(user) -> Client:
    c = Client(REMOTE_ADDR="203.0.113.7")
    c.force_login(user)
    return c


def _denied() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="access.denied").order_by("id"))


def test_out_of_scope_person_page_is_a_404_and_audited(person, stranger) -> None:
    url = f"/people/{person.public_id}/"
    assert _client(stranger).get(url).status_code == 404
    [event] = _denied()
    assert event.actor_id == stranger.pk and event.actor_username == "stranger"
    assert event.object_id == str(person.public_id) and event.ip == "203.0.113.7"
    assert event.changes["path"] == url and event.changes["status"] == 404
    assert event.changes["view"] == "people:detail" and event.changes["reason"].startswith(
        "Http404"
    )
    assert event.action_label == "访问被拒绝（无权限或不在管辖范围）"


def test_a_walk_does_not_flood_the_table(person, stranger, settings) -> None:
    settings.AUDIT_DENIED_INTERVAL = 600
    client = _client(stranger)
    for _ in range(5):
        client.get(f"/people/{person.public_id}/")
    assert len(_denied()) == 1
    client.get(f"/people/{person.public_id}/edit/")  # another path: its own row
    assert len(_denied()) == 2
    cache.clear()  # the window has passed
    client.get(f"/people/{person.public_id}/")
    assert len(_denied()) == 3


def test_failed_reveals_are_audited(person, stranger, make_user) -> None:
    url = f"/people/{person.public_id}/reveal/id_number/"
    assert _client(stranger).post(url).status_code == 404  # out of scope
    worker = make_user(Role.VISIT_WORKER, "220102001001", username="worker")
    assert _client(worker).post(url).status_code == 403  # no reveal capability
    out_of_scope, no_capability = _denied()
    assert out_of_scope.changes["view"] == no_capability.changes["view"] == "people:reveal"
    assert (out_of_scope.actor_username, out_of_scope.changes["status"]) == ("stranger", 404)
    assert (no_capability.actor_username, no_capability.changes["status"]) == ("worker", 403)
    assert no_capability.changes["reason"].startswith("PermissionDenied")
    assert not AuditEvent.objects.filter(action="person.reveal_identifier").exists()


def test_api_404_and_403_are_audited(person, stranger, api_client, make_user) -> None:
    r = api_client(stranger).get(f"/api/v1/persons/{person.public_id}")
    assert r.status_code == 404
    auditor = make_user(Role.AUDITOR, "22", mode="stats", username="auditor")
    r = api_client(auditor).get(f"/api/v1/persons/{person.public_id}")
    assert r.status_code == 403
    api_404, api_403 = _denied()
    assert (api_404.actor_username, api_404.changes["status"]) == ("stranger", 404)
    assert api_404.changes["path"] == f"/api/v1/persons/{person.public_id}"
    assert (api_403.actor_username, api_403.changes["status"]) == ("auditor", 403)


def test_allowed_requests_write_no_denied_row(person, make_user) -> None:
    officer = make_user(Role.COUNTY_OFFICER, "220102", username="own")
    assert _client(officer).get(f"/people/{person.public_id}/").status_code == 200
    assert _denied() == []


@pytest.mark.django_db(transaction=True)
def test_denied_row_is_written_outside_the_failed_transaction(regions, make_user) -> None:
    # No test transaction around the request: the view's exception has rolled back its own
    # work, and the denied row is its own transaction (audit()'s allow-list), so it stays.
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    with transaction.atomic():
        p, _ = services.person_register(actor=officer, data=person_input("220102001001"))
    stranger = make_user(Role.COUNTY_OFFICER, "220204", username="stranger")
    assert _client(stranger).get(f"/people/{p.public_id}/").status_code == 404
    assert [e.actor_username for e in _denied()] == ["stranger"]
    from yanglao.core import chain

    assert chain.verify().broken is None
