"""Citizen ID numbers to GB 11643-1999 (公民身份号码).

18 characters: 6-digit address code (GB/T 2260 county where the number was issued), 8-digit
birth date YYYYMMDD, 3-digit sequence (odd = male, even = female), and an ISO 7064:1983
MOD 11-2 check character. Pure functions: no ORM, no settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from operator import mul

# GB 11643-1999 §8.2: weights Wi = 2^(18-i) mod 11 for positions 1..17.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index r = S mod 11

EARLIEST_BIRTH = date(1880, 1, 1)

# GB 11643 allows only 0-9 and X; full-width forms (what Chinese input methods type) and a
# lower-case x are the same characters. Every other script's digits (Arabic-Indic, Devanagari,
# mathematical bold…) are refused: Python's \d, isdigit() and int() would accept them and the
# same person would be registered again under a different lookup hash.
_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_SCIENTIFIC = re.compile(r"^[0-9](\.[0-9]+)?E\+?[0-9]+$")
NON_ASCII_MESSAGE = (
    "身份证号码只能使用数字0-9和X（全角数字会自动转换），不能含有其他文字的数字或符号"
)


# Spaces, zero-width characters pasted from web pages, and the apostrophe Excel users type
# to keep a number as text ('220102…).
_SPACES = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+|^['‘’`]")


def normalise(raw: str) -> str:
    """Strip spaces, convert full-width digits and upper-case a trailing x."""
    return _SPACES.sub("", (raw or "").strip()).translate(_FULLWIDTH).upper()


def check_char(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17:
        raise ValueError("need 17 digits")
    # map() keeps this at ~3 µs: an import checks a million numbers.
    total = sum(map(mul, map(int, first17), WEIGHTS))
    return CHECK_CHARS[total % 11]


def birth_date_of(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def sex_of(number: str) -> str:
    """'M' for an odd sequence digit (position 17), 'F' for an even one."""
    return "M" if int(number[16]) % 2 else "F"


def upgrade_15(old: str) -> str:
    """A legacy 15-digit number (YYMMDD, no check) as its 18-digit form, 19xx assumed."""
    first17 = old[:6] + "19" + old[6:15]
    return first17 + check_char(first17)


@dataclass
class IdCheck:
    """Outcome of validating one number: errors reject it, warnings do not."""

    number: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    birth_date: date | None = None
    sex: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(
    raw: str,
    *,
    today: date,
    known_prefix: Callable[[str], bool] | None = None,
    birth_date: date | None = None,
    sex: str | None = None,
) -> IdCheck:
    """Validate a number; optionally check it against the entered birth date and sex.

    An unknown address code is a warning, not an error: the code is never updated when the
    person moves or the county is renamed (GB 11643 §6.1), so retired codes live on.
    """
    number = normalise(raw)
    result = IdCheck(number=number)
    if not number.isascii():
        result.errors.append(NON_ASCII_MESSAGE)
        return result
    if _SCIENTIFIC.match(number):
        result.errors.append("身份证号码被表格软件写成了科学计数法，请把该列设为文本后重新填写")
        return result
    if len(number) == 15 and number.isdecimal() and number.isascii():
        result.errors.append("这是15位旧身份证号码，请填写18位号码")
        return result
    if len(number) != 18:
        result.errors.append(f"身份证号码应为18位，现为{len(number)}位")
        return result
    if not _SHAPE.match(number):
        result.errors.append("身份证号码前17位应为数字，最后一位为数字或X")
        return result
    born = birth_date_of(number)
    if born is None:
        result.errors.append("身份证号码中的出生日期不存在")
        return result
    if born > today:
        result.errors.append("身份证号码中的出生日期晚于今天")
        return result
    if born < EARLIEST_BIRTH:
        result.errors.append("身份证号码中的出生日期早于1880年，不合理")
        return result
    expected = check_char(number[:17])
    if number[17] != expected:
        if number.endswith("000") or number.endswith("00"):
            # Excel keeps 15 significant digits: an 18-digit number typed as a number loses
            # its last three, which come back as zeros.
            result.errors.append(
                "身份证号码校验位不正确；末尾为0，可能是表格软件把号码当作数字截断了，请把该列设为文本"
            )
        else:
            result.errors.append("身份证号码校验位不正确，请核对是否录错")
        return result
    result.birth_date = born
    result.sex = sex_of(number)
    if birth_date is not None and birth_date != born:
        result.errors.append(
            f"出生日期与身份证号码不一致（号码中为{born.year}年{born.month}月{born.day}日）"
        )
    if sex is not None and sex != result.sex:
        result.errors.append(
            "性别与身份证号码不一致（号码中为{}）".format("男" if result.sex == "M" else "女")
        )
    if known_prefix is not None and not known_prefix(number[:6]):
        result.warnings.append(
            f"身份证号码前6位地址码 {number[:6]} 不在现行或历史区划代码中，请核对"
        )
    return result


def mask(number: str) -> str:
    """220102********123X: the address code and the last four stay visible."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
