"""The ledger's columns as counties' spreadsheets name them, and how cell text is read (no ORM).

One catalogue serves both directions: the export writes the canonical headers, the import
recognises them and the variants real ledgers use, so an exported list can be corrected in
Excel and uploaded again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from yanglao.people.choices import (
    ETHNICITIES,
    SYSTEM_CATEGORIES,
    Category,
    Education,
    IncomeSource,
    LivingArrangement,
    MaritalStatus,
    MedicalPayment,
    Relation,
    Sex,
)


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # canonical Chinese header (export and template)
    aliases: tuple[str, ...] = ()
    required: bool = False


IGNORE = "ignore"

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("老人姓名", "老年人姓名", "姓 名"), required=True),
    Column(
        "id_number",
        "身份证号码",
        ("身份证号", "身份证", "公民身份号码", "证件号码", "身份证件号码"),
        required=True,
    ),
    Column("sex", "性别", ("性 别",)),
    Column("birth_date", "出生日期", ("出生年月日", "出生年月", "生日")),
    Column("ethnicity", "民族"),
    Column(
        "village_code", "区划代码", ("村（社区）代码", "村居代码", "统计用区划代码", "行政区划代码")
    ),
    Column(
        "village_name",
        "村（社区）",
        (
            "居住村（社区）",
            "所属村（社区）",
            "村（居）委会",
            "社区（村）",
            "村居",
            "社区",
            "村",
            "所在村",
        ),
    ),
    Column("township_name", "乡镇（街道）", ("乡镇", "街道", "所属乡镇（街道）", "乡镇街道")),
    Column("address", "详细住址", ("住址", "家庭住址", "现住址", "居住地址", "地址")),
    Column("phone", "联系电话", ("电话", "手机", "手机号", "手机号码", "本人电话")),
    Column("household_no", "户号"),
    Column("education", "文化程度", ("学历",)),
    Column("marital_status", "婚姻状况", ("婚姻",)),
    Column("living_arrangement", "居住情况", ("居住状况", "居住方式")),
    Column("medical_payment", "医疗费用支付方式", ("医疗保障", "医保类型")),
    Column("income_sources", "经济来源", ("主要经济来源", "收入来源")),
    Column("categories", "人员类别", ("类别", "老人类别", "特殊困难类别", "困难类别")),
    Column(
        "contact1_name", "紧急联系人姓名", ("紧急联系人", "联系人姓名", "联系人", "紧急联系人1姓名")
    ),
    Column("contact1_relation", "紧急联系人关系", ("与老人关系", "紧急联系人1关系", "关系")),
    Column("contact1_phone", "紧急联系人电话", ("紧急联系电话", "联系人电话", "紧急联系人1电话")),
    Column("contact2_name", "紧急联系人2姓名"),
    Column("contact2_relation", "紧急联系人2关系"),
    Column("contact2_phone", "紧急联系人2电话"),
)
BY_KEY = {c.key: c for c in COLUMNS}
# Columns some ledgers carry that the platform derives or does not keep.
IGNORED_HEADERS = ("序号", "编号", "年龄", "备注", "状态", "周岁", "错误原因", "原行号", "失能等级")


_BLANKS = re.compile(r"[\s\u3000]+")


def _norm(text: str) -> str:
    """Header text without spaces, line breaks, brackets' width or a trailing colon/asterisk."""
    if not text:
        return ""
    t = _BLANKS.sub("", text) if not text.isalnum() else text
    return t.replace("(", "（").replace(")", "）").rstrip("*：:")


_ALIASES: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.header, *_c.aliases):
        _ALIASES.setdefault(_norm(_name), _c.key)


def guess(header: str) -> str:
    """The field a header stands for, `ignore`, or '' when unknown."""
    n = _norm(header)
    if n in _ALIASES:
        return _ALIASES[n]
    if n in {_norm(h) for h in IGNORED_HEADERS}:
        return IGNORE
    return ""


def guess_mapping(headers: Sequence[str]) -> dict[int, str]:
    """Column index → field; a field claimed twice keeps its first column."""
    out: dict[int, str] = {}
    taken: set[str] = set()
    for i, h in enumerate(headers):
        key = guess(h)
        if key and key != IGNORE and key in taken:
            key = ""
        if key:
            out[i] = key
            taken.add(key)
    return out


def mapping_problems(mapping: dict[int, str]) -> list[str]:
    """What makes a mapping unusable, in Chinese (empty list when usable)."""
    problems = []
    keys = [k for k in mapping.values() if k and k != IGNORE]
    for c in COLUMNS:
        if c.required and c.key not in keys:
            problems.append(f"缺少必需的列：{c.header}")
    if "village_code" not in keys and "village_name" not in keys:
        problems.append("需要“区划代码”或“村（社区）”列之一，用来确定老人所在的村（社区）")
    dup = sorted({k for k in keys if keys.count(k) > 1})
    for k in dup:
        problems.append(f"“{BY_KEY[k].header}”对应了多列，请只保留一列")
    return problems


