"""Pure rules of the ledger: ages, bands, and validation of a person's data (no ORM)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from yanglao.core import idnumber
from yanglao.people.choices import (
    AGE_BANDS,
    ETHNICITY_NAMES,
    DementiaSource,
    DisabilityGrade,
    DisabilityKind,
    Dwelling,
    Education,
    IncomeSource,
    LivingArrangement,
    MaritalStatus,
    MedicalPayment,
    Relation,
    Sex,
)

# The ledger registers residents aged 60 and over (老年人权益保障法 art. 2). A policy that
# admits younger registrants will make this a versioned policy value (issue: imports).
MIN_AGE = 60
ADVANCED_AGE = 80  # 高龄

# Han characters of GB 18030-2022: the URO and Extension A, 〇, the compatibility ideographs,
# and Extensions B–I in planes 2 and 3 (older people's names often use them: 𠀀, 𪚥).
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\U00031350-\U000323af"
_NAME = re.compile(rf"^[{_HAN}\u00b7A-Za-z]{{1,30}}$")
CONTACT_NAME_MAX = 30
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


# Enum .values builds a new list per call; checking a million imported rows calls them often.
_VALUES: dict[str, frozenset[str]] = {
    c.__name__: frozenset(c.values)
    for c in (
        Sex,
        Education,
        MaritalStatus,
        LivingArrangement,
        MedicalPayment,
        IncomeSource,
        Relation,
        Dwelling,
        DisabilityKind,
        DisabilityGrade,
        DementiaSource,
    )
}


def age_on(birth: date, on: date) -> int:
    """Whole years completed (周岁) on a date."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def years_before(on: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 Feb falls back to 28 Feb."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def birth_range_for_age(low: int, high: int | None, on: date) -> tuple[date | None, date]:
    """Birth dates (inclusive) of people aged low..high on `on`; None means no lower bound."""
    latest = years_before(on, low)
    if high is None:
        return None, latest
    earliest = date.fromordinal(years_before(on, high + 1).toordinal() + 1)
    return earliest, latest


def age_band(birth: date, on: date) -> str:
    age = age_on(birth, on)
    for name, (low, high) in AGE_BANDS.items():
        if age >= low and (high is None or age <= high):
            return name
    return ""


_BLANKS = re.compile(r"[\s\u3000]+")
_WHITE = re.compile(r"\s+")
_PHONE_WIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")


def normalise_phone(raw: str) -> str:
    phone = _BLANKS.sub("", (raw or "").lstrip("'‘`")).translate(_PHONE_WIDTH)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    return phone


def check_phone(phone: str) -> str | None:
    if not phone:
        return None
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return None
    if phone.isdigit() and phone.startswith("1"):
        return f"手机号码应为11位，现为{len(phone)}位"
    return "电话号码格式不正确（手机11位，或带区号的固定电话如 0431-88888888）"


def normalise_name(raw: str) -> str:
    return _WHITE.sub("", raw or "").replace("•", "·").replace("・", "·")


@dataclass
class ContactInput:
    name: str
    relation: str
    phone: str = ""


@dataclass
class PersonInput:
    """What a form, the API or an import supplies for one person."""

    name: str
    sex: str
    birth_date: date | None
    id_number: str
    region_code: str
    ethnicity: str = "01"
    education: str = Education.UNKNOWN
    living_arrangement: list[str] = field(default_factory=list)
    marital_status: str = MaritalStatus.UNSTATED
    medical_payment: list[str] = field(default_factory=list)
    income_sources: list[str] = field(default_factory=list)
    address: str = ""
    phone: str = ""
    household_no: str = ""
    contacts: list[ContactInput] = field(default_factory=list)
    # 户籍地: a region code (6/9/12 digits, county level or below); blank = the residence.
    household_region_code: str = ""
    dwelling: str = Dwelling.HOME


Errors = dict[str, list[str]]


