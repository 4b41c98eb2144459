"""The ledger's search box: what the user typed → which kind of search (pure, no ORM).

Kinds (README "查找老年人"):

* 姓名 (NAME): Han characters (and ·): any part of a name — 丽英 finds 王丽英.
* 拼音首字母 (INITIALS): 2–10 Latin letters: the first letters of the name's pinyin — wly
  finds 王丽英 (every reading of a polyphonic character counts: 曾 is z or c).
* 完整身份证号码 (ID_FULL): 18 characters, through the keyed hash (`id_number_hash`).
* 完整电话号码 (PHONE_FULL): 7–13 digits, a mobile or a landline, through `phone_hash`.
* 身份证号或电话后几位 (TAIL): 4–6 digits (an ID's may end in X), only inside one township or
  village: through the blind tail index (`id_tail`, `phone_tail`; docs/security.md
  "号码后几位的盲索引"), then confirmed on the decrypted candidates.

Derived columns the writers keep (`Person.search_keys`, `id_tail`, `phone_tail`) are built
here, so services, `people.bulk` and the generator build them the same way.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from yanglao.core import idnumber


class Kind(StrEnum):
    NONE = "none"
    NAME = "name"
    INITIALS = "initials"
    ID_FULL = "id_full"
    PHONE_FULL = "phone_full"
    TAIL = "tail"
    INVALID = "invalid"


KIND_LABELS = {
    Kind.NAME: "姓名",
    Kind.INITIALS: "姓名拼音首字母",
    Kind.ID_FULL: "完整身份证号码",
    Kind.PHONE_FULL: "完整电话号码",
    Kind.TAIL: "身份证号或电话后几位",
}

HELP = (
    "可输入：姓名的任意部分（如“丽英”）；姓名拼音首字母（如“wly”）；完整身份证号码；"
    "完整电话号码；身份证号或电话的后4至6位（需先选到乡镇或村）。"
)
TAIL_NEEDS_TOWNSHIP = "按身份证号或电话后几位查找，需先在“区划”中选到乡镇（街道）或村（社区）。"

NAME_MAX = 20
INITIALS_MIN, INITIALS_MAX = 2, 10
TAIL_MIN, TAIL_MAX = 4, 6
TAIL_INDEX_LEN = 4  # the blind index covers the last four characters
INITIALS_MARK = "~"  # initials tokens in search_keys: "~wly" (no Han token starts with it)
MAX_INITIAL_COMBOS = 8  # polyphonic characters: at most this many spellings per name

_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\U00031350-\U000323af"
_NAME = re.compile(rf"^[{_HAN}\u00b7]+$")
_LETTERS = re.compile(r"^[a-z]+$")
_DIGITS = re.compile(r"^[0-9]+$")
_TAIL = re.compile(rf"^(?:[0-9]{{{TAIL_MIN},{TAIL_MAX}}}|[0-9]{{{TAIL_MIN - 1},{TAIL_MAX - 1}}}X)$")
_ID = re.compile(r"^[0-9]{17}[0-9X]$")
# Spaces, zero-width characters, the separators people type in numbers and names.
_DROP = re.compile(r"[\s\u200b\u200c\u200d\ufeff\-()（）'‘’`]+")
_DOTS = str.maketrans({"•": "·", "・": "·", "．": "·", ".": "·"})


@dataclass(frozen=True)
class Search:
    kind: Kind
    value: str = ""  # normalised: the name, lower-case letters, the digits
    message: str = ""  # for INVALID: what to type instead

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, "")


def parse(raw: str) -> Search:
    """Classify what was typed into the search box. Never raises."""
    text = unicodedata.normalize("NFKC", raw or "")
    if any(unicodedata.category(ch) == "Cc" and not ch.isspace() for ch in text):
        return Search(Kind.INVALID, message="查找内容含有不可见的控制字符，请重新输入。")
    text = _DROP.sub("", text)
    if not text:
        return Search(Kind.NONE)
    upper = text.upper()
    if upper.startswith("+86"):
        upper = upper[3:]
    if _ID.match(upper):
        return Search(Kind.ID_FULL, upper)
    if _TAIL.match(upper):
        return Search(Kind.TAIL, upper)
    if _DIGITS.match(upper):
        if 7 <= len(upper) <= 13:
            if upper.startswith("86") and len(upper) == 13:
                upper = upper[2:]
            return Search(Kind.PHONE_FULL, upper)
        return Search(
            Kind.INVALID,
            message=(
                f"输入了{len(upper)}位数字：完整身份证号码为18位，电话号码为7至13位，"
                "按后几位查找请输入4至6位。"
            ),
        )
    name = text.translate(_DOTS)
    if _NAME.match(name):
        if len(name) > NAME_MAX:
            return Search(Kind.INVALID, message=f"姓名最多{NAME_MAX}个字。")
        return Search(Kind.NAME, name)
    lower = text.lower()
    if _LETTERS.match(lower):
        if not INITIALS_MIN <= len(lower) <= INITIALS_MAX:
            return Search(
                Kind.INVALID,
                message=f"拼音首字母请输入{INITIALS_MIN}至{INITIALS_MAX}个字母，如“wly”。",
            )
        return Search(Kind.INITIALS, lower)
    return Search(
        Kind.INVALID,
        message="无法识别的查找内容：请只输入姓名（汉字）、拼音首字母（字母）或号码（数字）。",
    )


# -- derived columns -------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _initials_of_char(ch: str) -> tuple[str, ...]:
    """Every first letter the character's pinyin readings can start with ("" if none)."""
    if ch.isascii():
        return (ch.lower(),) if ch.isalpha() else ("",)
    from pypinyin import Style, pinyin

    readings = pinyin(ch, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    letters = sorted({r[:1].lower() for r in readings[0] if r[:1].isalpha()}) if readings else []
    return tuple(letters) or ("",)


def initials(name: str) -> list[str]:
    """The pinyin initials a name can be spelt with, the default reading first: 王丽英 →
    ["wly"]; 曾丽 → ["zl", "cl"] (at most MAX_INITIAL_COMBOS)."""
    per_char = [_initials_of_char(ch) for ch in name if ch != "·"]
    out: list[str] = []
    for combo in itertools.islice(itertools.product(*per_char), MAX_INITIAL_COMBOS):
        spelt = "".join(combo)
        if spelt and spelt not in out:
            out.append(spelt)
    return out


def name_grams(text: str) -> list[str]:
    """The characters and adjacent pairs of a name (what a GIN index can intersect)."""
    chars = [ch for ch in text if ch != "·"]
    singles = list(dict.fromkeys(chars))
    pairs = list(dict.fromkeys(a + b for a, b in itertools.pairwise(chars)))
    return singles + pairs


@lru_cache(maxsize=200_000)
def search_keys(name: str) -> str:
    """Person.search_keys: space-separated tokens with a space at both ends (so LIKE '% t %'
    matches one whole token on SQLite): the name's characters and pairs, then its initials
    and their first two letters, marked with INITIALS_MARK."""
    tokens = name_grams(name)
    for spelt in initials(name):
        for t in (spelt[:2], spelt):
            if len(t) >= INITIALS_MIN and INITIALS_MARK + t not in tokens:
                tokens.append(INITIALS_MARK + t)
    return " " + " ".join(tokens) + " " if tokens else ""


def query_tokens(s: Search) -> list[str]:
    """The search_keys tokens every match must hold (NAME and INITIALS searches)."""
    if s.kind == Kind.NAME:
        chars = s.value.replace("·", "")
        return [chars] if len(chars) == 1 else name_grams(chars)[len(set(chars)) :]
    if s.kind == Kind.INITIALS:
        return [INITIALS_MARK + s.value]
    return []


def tail_of(value: str) -> str:
    """The last TAIL_INDEX_LEN characters of an ID or phone number ("" if shorter)."""
    return value[-TAIL_INDEX_LEN:] if len(value) >= TAIL_INDEX_LEN else ""


TAIL_BITS = 10  # 1,024 buckets: each holds about ten of the 10,000 possible tails


def tail_bucket(tail: str, keyed_hash: Callable[[str], str]) -> int | None:
    """The blind index of a number's last four characters: TAIL_BITS bits of a keyed hash
    (docs/security.md). Many tails share a bucket, so the column alone cannot tell a tail."""
    if len(tail) != TAIL_INDEX_LEN:
        return None
    digest = keyed_hash(f"tail:{tail}")
    return int(digest[:4], 16) >> (16 - TAIL_BITS)


def normalised_id_tail(id_number: str) -> str:
    return tail_of(idnumber.normalise(id_number))


def unique(values: Iterable[int | None]) -> list[int]:
    return sorted({v for v in values if v is not None})