# -- header detection ---------------------------------------------------------------------

_SUB_HEADERS = {"姓名", "关系", "电话", "联系电话", "与老人关系", "手机", "手机号码"}


@dataclass
class Header:
    row: int  # 0-based index of the (last) header row
    titles: list[str]


def find_header(
    rows: Sequence[Sequence[str]],
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (),
    scan: int = 10,
) -> Header | None:
    """The header among the first rows: the row naming most known columns (title rows above
    it are skipped). A second row of sub-headers under merged cells ("紧急联系人" over
    "姓名 / 电话") is folded into one title per column ("紧急联系人姓名")."""
    best, best_score = -1, 1
    for i, row in enumerate(rows[:scan]):
        score = sum(1 for cell in row if guess(cell) not in ("", IGNORE))
        if score > best_score:
            best, best_score = i, score
    if best < 0:
        return None
    titles = [_norm(c) for c in rows[best]]
    nxt = [_norm(c) for c in rows[best + 1]] if best + 1 < len(rows) else []
    filled = [c for c in nxt if c]
    if filled and all(c in _SUB_HEADERS for c in filled):
        width = max(len(titles), len(nxt))
        titles += [""] * (width - len(titles))
        # Merged parents: calamine puts the text in the first cell only; fill to the right.
        spans = {c0: c1 for (r0, c0), (_r1, c1) in merged if r0 == best}
        parent, last = "", -1
        for col in range(width):
            sub = nxt[col] if col < len(nxt) else ""
            if titles[col]:
                parent = titles[col]
                # xlsx: fill only across the merged span; csv has no spans, so a blank
                # header cell with a sub-header under it belongs to the parent on its left.
                last = spans.get(col, col) if merged else width
            elif parent and col <= last and sub:
                titles[col] = parent
            if sub and titles[col] and titles[col] != sub:
                titles[col] = titles[col] + sub
        return Header(row=best + 1, titles=titles)
    return Header(row=best, titles=titles)


# -- cell values --------------------------------------------------------------------------

