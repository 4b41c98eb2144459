"""Pages: officers and provider staff see what their scope allows; another county's officer
and another provider's staff get 404; hostile input is answered in Chinese."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yanglao.accounts.roles import Role
from yanglao.community import services
from yanglao.community.testing import CommunityWorld, deliver, provider_input

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_for_officer_and_worker(world: CommunityWorld) -> None:
    order, _cu, _out = deliver(world, at=timezone.now() - timedelta(hours=3))
    officer = _client(world.county)
    for url in (
        "/community/",
        f"/community/orders/{order.public_id}/",
        "/community/providers/",
        f"/community/providers/{world.provider.public_id}/",
        "/community/funding/",
        "/community/settlements/",
        f"/community/person/{world.person.public_id}/order/",
    ):
        r = officer.get(url)
        assert r.status_code == 200, url
        text = re.sub(r"<[^>]+>", " ", r.content.decode())  # what a user reads
        assert "home_service" not in text and "dispatched" not in text, url
    worker = _client(world.worker)
    assert "王桂兰" in worker.get("/community/").content.decode()
    data = worker.get("/community/worker/app/data.json").json()
    assert data["orders"] == []  # done: nothing left to visit
    assert worker.get("/community/providers/new/").status_code == 403


def test_other_provider_and_other_county_get_404(world: CommunityWorld, make_user: Any) -> None:
    order, _cu, out = deliver(world, at=timezone.now() - timedelta(hours=3))
    other_county = make_user(Role.COUNTY_OFFICER, "220204")
    theirs = services.provider_register(actor=other_county, data=provider_input(5, "220204001001"))
    stranger = make_user(Role.PROVIDER_MANAGER, "220204", mode="stats")
    services.staff_bind(actor=other_county, provider=theirs, user=stranger, role="manager")
    for user in (other_county, stranger):
        c = _client(user)
        for url in (
            f"/community/orders/{order.public_id}/",
            f"/community/providers/{world.provider.public_id}/",
        ):
            assert c.get(url).status_code == 404, (user.role, url)
        assert "王桂兰" not in c.get("/community/").content.decode()
        assert c.post(
            f"/community/logs/{out.log.public_id}/sms/", {"phone": "13800000000"}
        ).status_code in (403, 404)


def test_hostile_form_input(world: CommunityWorld) -> None:
    officer = _client(world.county)
    r = officer.post(
        f"/community/providers/{world.provider.public_id}/prices/",
        {"item": str(world.item.pk), "unit_price": "３０\x00", "effective_from": "2027-01-01"},
    )
    assert r.status_code == 302
    r = officer.post("/community/settlements/", {"provider": "x", "month": "２０２６-13"})
    assert (r.status_code == 200 and "请选择" in r.content.decode()) or "月份" in r.content.decode()
    r = officer.get("/community/?status=%00&q=%F0%A0%80%80&page=-1")
    assert r.status_code == 200
    r = officer.post(
        "/community/worker/sync/", data=b"\x00not json", content_type="application/json"
    )
    assert r.status_code in (400, 403)
