"""Test helpers for two-factor login: enrol an account, compute its current code, and mark a
`force_login` session as verified (production code is not weakened for tests)."""

from __future__ import annotations

from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yanglao.accounts.models import User


def enrol_totp(user: User, key: str | None = None) -> TOTPDevice:
    """The account's confirmed phone-app device (created when missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="测试手机", confirmed=True)
    if key is not None and device.key != key:
        device.key = key
        device.save(update_fields=["key"])
    return device


def code_for_key(hex_key: str, at: float | None = None) -> str:
    """The 6-digit code a phone app shows at `at` (default now) for a TOTP secret (hex, as
    django-otp stores it; `yanglao demo --accounts-json` writes it as `totp_key`)."""
    import time
    from binascii import unhexlify

    t = TOTP(unhexlify(hex_key), step=30, t0=0, digits=6, drift=0)
    t.time = time.time() if at is None else at
    return f"{t.token():06d}"


def totp_code(user: User | Any) -> str:
    """A code the server accepts now. Each code is accepted once per 30 s step; tests that log
    the same account in twice within one step forget the last accepted step first."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    return code_for_key(device.key)


def mark_verified(client: Any, user: User) -> None:
    """After `client.force_login(user)`: the session has passed its second factor."""
    from yanglao.accounts.services import otp_needed

    if not otp_needed(user):
        return
    device = enrol_totp(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def code_for_secret(base32_secret: str, at: float | None = None) -> str:
    """The current code for a base32 secret (as shown under the QR code or in accounts JSON)."""
    from base64 import b32decode

    clean = base32_secret.replace(" ", "").upper()
    return code_for_key(b32decode(clean + "=" * (-len(clean) % 8)).hex(), at)