_FULL = str.maketrans("０１２３４５６７８９．－／", "0123456789.-/")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (with Excel's 1900 leap-year bug)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


class CellError(ValueError):
    """A cell that cannot be read; the message is for the user."""


def parse_date(text: str) -> date | None:
    """Dates as ledgers hold them: ISO, 1950/3/5, 1950.3.5, 1950年3月5日, 19500305, and
    Excel serial numbers (a date cell saved as a number). Empty → None."""
    t = re.sub(r"[ T]\d{1,2}:\d{2}(:\d{2})?$", "", (text or "").translate(_FULL).strip())
    t = re.sub(r"[\s\u3000]+", "", t)
    if not t:
        return None
    for pattern in _DATE_PATTERNS:
        m = pattern.match(t)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                raise CellError(f"日期“{text}”不存在") from None
    if re.fullmatch(r"\d{4,5}(\.0+)?", t):
        serial = int(float(t))
        if 1 <= serial <= 60_000:
            return _EXCEL_EPOCH + timedelta(days=serial)
    if re.fullmatch(r"\d{4}[-/.年]\d{1,2}月?", t):
        raise CellError(f"日期“{text}”缺少日，请填写完整的出生日期")
    raise CellError(f"无法识别的日期“{text}”，请写成 1950-03-05 或 1950年3月5日")


_SEX = {"男": Sex.MALE, "男性": Sex.MALE, "m": Sex.MALE, "1": Sex.MALE}
_SEX |= {"女": Sex.FEMALE, "女性": Sex.FEMALE, "f": Sex.FEMALE, "2": Sex.FEMALE}


def parse_sex(text: str) -> str:
    """GB/T 2261.1: 1 男, 2 女; also the words."""
    t = _norm(text).lower()
    if not t:
        return ""
    if t in _SEX:
        return str(_SEX[t])
    raise CellError(f"性别“{text}”无法识别，请填写“男”或“女”")


_ETHNICITY = {name: code for code, name in ETHNICITIES}
_ETHNICITY |= {name.removesuffix("族"): code for code, name in ETHNICITIES if name.endswith("族")}
_ETHNICITY |= {code: code for code, _ in ETHNICITIES} | {
    str(int(code)): code for code, _ in ETHNICITIES
}


def parse_ethnicity(text: str) -> str:
    t = _norm(text)
    if not t:
        return ""
    if t in _ETHNICITY:
        return _ETHNICITY[t]
    raise CellError(f"民族“{text}”无法识别，请填写如“汉族”“朝鲜族”或 GB/T 3304 代码")


def _labels(choices: type, extra: dict[str, str] | None = None) -> dict[str, str]:
    out = {_norm(str(label)): str(value) for value, label in choices.choices}  # type: ignore[attr-defined]
    return out | {_norm(k): v for k, v in (extra or {}).items()}


_EDUCATION = _labels(
    Education,
    {"不识字": "illiterate", "初中及以下": "junior", "高中": "senior", "中专": "senior",
     "技校": "senior", "大专": "college", "本科": "college", "研究生": "college",
     "大学": "college", "大学及以上": "college"},
)  # fmt: skip
_MARITAL = _labels(
    MaritalStatus,
    {"有配偶": "married", "初婚": "married", "再婚": "married", "复婚": "married",
     "离异": "divorced", "丧偶独居": "widowed"},
)  # fmt: skip
_LIVING = _labels(
    LivingArrangement,
    {"与配偶同住": "spouse", "与配偶": "spouse", "与子女同住": "children", "与子女": "children",
     "入住养老机构": "institution", "机构": "institution"},
)  # fmt: skip
_MEDICAL = _labels(
    MedicalPayment, {"职工医保": "employee_insurance", "居民医保": "resident_insurance",
                     "新农合": "resident_insurance"},
)  # fmt: skip
_INCOME = _labels(IncomeSource, {"养老金": "pension", "退休金": "pension", "储蓄": "savings"})
_CATEGORY = _labels(Category, {"计生特殊家庭": "bereaved_family", "失独": "bereaved_family"})
_RELATION = _labels(
    Relation,
    {"老伴": "spouse", "妻子": "spouse", "丈夫": "spouse", "夫妻": "spouse", "儿子": "child",
     "女儿": "child", "儿女": "child", "子": "child", "女": "child", "长子": "child",
     "次子": "child", "长女": "child", "次女": "child", "儿媳": "relative", "女婿": "relative",
     "孙子": "relative", "孙女": "relative", "外孙": "relative", "外孙女": "relative",
     "侄子": "relative", "侄女": "relative", "兄弟": "relative", "姐妹": "relative",
     "亲属": "relative", "护工": "caregiver", "保姆": "caregiver", "村干部": "committee",
     "社区工作人员": "committee", "邻居": "other", "朋友": "other"},
)  # fmt: skip


def _one(table: dict[str, str], text: str, label: str) -> str:
    t = _norm(text)
    if not t:
        return ""
    if t in table:
        return table[t]
    raise CellError(f"{label}“{text}”不是可选项")


def parse_education(text: str) -> str:
    return _one(_EDUCATION, text, "文化程度")


def parse_marital(text: str) -> str:
    return _one(_MARITAL, text, "婚姻状况")


def parse_relation(text: str) -> str:
    return _one(_RELATION, text, "关系")


_SPLIT = re.compile(r"[、,，;；/|\s]+")


def _many(table: dict[str, str], text: str, label: str) -> list[str]:
    out: list[str] = []
    bad: list[str] = []
    for part in _SPLIT.split(text or ""):
        p = _norm(part)
        if not p:
            continue
        if p in table:
            if table[p] not in out:
                out.append(table[p])
        else:
            bad.append(part)
    if bad:
        raise CellError(f"{label}中“{'、'.join(bad)}”不是可选项")
    return sorted(out)


def parse_living(text: str) -> list[str]:
    return _many(_LIVING, text, "居住情况")


def parse_medical(text: str) -> list[str]:
    return _many(_MEDICAL, text, "医疗费用支付方式")


def parse_income(text: str) -> list[str]:
    return _many(_INCOME, text, "经济来源")


def parse_categories(text: str) -> list[str]:
    """Category tags to add. 高龄 is derived from the birth date and skipped; 失能 comes
    only from an ability assessment (GB/T 42195-2022) and is refused."""
    cleaned = " ".join(p for p in _SPLIT.split(text or "") if _norm(p) not in {"高龄", "无", "-"})
    values = _many(_CATEGORY, cleaned, "人员类别")
    system = [v for v in values if v in SYSTEM_CATEGORIES]
    if system:
        raise CellError("“失能”由能力评估确定，不能通过导入登记")
    return values


def parse_village_code(text: str) -> str:
    t = re.sub(r"[\s\u3000]+", "", (text or "").translate(_FULL))
    if not t:
        return ""
    if re.fullmatch(r"\d+(\.\d+)?E\+\d+", t, re.IGNORECASE):
        raise CellError("区划代码被表格软件写成了科学计数法，请把该列设为文本后重新填写")
    if not t.isdigit() or len(t) != 12:
        raise CellError(f"区划代码应为12位数字，现为“{text}”")
    return t
