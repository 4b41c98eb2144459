"""core.crypto: AES-256-GCM and SM4-GCM ciphertexts under key ids, HMAC-SHA256 and HMAC-SM3."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from yanglao.core import crypto


def _b64(n: int) -> str:
    return base64.b64encode(os.urandom(n)).decode()


@pytest.fixture
def keys(settings):
    def use(data_keys: dict, lookup: str = crypto.HMAC_SHA256, previous: str | None = None):
        settings.DATA_KEYS = json.dumps(data_keys)
        settings.LOOKUP_HASH = lookup
        settings.LOOKUP_HASH_PREVIOUS = previous
        crypto.clear_caches()

    yield use
    crypto.clear_caches()


@pytest.mark.parametrize(
    ("entry", "alg"),
    [
        (lambda: _b64(32), crypto.AES_256_GCM),  # the original form: a bare AES key
        (lambda: {"alg": "aes-256-gcm", "key": _b64(32)}, crypto.AES_256_GCM),
        (lambda: {"alg": "sm4-gcm", "key": _b64(16)}, crypto.SM4_GCM),
    ],
)
def test_round_trip_and_key_id(keys, entry, alg: str) -> None:
    keys({"k7": entry()})
    assert crypto.parse_keys(json.dumps({"k7": entry()}))["k7"].alg == alg
    for plain in ("220102194503150025", "13812345678", "𠀀王〇", "x" * 5000):
        token = crypto.encrypt(plain)
        assert token.startswith("k7:") and plain not in token
        assert crypto.decrypt(token) == plain
        assert crypto.encrypt(plain) != token  # a fresh nonce each time


@pytest.mark.parametrize("alg", [crypto.AES_256_GCM, crypto.SM4_GCM])
def test_tampering_and_a_swapped_key_id_are_refused(keys, alg: str) -> None:
    size = crypto.CIPHERS[alg]
    key = _b64(size)
    keys({"a": {"alg": alg, "key": key}, "b": {"alg": alg, "key": key}})
    token = crypto.encrypt("220102194503150025")
    assert token.startswith("b:")
    with pytest.raises(Exception):  # noqa: B017 -- InvalidTag from either cipher
        crypto.decrypt("a:" + token[2:])  # the key id is authenticated data
    blob = bytearray(base64.b64decode(token[2:]))
    blob[-1] ^= 1
    with pytest.raises(Exception):  # noqa: B017
        crypto.decrypt("b:" + base64.b64encode(bytes(blob)).decode())


def test_during_rotation_both_keys_decrypt_and_the_last_encrypts(keys) -> None:
    k1 = _b64(32)
    keys({"k1": k1})
    old = crypto.encrypt("13812345678")
    keys({"k1": k1, "k2": {"alg": "sm4-gcm", "key": _b64(16)}})
    assert crypto.decrypt(old) == "13812345678"
    new = crypto.reencrypt(old)
    assert new.startswith("k2:") and crypto.decrypt(new) == "13812345678"
    assert crypto.reencrypt(new) == new


@pytest.mark.parametrize(
    ("data_keys", "message"),
    [
        ({}, "至少包含一个密钥"),
        ({"k1": _b64(16)}, "应为 32 字节"),
        ({"k1": {"alg": "sm4-gcm", "key": _b64(32)}}, "应为 16 字节"),
        ({"k1": {"alg": "des", "key": _b64(8)}}, "不受支持"),
        ({"k:1": _b64(32)}, "冒号"),
    ],
)
def test_bad_key_configuration_is_refused(data_keys: dict, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.parse_keys(json.dumps(data_keys))


def test_sm3_standard_vector_and_hmac_sm3_agrees_with_hashlib(keys, settings) -> None:
    from cryptography.hazmat.primitives import hashes

    h = hashes.Hash(hashes.SM3())
    h.update(b"abc")  # GB/T 32905-2016 example 1
    assert h.finalize().hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    keys({"k1": _b64(32)}, lookup=crypto.HMAC_SM3)
    key = base64.b64decode(settings.HASH_KEY)
    value = crypto.lookup_hash("220102194503150025")
    if "sm3" in hashlib.algorithms_available:
        expected = hmac.new(key, b"220102194503150025", lambda: hashlib.new("sm3")).hexdigest()
        assert value == expected
    assert len(value) == 64 and value != crypto.keyed_hash("220102194503150025", "hmac-sha256")


def test_lookup_hashes_during_a_rehash(keys) -> None:
    keys({"k1": _b64(32)}, lookup=crypto.HMAC_SM3, previous=crypto.HMAC_SHA256)
    both = crypto.lookup_hashes("13812345678")
    assert both == [
        crypto.keyed_hash("13812345678", crypto.HMAC_SM3),
        crypto.keyed_hash("13812345678", crypto.HMAC_SHA256),
    ]
    assert crypto.rehash_in_progress()
    keys({"k1": _b64(32)}, lookup=crypto.HMAC_SM3)
    assert len(crypto.lookup_hashes("13812345678")) == 1 and not crypto.rehash_in_progress()
    assert crypto.lookup_hashes("") == [""]


@pytest.mark.parametrize("alg", [crypto.HMAC_SHA256, crypto.HMAC_SM3])
def test_bulk_hashes_and_ciphertexts_are_the_single_ones(keys, alg: str) -> None:
    """lookup_hash_many / encrypt_many (imports, the generator) give what the one-value
    functions give: the same hashes, ciphertexts that decrypt to the value, empty for empty."""
    keys({"k1": _b64(32)}, lookup=alg)
    values = ["220102194803050021", "", "13912345678", "张桂兰"]
    assert crypto.lookup_hash_many(values) == [crypto.lookup_hash(v) for v in values]
    sealed = crypto.encrypt_many(values)
    assert [crypto.decrypt(c) for c in sealed] == values and sealed[1] == ""
