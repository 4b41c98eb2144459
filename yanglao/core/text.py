"""Text from users, cleaned of characters that are never meant (issue 15, hostile input).

NUL (PostgreSQL refuses it in text: a raw 500), the other C0/C1 control characters except
tab and line breaks, and the bidirectional overrides and isolates U+202A–U+202E,
U+2066–U+2069 (they make `exe.pdf` display as `fdp.exe` and reorder an ID number on screen).
Pure functions.
"""

from __future__ import annotations

import re
from typing import Any

_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def has_unwanted(text: str) -> bool:
    return _UNWANTED.search(text) is not None


def clean_text(text: str) -> str:
    return _UNWANTED.sub("", text)


def clean_json(value: Any) -> Any:
    """Every string (keys too) inside a decoded JSON value, cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): clean_json(v) for k, v in value.items()}
    return value
