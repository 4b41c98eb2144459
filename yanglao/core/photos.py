"""Photos taken on a phone and sent as data URLs (visit records, inspection evidence): size
and type checked by their first bytes, never by what the client says."""

from __future__ import annotations

import base64
import binascii

PHOTO_BYTES = 2 * 1024 * 1024
_PHOTO_MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png", b"RIFF": "image/webp"}


def photo_type(raw: bytes) -> str:
    """The content type of an uploaded photo; ValueError with a Chinese reason."""
    if len(raw) > PHOTO_BYTES:
        raise ValueError("每张照片不能超过2MB")
    for magic, ctype in _PHOTO_MAGIC.items():
        if raw.startswith(magic):
            return ctype
    raise ValueError("照片须为 JPEG、PNG 或 WebP 格式")


def decode_photo(data_url: str) -> tuple[bytes, str]:
    """'data:image/jpeg;base64,…' → (bytes, content type); ValueError with a Chinese reason."""
    try:
        _, b64 = data_url.split(",", 1)
        raw = base64.b64decode(b64, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise ValueError("照片数据无法读取") from exc
    return raw, photo_type(raw)
