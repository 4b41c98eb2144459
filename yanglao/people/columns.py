"""The ledger's columns as counties' spreadsheets name them, and how cell text is read (no ORM).

One catalogue serves both directions: the export writes the canonical headers, the import
recognises them and the variants real ledgers use, so an exported list can be corrected in
Excel and uploaded again.
"""

from __future__ import annotations

import re
import unicodedata
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
        (
            "身份证号",
            "身份证",
            "公民身份号码",
            "证件号码",
            "身份证件号码",
            "公民身份证号码",
            "居民身份证号码",
            "证件号",
        ),
        required=True,
    ),
    Column("sex", "性别", ("性 别",)),
    Column("birth_date", "出生日期", ("出生年月日", "出生年月", "生日", "出生时间")),
    Column("ethnicity", "民族", ("族别",)),
    Column(
        "village_code",
        "区划代码",
        (
            "村（社区）代码",
            "村居代码",
            "统计用区划代码",
            "行政区划代码",
            "村（社区）区划代码",
            "村级区划代码",
        ),
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
            "村委会",
            "居委会",
            "村（居）",
        ),
    ),
    Column(
        "township_name",
        "乡镇（街道）",
        (
            "乡镇",
            "街道",
            "所属乡镇（街道）",
            "乡镇街道",
            "街道（乡镇）",
            "镇（街道）",
            "乡（镇）",
            "镇",
            "乡",
            "镇街",
        ),
    ),
    Column(
        "address",
        "详细住址",
        (
            "住址",
            "家庭住址",
            "现住址",
            "居住地址",
            "地址",
            "详细地址",
            "家庭地址",
            "家庭详细住址",
            "居住地",
            "联系地址",
            "住所",
        ),
    ),
    Column(
        "phone",
        "联系电话",
        (
            "电话",
            "手机",
            "手机号",
            "手机号码",
            "本人电话",
            "联系方式",
            "移动电话",
            "固定电话",
            "座机",
            "家庭电话",
        ),
    ),
    Column("household_no", "户号", ("户编号", "家庭户号")),
    Column("education", "文化程度", ("学历", "文化水平", "受教育程度")),
    Column("marital_status", "婚姻状况", ("婚姻", "婚姻状态", "婚否")),
    Column("living_arrangement", "居住情况", ("居住状况", "居住方式", "居住状态", "居住类型")),
    Column(
        "medical_payment",
        "医疗费用支付方式",
        ("医疗保障", "医保类型", "医保类别", "医保", "医疗保险", "医疗保险类型", "参保类型"),
    ),
    Column("income_sources", "经济来源", ("主要经济来源", "收入来源", "生活来源", "主要生活来源")),
    Column(
        "categories",
        "人员类别",
        (
            "类别",
            "老人类别",
            "特殊困难类别",
            "困难类别",
            "老人类型",
            "人员类型",
            "对象类别",
            "困难类型",
            "特殊困难老年人类别",
        ),
    ),
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
IGNORED_HEADERS = ("序号", "编号", "年龄", "备注", "状态", "周岁", "错误原因", "原行号", "失能等级",
                   "No", "序", "实足年龄", "实际年龄")  # fmt: skip


_BLANKS = re.compile(r"[\s\u3000]+")


def _norm(text: str) -> str:
    """Cell text without spaces, line breaks, brackets' width or a trailing colon/asterisk
    (coded values, and header titles as shown and remembered)."""
    if not text:
        return ""
    t = _BLANKS.sub("", text) if not text.isalnum() else text
    return t.replace("(", "（").replace(")", "）").rstrip("*：:")


# -- header normalisation (docs/imports.md, "表头识别") ------------------------------------

# Brackets of any width and shape become ASCII parentheses (NFKC already folds （）［］｛｝).
_BRACKETS = str.maketrans("【〔〖[{〈《「『<】〕〗]}〉》」』>", "(" * 10 + ")" * 10)
# Alternatives written with a slash ("村/社区", "手机/电话"): kept as "/" for the split.
_ALTERNATIVES = str.maketrans("\\|、／", "////", "")
# Decoration: blanks and control or zero-width characters, required-column marks, colons,
# dashes, dots, underscores, quotes.
_DECORATION = re.compile(
    r"[\s\x00-\x1f\x7f\u200b-\u200d\ufeff*※★☆▲△◆●■✱#:;,，；_\-—–~.·•'\"“”‘’?？!！]+"
)
_ENUMERATOR = re.compile(r"^(\d{1,2}|[一二三四五六七八九十]{1,3})[、.)．]")
_CIRCLED = re.compile(r"^[\u2460-\u2473\u2776-\u2793]")  # ① … ⑳, ❶ … ➓ before NFKC
_GROUP = re.compile(r"\([^()]*\)")
# Words a header may be preceded (up to two) or followed (one) by without changing the field.
PREFIXES = ("服务对象", "实际居住", "老年人", "现居住", "居住", "所在", "所属", "现在", "常住", "本人",
            "老人", "现")  # fmt: skip
SUFFIXES = ("名称", "代码", "编码", "号码", "情况", "状况", "号", "名")
# "代码" after a field: only these fields are read from codes (GB/T 3304, GB/T 2261.1, the
# village's region code); any other "…代码" column is left unmapped.
_CODED = {"ethnicity": "ethnicity", "sex": "sex", "village_name": "village_code",
          "village_code": "village_code"}  # fmt: skip
