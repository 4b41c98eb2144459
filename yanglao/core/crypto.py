"""Field encryption for personal identifiers (DESIGN principle 3, PIPL art. 51; 密评).

Every ciphertext carries the id of the key that sealed it: `k1:<base64 nonce+ciphertext+tag>`,
with the key id as associated data. DATA_KEYS (JSON) lists the keys; the LAST one listed
encrypts, every listed key decrypts, so during a rotation (`yanglao keys_rotate`) rows under
the old key and rows under the new one are both readable. Each key names its cipher:

    {"k1": "<base64 32 bytes>"}                                   AES-256-GCM (the original form)
    {"k2": {"alg": "sm4-gcm", "key": "<base64 16 bytes>"}}        SM4-GCM (GB/T 32907, GB/T 17964)
    {"k3": {"alg": "aes-256-gcm", "key": "<base64 32 bytes>"}}

A keyed hash beside each value allows exact lookup without decrypting: HMAC-SHA256 or
HMAC-SM3 (GB/T 32905) by LOOKUP_HASH ("hmac-sha256" | "hmac-sm3"), under HASH_KEY. Changing
the hash means re-hashing every *_hash column: set LOOKUP_HASH_PREVIOUS to the old one while
`yanglao keys_rotate` runs, so lookups try both (`lookup_hashes`). SM4 and SM3 come from
`cryptography` (OpenSSL), no hand-written primitives.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

AES_256_GCM = "aes-256-gcm"
SM4_GCM = "sm4-gcm"
CIPHERS = {AES_256_GCM: 32, SM4_GCM: 16}  # algorithm -> key length in bytes
HMAC_SHA256 = "hmac-sha256"
HMAC_SM3 = "hmac-sm3"
HASHES = (HMAC_SHA256, HMAC_SM3)
_NONCE = 12
_TAG = 16


@dataclass(frozen=True)
class DataKey:
    kid: str
    alg: str
    key: bytes

    def seal(self, plain: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        if self.alg == AES_256_GCM:
            return nonce + AESGCM(self.key).encrypt(nonce, plain, self.kid.encode())
        enc = Cipher(algorithms.SM4(self.key), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(self.kid.encode())
        body = enc.update(plain) + enc.finalize()
        return nonce + body + enc.tag

    def open(self, blob: bytes) -> bytes:
        nonce, body = blob[:_NONCE], blob[_NONCE:]
        if self.alg == AES_256_GCM:
            return AESGCM(self.key).decrypt(nonce, body, self.kid.encode())
        dec = Cipher(algorithms.SM4(self.key), modes.GCM(nonce, body[-_TAG:])).decryptor()
        dec.authenticate_additional_data(self.kid.encode())
        return dec.update(body[:-_TAG]) + dec.finalize()


def parse_keys(raw_json: str) -> dict[str, DataKey]:
    """DATA_KEYS as {key id: DataKey}, in the order listed; refuses a malformed entry."""
    raw = json.loads(raw_json)
    if not isinstance(raw, dict) or not raw:
        raise ImproperlyConfigured("DATA_KEYS 应为 JSON 对象，至少包含一个密钥")
    out: dict[str, DataKey] = {}
    for kid, entry in raw.items():
        if ":" in kid or not kid:
            raise ImproperlyConfigured(f"密钥编号 {kid!r} 不能为空或含有冒号")
        alg, b64 = (
            (AES_256_GCM, entry) if isinstance(entry, str) else (entry.get("alg"), entry.get("key"))
        )
        if alg not in CIPHERS:
            raise ImproperlyConfigured(
                f"密钥 {kid} 的算法 {alg!r} 不受支持（{'、'.join(CIPHERS)}）"
            )
        key = base64.b64decode(b64 or "")
        if len(key) != CIPHERS[alg]:
            raise ImproperlyConfigured(
                f"密钥 {kid}（{alg}）应为 {CIPHERS[alg]} 字节，现为 {len(key)}"
            )
        out[kid] = DataKey(kid, alg, key)
    return out


@lru_cache(maxsize=1)
def _keys() -> tuple[str, dict[str, DataKey]]:
    keys = parse_keys(settings.DATA_KEYS)
    # The last key listed encrypts; all listed keys decrypt.
    return list(keys)[-1], keys


def active_key_id() -> str:
    return _keys()[0]


def key_id_of(token: str) -> str:
    return token.partition(":")[0] if token else ""


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    return base64.b64decode(settings.HASH_KEY)


def hash_algorithm() -> str:
    alg = getattr(settings, "LOOKUP_HASH", HMAC_SHA256) or HMAC_SHA256
    if alg not in HASHES:
        raise ImproperlyConfigured(f"LOOKUP_HASH {alg!r} 不受支持（{'、'.join(HASHES)}）")
    return str(alg)


def previous_hash_algorithm() -> str | None:
    """The hash being replaced while `keys_rotate` re-hashes (LOOKUP_HASH_PREVIOUS)."""
    alg = getattr(settings, "LOOKUP_HASH_PREVIOUS", None) or None
    if alg is not None and alg not in HASHES:
        raise ImproperlyConfigured(f"LOOKUP_HASH_PREVIOUS {alg!r} 不受支持")
    return alg if alg != hash_algorithm() else None


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    kid, keys = _keys()
    return f"{kid}:{base64.b64encode(keys[kid].seal(plain.encode())).decode()}"


def encrypt_many(values: Sequence[str]) -> list[str]:
    """encrypt() of each value (empty stays empty), for bulk writers: one cipher object and
    one draw of random nonces for the lot (AES-GCM), the same output format."""
    kid, keys = _keys()
    key = keys[kid]
    if key.alg != AES_256_GCM:
        return [encrypt(v) for v in values]
    # binascii.b2a_base64 is what base64.b64encode calls (without its wrapper per value).
    seal, aad, b64, prefix = AESGCM(key.key).encrypt, kid.encode(), binascii.b2a_base64, kid + ":"
    nonces = os.urandom(_NONCE * len(values))
    out: list[str] = []
    append = out.append
    for i, v in enumerate(values):
        if not v:
            append("")
            continue
        nonce = nonces[i * _NONCE : (i + 1) * _NONCE]
        append(prefix + b64(nonce + seal(nonce, v.encode(), aad), newline=False).decode())
    return out


def lookup_hash_many(values: Sequence[str]) -> list[str]:
    """lookup_hash() of each value, for bulk writers."""
    alg = hash_algorithm()
    if alg != HMAC_SHA256:
        return [keyed_hash(v, alg) for v in values]
    # hmac.digest: OpenSSL's one-shot HMAC, a third of the time of copying a keyed state.
    key, digest = _hash_key(), hmac.digest
    return [digest(key, v.encode(), "sha256").hex() if v else "" for v in values]


def decrypt(token: str) -> str:
    if not token:
        return ""
    kid, _, body = token.partition(":")
    return _keys()[1][kid].open(base64.b64decode(body)).decode()


def reencrypt(token: str) -> str:
    """The value under the active key (unchanged if it is already)."""
    if not token or key_id_of(token) == active_key_id():
        return token
    return encrypt(decrypt(token))


def keyed_hash(plain: str, alg: str) -> str:
    if not plain:
        return ""
    if alg == HMAC_SHA256:
        return hmac.new(_hash_key(), plain.encode(), hashlib.sha256).hexdigest()
    h = crypto_hmac.HMAC(_hash_key(), hashes.SM3())
    h.update(plain.encode())
    return h.finalize().hex()


def lookup_hash(plain: str) -> str:
    """Keyed hash for exact-match search; empty input gives an empty hash."""
    return keyed_hash(plain, hash_algorithm())


def lookup_hashes(plain: str) -> list[str]:
    """The hashes a stored row may carry for `plain`: the active one, and during a re-hash
    the previous one too (filter with `__in`)."""
    previous = previous_hash_algorithm()
    out = [lookup_hash(plain)]
    if previous is not None and plain:
        out.append(keyed_hash(plain, previous))
    return out


def rehash_in_progress() -> bool:
    return previous_hash_algorithm() is not None


def clear_caches() -> None:
    """After changing DATA_KEYS / HASH_KEY at run time (tests, the rotation command)."""
    _keys.cache_clear()
    _hash_key.cache_clear()


def mask_phone(phone: str) -> str:
    """138****5678: first three and last four digits."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
