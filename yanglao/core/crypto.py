"""Field encryption for personal identifiers (DESIGN principle 3, PIPL art. 51).

Values are encrypted with AES-256-GCM under a key id ("k1:<base64 nonce+ciphertext>") so keys
can rotate; a keyed HMAC-SHA256 beside each value allows exact lookup without decrypting.
GB/T 39786 level 3 would call for SM4/SM3; the key-id prefix lets a later key use them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings


@lru_cache(maxsize=1)
def _keys() -> tuple[str, dict[str, AESGCM]]:
    raw: dict[str, str] = json.loads(settings.DATA_KEYS)
    keys = {kid: AESGCM(base64.b64decode(k)) for kid, k in raw.items()}
    # The last key listed encrypts; all listed keys decrypt.
    return list(raw)[-1], keys


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    return base64.b64decode(settings.HASH_KEY)


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    kid, keys = _keys()
    nonce = os.urandom(12)
    sealed = keys[kid].encrypt(nonce, plain.encode(), kid.encode())
    return f"{kid}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    if not token:
        return ""
    kid, _, body = token.partition(":")
    blob = base64.b64decode(body)
    return _keys()[1][kid].decrypt(blob[:12], blob[12:], kid.encode()).decode()


def lookup_hash(plain: str) -> str:
    """Keyed hash for exact-match search; empty input gives an empty hash."""
    if not plain:
        return ""
    return hmac.new(_hash_key(), plain.encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    """138****5678: first three and last four digits."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