# Household registration (户籍) is a different place from residence: "户籍地址" must never
# fill the residence address. No ledger field holds it yet, so such headers stay unmapped.
DISTINCT_WORDS = ("户籍", "户口", "籍贯", "原籍")
_CONTACT = re.compile(
    r"^(?:第(?P<n1>[12一二]))?(?P<who>紧急联系人|联系人|监护人|赡养人|家属|亲属)(?P<n2>[12一二])?"
    r"(?:信息)?(?P<what>姓名|名字|与老人关系|与本人关系|关系|联系电话|电话号码|电话|手机号码|手机号"
    r"|手机|联系方式)?$"
)
_CONTACT_PART = {"姓名": "name", "名字": "name", "关系": "relation", "与老人关系": "relation",
                 "与本人关系": "relation"}  # fmt: skip


MAX_HEADER = 64  # longer text in a header cell is a note or a title, never a column name


def normalize_header(text: str) -> str:
    """A header cell reduced to what identifies it: NFKC (full-width → half-width), lower
    case, brackets of any shape as '(' ')', slashes between alternatives as '/', and no
    blanks, line breaks, tabs, asterisks, colons, dots, dashes or leading "1、" numbering.
    Pure; "身份证号码（18位）" → "身份证号码(18位)", "*姓 名：" → "姓名"."""
    t = unicodedata.normalize("NFKC", _CIRCLED.sub("", (text or "").strip())).lower().strip()
    t = _ENUMERATOR.sub("", t).translate(_BRACKETS).translate(_ALTERNATIVES)
    t = _DECORATION.sub("", t)
    return t.replace("()", "")


def _base_forms(n: str) -> list[str]:
    """The header as written, with bracket words kept inline, and without the bracketed
    qualifiers ("身份证号码(18位)" → "身份证号码"); slashes dropped."""
    plain = n.replace("/", "")
    forms = [plain, plain.replace("(", "").replace(")", ""), _GROUP.sub("", n).replace("/", "")]
    return list(dict.fromkeys(f for f in forms if f))


def _affix_forms(form: str) -> list[tuple[str, str]]:
    """(form, suffix removed) with the known prefixes taken off one at a time, each with and
    without one known suffix: "现居住地址" → 居住地址; "村社区名称" → 村社区; "民族代码" → 民族."""
    stems, level = [form], [form]
    for _ in range(2):  # at most two prefixes ("老人" + "现居住"), every way, least taken first
        level = [
            c[len(p) :] for c in level for p in PREFIXES if c.startswith(p) and len(c) > len(p)
        ]
        stems += level
    stems = sorted(dict.fromkeys(stems), key=len, reverse=True)
    out: list[tuple[str, str]] = []
    for stem in stems:
        out.append((stem, ""))
        s = next((s for s in SUFFIXES if stem.endswith(s) and len(stem) > len(s)), None)
        if s:
            out.append((stem[: -len(s)], s))
    return out


def _contact(form: str) -> str:
    m = _CONTACT.match(form)
    if not m:
        return ""
    n = "2" if (m["n1"] or m["n2"] or "") in ("2", "二") else "1"
    return f"contact{n}_{_CONTACT_PART.get(m['what'] or '姓名', 'phone')}"


def _lookup(form: str, suffix: str) -> str:
    key = _ALIASES.get(form) or _contact(form)
    if key and suffix in ("代码", "编码"):
        return _CODED.get(key, "")
    return key


def _guess_normalized(n: str) -> str:
    forms = _base_forms(n)
    for form in forms:
        if form in _ALIASES:
            return _ALIASES[form]
    if any(w in n for w in DISTINCT_WORDS):
        return ""
    for form in forms:
        for stem, suffix in _affix_forms(form):
            key = _lookup(stem, suffix)
            if key:
                return key
    alternatives = _GROUP.sub("", n).split("/")
    if len(alternatives) > 1:
        keys = {_guess_normalized(a) for a in alternatives if a}
        if len(keys) == 1:
            return keys.pop()
    return ""


_ALIASES: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.header, *_c.aliases):
        _n = normalize_header(_name)
        for _form in (_n, _n.replace("(", "").replace(")", "")):
            _ALIASES.setdefault(_form, _c.key)
for _name in IGNORED_HEADERS:
    _ALIASES.setdefault(normalize_header(_name), IGNORE)


def guess(header: str) -> str:
    """The field a header stands for, `ignore`, or '' when unknown (see normalize_header and
    docs/imports.md: exact spellings first, then without bracketed qualifiers, then without
    known prefixes and suffixes; 户籍… headers are never taken for the residence)."""
    n = normalize_header(header)
    return _guess_normalized(n) if 0 < len(n) <= MAX_HEADER else ""


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

_SUB_HEADERS = {"姓名", "名字", "关系", "电话", "联系电话", "电话号码", "与老人关系", "与本人关系",
                "手机", "手机号", "手机号码", "联系方式"}  # fmt: skip


def _is_sub_header(cell: str) -> bool:
    """A cell under a merged parent ("紧急联系人") naming one of its parts."""
    n = _GROUP.sub("", normalize_header(cell)).replace("/", "")
    return n in _SUB_HEADERS


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
    if filled and all(_is_sub_header(c) for c in filled):
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
