"""Pure rules of 意见建议反馈 (no ORM): the answer deadline, overdue days, the reference
number, the public lookup check, the rate limit and the text limits. Table-tested at every
boundary in tests/test_rules.py.

Changzhi's reply to the 基本养老服务 plan asks to 及时公开基本养老服务信息 with a channel for
suggestions (issue 13 part 7). No national rule fixes the answer time for this channel; the
platform's default is 15 working days (the 《信访工作条例》 time for telling a petitioner
whether the matter is accepted, used here as the answer time; 待核实). The value is policy
data (models.ResponsePolicy): a region may shorten it, never lengthen it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from yanglao.core.workdays import NO_EXCEPTIONS, add_working_days

DEFAULT_WORKING_DAYS = 15
DEFAULT_DOCUMENT = "平台默认：15个工作日内答复（参照《信访工作条例》，待核实）"
MIN_WORKING_DAYS, MAX_WORKING_DAYS = 1, 60

# Reference numbers: FK + 8 characters of Crockford base 32 (no I, L, O, U: nothing to
# misread on the phone), about 40 bits, so guessing one is hopeless within the rate limit.
REF_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REF_PREFIX = "FK"
REF_LENGTH = 8

CONTENT_MIN, CONTENT_MAX = 5, 2000
NAME_MAX = 30
ANSWER_MAX = 2000

# At most this many submissions from one address in the window (an office or a school
# behind one NAT address still fits; a script does not).
RATE_LIMIT = 5
RATE_WINDOW_MINUTES = 60


@dataclass(frozen=True)
class PolicyRow:
    region: str | None  # 12-digit code of the level that set it, None = national
    working_days: int
    effective_from: date
    document_no: str = ""


def working_days_for(
    rows: Iterable[PolicyRow], chain: Collection[str | None], on: date
) -> tuple[int, str]:
    """(working days, 文号) in force on `on` for a region whose chain (None, province …,
    the region itself) is given: the newest row per level, then the shortest (a level may
    only be stricter than the one above)."""
    newest: dict[str | None, PolicyRow] = {}
    for r in rows:
        if r.region not in chain or r.effective_from > on:
            continue
        if r.region not in newest or r.effective_from > newest[r.region].effective_from:
            newest[r.region] = r
    days, doc = DEFAULT_WORKING_DAYS, DEFAULT_DOCUMENT
    if None in newest:
        days, doc = newest[None].working_days, newest[None].document_no or DEFAULT_DOCUMENT
    for region, r in newest.items():
        if region is not None and r.working_days < days:
            days, doc = r.working_days, r.document_no
    return days, doc


def answer_due(
    submitted_on: date, working_days: int, exceptions: Mapping[date, bool] = NO_EXCEPTIONS
) -> date:
    """The last day to answer: `working_days` working days after the day it arrived (the
    calendar's holidays and 调休上班 weekends in `exceptions`)."""
    return add_working_days(submitted_on, working_days, exceptions)


def overdue_days(due: date, answered_on: date | None, today: date) -> int:
    """Days past the due date: of the answer if given, else of today; 0 when on time."""
    return max(0, ((answered_on or today) - due).days)


def new_reference(today: date) -> str:
    body = "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))
    return f"{REF_PREFIX}{today:%y%m}{body}"


_REF_MAP = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def normalise_reference(raw: str) -> str:
    """What a person types back: full-width, lower case, spaces and dashes, O for 0."""
    out = []
    for ch in raw[:40].strip():
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        if ch.isascii() and ch.isalnum():
            out.append(ch.upper())
    text = "".join(out)
    if text.startswith(REF_PREFIX):
        text = REF_PREFIX + text[len(REF_PREFIX) :].translate(_REF_MAP)
    return text


def reference_ok(ref: str) -> bool:
    return bool(re.fullmatch(rf"{REF_PREFIX}\d{{4}}[{REF_ALPHABET}]{{{REF_LENGTH}}}", ref))


def last4(raw: str) -> str:
    """The last four digits a person typed (full-width accepted), else ''."""
    digits = "".join(
        chr(ord(c) - 0xFEE0) if 0xFF10 <= ord(c) <= 0xFF19 else c for c in raw[:20].strip()
    )
    return digits if len(digits) == 4 and digits.isascii() and digits.isdigit() else ""


def lookup_allowed(phone: str, typed_last4: str) -> bool:
    """A submission with a phone number answers only to its last four digits; one without
    answers to the reference number alone."""
    if not phone:
        return True
    return typed_last4 == phone[-4:]


def rate_limited(recent_from_address: int) -> bool:
    return recent_from_address >= RATE_LIMIT


_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")


def text_errors(label: str, text: str, low: int, high: int) -> list[str]:
    """Chinese reasons a free text is refused (length, nothing but symbols, private-use
    characters that no font shows)."""
    if len(text) < low:
        return [f"{label}至少{low}个字" if low > 1 else f"请填写{label}"]
    if len(text) > high:
        return [f"{label}不能超过{high}个字（现为{len(text):,}个字）"]
    if _PRIVATE_USE.search(text):
        return [f"{label}含有无法显示的字符，请删除后再提交"]
    return []