def _multi(errors: Errors, name: str, values: list[str], allowed: set[str], label: str) -> None:
    bad = [v for v in values if v not in allowed]
    if bad:
        errors.setdefault(name, []).append(f"{label}中有无效选项：{'、'.join(bad)}")
    if len(set(values)) != len(values):
        errors.setdefault(name, []).append(f"{label}中有重复选项")


def check_person(
    data: PersonInput,
    *,
    today: date,
    known_prefix: Callable[[str], bool] | None = None,
    min_age: int = MIN_AGE,
) -> tuple[PersonInput, Errors, list[str]]:
    """Normalise and validate; returns (clean data, errors by field, warnings)."""
    errors: Errors = {}
    warnings: list[str] = []

    def err(f: str, msg: str) -> None:
        errors.setdefault(f, []).append(msg)

    data.name = normalise_name(data.name)
    if not data.name:
        err("name", "请填写姓名")
    elif any(ch.isdigit() for ch in data.name):
        err("name", "姓名中不能含有数字")
    elif not _NAME.match(data.name):
        err("name", "姓名只能包含汉字、字母和间隔号“·”，且不超过30个字")

    if data.sex not in _VALUES["Sex"]:
        err("sex", "请选择性别")
    if data.birth_date is None:
        err("birth_date", "请填写出生日期")
    elif data.birth_date > today:
        err("birth_date", "出生日期不能晚于今天")
    elif age_on(data.birth_date, today) > 130:
        err("birth_date", "出生日期不合理（年龄超过130岁）")
    elif age_on(data.birth_date, today) < min_age:
        err(
            "birth_date",
            f"未满{min_age}周岁，不能登记为老年人（现{age_on(data.birth_date, today)}岁）",
        )

    check = idnumber.validate(
        data.id_number,
        today=today,
        known_prefix=known_prefix,
        birth_date=data.birth_date if "birth_date" not in errors else None,
        sex=data.sex if data.sex in _VALUES["Sex"] else None,
    )
    data.id_number = check.number
    for msg in check.errors:
        err("id_number", msg)
    warnings.extend(check.warnings)

    if data.ethnicity not in ETHNICITY_NAMES:
        err("ethnicity", "请选择民族")
    if data.education not in _VALUES["Education"]:
        err("education", "请选择文化程度")
    if data.marital_status not in _VALUES["MaritalStatus"]:
        err("marital_status", "请选择婚姻状况")
    _multi(
        errors,
        "living_arrangement",
        data.living_arrangement,
        set(_VALUES["LivingArrangement"]),
        "居住情况",
    )
    if LivingArrangement.ALONE in data.living_arrangement and len(data.living_arrangement) > 1:
        err("living_arrangement", "选择“独居”时不能同时选择与他人同住")
    _multi(
        errors,
        "medical_payment",
        data.medical_payment,
        set(_VALUES["MedicalPayment"]),
        "医疗费用支付方式",
    )
    _multi(errors, "income_sources", data.income_sources, set(_VALUES["IncomeSource"]), "经济来源")

    data.address = (data.address or "").strip()
    if len(data.address) > 200:
        err("address", "详细住址不能超过200个字")
    data.phone = normalise_phone(data.phone)
    if (phone_error := check_phone(data.phone)) is not None:
        err("phone", phone_error)
    data.household_no = (data.household_no or "").strip()
    if len(data.household_no) > 30:
        err("household_no", "户号不能超过30个字符")

    data.household_region_code = (data.household_region_code or "").strip().translate(_PHONE_WIDTH)
    if data.household_region_code and not (
        data.household_region_code.isdigit() and len(data.household_region_code) in (6, 9, 12)
    ):
        err("household_region_code", "户籍地须填写6位（县级）、9位（乡镇）或12位（村）区划代码")
    if data.dwelling not in _VALUES["Dwelling"]:
        err("dwelling", "请选择居住方式（居家或养老机构）")

    for i, c in enumerate(data.contacts, start=1):
        c.name = normalise_name(c.name)
        c.phone = normalise_phone(c.phone)
        if not c.name:
            err(f"contact{i}_name", f"请填写第{i}紧急联系人姓名")
        elif any(ch.isdigit() for ch in c.name):
            err(f"contact{i}_name", "姓名中不能含有数字")
        elif len(c.name) > CONTACT_NAME_MAX:
            err(f"contact{i}_name", f"第{i}紧急联系人姓名不能超过{CONTACT_NAME_MAX}个字")
        if c.relation not in _VALUES["Relation"]:
            err(f"contact{i}_relation", f"请选择第{i}紧急联系人与老人的关系")
        if not c.phone:
            err(f"contact{i}_phone", f"请填写第{i}紧急联系人电话")
        elif (contact_error := check_phone(c.phone)) is not None:
            err(f"contact{i}_phone", contact_error)
    return data, errors, warnings


