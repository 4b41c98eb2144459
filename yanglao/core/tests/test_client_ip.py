"""The client address: X-Forwarded-For believed only from configured proxies (issue 15)."""

from __future__ import annotations

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.test import Client, RequestFactory

from yanglao.core.middleware import client_ip
from yanglao.core.models import AuditEvent

PROXIES = ["10.0.0.5/32", "10.0.1.0/24", "fd00::/8"]


@pytest.mark.parametrize(
    ("proxies", "remote", "xff", "expected"),
    [
        # no trusted proxy: the header is never read, whatever it says
        ([], "203.0.113.7", "1.2.3.4", "203.0.113.7"),
        ([], "10.0.0.5", "1.2.3.4", "10.0.0.5"),
        # a peer that is not a trusted proxy sends a spoofed header: ignored
        (PROXIES, "203.0.113.7", "1.2.3.4", "203.0.113.7"),
        (PROXIES, "203.0.113.7", "10.0.0.5", "203.0.113.7"),
        # through the trusted proxy: the address it appended
        (PROXIES, "10.0.0.5", "198.51.100.9", "198.51.100.9"),
        # the client prepends a fake address: the rightmost untrusted one wins
        (PROXIES, "10.0.0.5", "1.2.3.4, 198.51.100.9", "198.51.100.9"),
        # two trusted hops
        (PROXIES, "10.0.0.5", "1.2.3.4, 198.51.100.9, 10.0.1.20", "198.51.100.9"),
        # the client claims to be a trusted proxy itself: the proxy appended the truth after it
        (PROXIES, "10.0.0.5", "10.0.1.9, 198.51.100.9", "198.51.100.9"),
        # every hop trusted: the leftmost
        (PROXIES, "10.0.0.5", "10.0.1.9", "10.0.1.9"),
        # a garbage hop stops the walk at the last trusted hop
        (PROXIES, "10.0.0.5", "198.51.100.9, not-an-ip", "10.0.0.5"),
        (PROXIES, "10.0.0.5", "1.2.3.4,\\x00, 10.0.1.9", "10.0.1.9"),
        # no header behind the proxy: the proxy
        (PROXIES, "10.0.0.5", "", "10.0.0.5"),
        # IPv6 proxy and client, written in long form
        (PROXIES, "fd00::1", "2001:DB8:0:0::1", "2001:db8::1"),
        # no usable peer address
        (PROXIES, "", "1.2.3.4", None),
        (PROXIES, "unix-socket", "1.2.3.4", None),
    ],
)
def test_client_ip(settings, proxies, remote, xff, expected) -> None:
    settings.TRUSTED_PROXIES = proxies
    meta = {"REMOTE_ADDR": remote}
    if xff:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    request = RequestFactory().get("/", **meta)
    assert client_ip(request) == expected
    # django-axes (lockout by source address) asks the same function
    assert get_client_ip_address(request) == expected


@pytest.mark.django_db
def test_spoofed_header_changes_neither_the_audit_row_nor_the_lockout_address(settings) -> None:
    settings.TRUSTED_PROXIES = []
    client = Client(REMOTE_ADDR="203.0.113.7")
    for fake in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        client.post(
            "/accounts/login/",
            {"username": "nobody", "password": "wrong-password-x"},
            HTTP_X_FORWARDED_FOR=fake,
        )
    ips = set(AuditEvent.objects.filter(action="auth.login_failed").values_list("ip", flat=True))
    assert ips == {"203.0.113.7"}
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.django_db
def test_behind_the_trusted_proxy_the_real_client_is_recorded(settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.5/32"]
    Client(REMOTE_ADDR="10.0.0.5").post(
        "/accounts/login/",
        {"username": "nobody", "password": "wrong-password-x"},
        HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.9",
    )
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.ip == "198.51.100.9"
