"""Pure rules of the institution register (no ORM): credit codes, the filing deadline, bed
shares. Table-tested at every boundary in tests/test_rules.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from yanglao.core.workdays import NO_EXCEPTIONS, add_working_days

# GB 32100-2015 统一社会信用代码: 18 characters from 31 (no I, O, Z, S, V); the last is a check
# character over the first 17 with these weights (mod 31).
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# 登记管理部门代码 (first character) of the authorities that register 养老机构: 1 机构编制
# (公办事业单位), 5 民政 (民办非企业/社会服务机构), 9 工商/市场监管 (营利性企业), Y 其他.
CREDIT_AUTHORITIES = {
    "1": "机构编制部门",
    "5": "民政部门",
    "9": "市场监督管理部门",
    "Y": "其他",
}


def normalise_credit_code(raw: str) -> str:
    """Upper-case, full-width → ASCII, spaces removed (what offices type)."""
    out = []
    for ch in raw.strip():
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII block
            ch = chr(code - 0xFEE0)
        if not ch.isspace():
            out.append(ch.upper())
    return "".join(out)


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def credit_code_errors(code: str) -> list[str]:
    """Chinese reasons why `code` (already normalised) is not a valid 统一社会信用代码."""
    if len(code) != 18:
        return [f"统一社会信用代码应为18位，现为{len(code)}位"]
    bad = sorted({c for c in code if c not in CREDIT_CHARSET})
    if bad:
        return [f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用I、O、Z、S、V）"]
    if code[0] not in CREDIT_AUTHORITIES:
        return ["统一社会信用代码第1位（登记管理部门代码）不是养老机构的登记部门"]
    if not code[2:8].isdigit():
        return ["统一社会信用代码第3至8位应为登记管理机关的行政区划代码"]
    if credit_check_char(code[:17]) != code[17]:
        return ["统一社会信用代码校验位不正确，请核对"]
    return []


# 养老机构管理办法 (民政部令第66号) art. 9 and local rules [S 随州 2021]: a home files within 10
# working days after admitting its first resident. Working days are Monday–Friday except the
# calendar's exceptions (core.CalendarDay: public holidays and 调休上班 weekends, from the State
# Council's yearly notice), passed in as `exceptions` (core.calendar.exceptions_from).
FILING_WORKING_DAYS = 10


def filing_due(first_admission: date, exceptions: Mapping[date, bool] = NO_EXCEPTIONS) -> date:
    return add_working_days(first_admission, FILING_WORKING_DAYS, exceptions)


@dataclass(frozen=True)
class Beds:
    total: int
    nursing: int  # 护理型床位
    dementia: int  # 失智照护床位
    daycare: int = 0  # 日托床位 (not part of `total`)


def bed_errors(b: Beds) -> list[str]:
    if min(b.total, b.nursing, b.dementia, b.daycare) < 0:
        return ["床位数不能为负数"]
    errors = []
    if b.nursing > b.total:
        errors.append("护理型床位数不能超过总床位数")
    if b.dementia > b.total:
        errors.append("失智照护床位数不能超过总床位数")
    return errors


def share(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal (None when whole is 0)."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# 长春 plan §19: 护理型床位 ≥ 60% in public homes by end-2025.
NURSING_SHARE_TARGET = Decimal(60)


def meets_nursing_target(b: Beds) -> bool | None:
    s = share(b.nursing, b.total)
    return None if s is None else s >= NURSING_SHARE_TARGET