# --- disability and dementia facts --------------------------------------------------------

CERTIFICATE_LEN = 20  # GB/T 26341-2010: ID number (18) + kind digit + grade digit


def normalise_certificate(raw: str) -> str:
    return idnumber.normalise(raw)


def check_disability(
    *,
    kind: str,
    grade: str,
    certificate: str,
    issue_date: date | None,
    id_number: str,
    today: date,
    birth_date: date,
) -> Errors:
    """Errors of a disability entered by hand (a certified 残疾人证).

    The certificate number is the holder's 18-character ID number, the kind digit (1 视力 …
    7 多重) and the grade digit (1 一级 … 4 四级), GB/T 26341-2010; it must match the person's
    ID number and the kind and grade chosen."""
    errors: Errors = {}

    def err(f: str, msg: str) -> None:
        errors.setdefault(f, []).append(msg)

    if kind not in _VALUES["DisabilityKind"]:
        err("kind", "请选择残疾类别")
    if grade not in _VALUES["DisabilityGrade"] or grade == DisabilityGrade.SEVERE_UNKNOWN:
        err("grade", "请选择残疾等级（一级至四级）")
    if issue_date is None:
        err("issue_date", "请填写发证日期")
    elif issue_date > today:
        err("issue_date", "发证日期不能晚于今天")
    elif issue_date < birth_date:
        err("issue_date", "发证日期不能早于出生日期")
    cert = certificate
    if not cert:
        err("certificate", "请填写残疾人证号")
    elif len(cert) != CERTIFICATE_LEN or not (
        cert[:17].isdigit() and (cert[17].isdigit() or cert[17] == "X") and cert[18:].isdigit()
    ):
        err(
            "certificate",
            f"残疾人证号应为20位：18位身份证号码加残疾类别、残疾等级各1位（现为{len(cert)}位）",
        )
    else:
        if cert[:18] != id_number:
            err("certificate", "残疾人证号的前18位须与本人身份证号码一致")
        if cert[18] not in _VALUES["DisabilityKind"]:
            err("certificate", f"残疾人证号第19位（残疾类别）应为1–7，现为{cert[18]}")
        elif kind in _VALUES["DisabilityKind"] and cert[18] != kind:
            err(
                "certificate",
                f"残疾人证号第19位表示“{DisabilityKind(cert[18]).label}”，与所选类别不一致",
            )
        if cert[19] not in "1234":
            err("certificate", f"残疾人证号第20位（残疾等级）应为1–4，现为{cert[19]}")
        elif grade in {"1", "2", "3", "4"} and cert[19] != grade:
            err(
                "certificate",
                f"残疾人证号第20位表示“{DisabilityGrade(cert[19]).label}”，与所选等级不一致",
            )
    return errors


def check_dementia(
    *, source: str, diagnosed_on: date | None, today: date, birth_date: date
) -> Errors:
    errors: Errors = {}
    if source not in _VALUES["DementiaSource"]:
        errors["source"] = ["请选择诊断来源（医院诊断、能力评估或其他）"]
    if diagnosed_on is None:
        errors["diagnosed_on"] = ["请填写诊断日期"]
    elif diagnosed_on > today:
        errors["diagnosed_on"] = ["诊断日期不能晚于今天"]
    elif diagnosed_on < birth_date:
        errors["diagnosed_on"] = ["诊断日期不能早于出生日期"]
    return errors
