"""Checking one line of an uploaded ledger (pure: no ORM). The ledger's own rules
(`people.rules.check_person`) decide validity; this module turns cells into its input and its
errors back into the columns the user sees."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from yanglao.core import idnumber
from yanglao.people import columns as C
from yanglao.people.choices import Education, MaritalStatus, Relation
from yanglao.people.rules import ContactInput, PersonInput, age_on, check_person


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    township: str


class VillageIndex:
    """Villages the uploader may write to, found by 12-digit code or by name (with the
    township's name when two villages share a name, as 新村 or 中心社区 often do)."""

    def __init__(self, villages: Sequence[Village], known_elsewhere: Callable[[str], str | None]):
        self.by_code = {v.code: v for v in villages}
        self.by_name: dict[str, list[Village]] = {}
        for v in villages:
            self.by_name.setdefault(_village_key(v.name), []).append(v)
        self.known_elsewhere = known_elsewhere  # code → name if it exists outside scope
        self._resolved: dict[tuple[str, str, str], tuple[str, str, str]] = {}

    def resolve(self, code: str, name: str, township: str) -> tuple[str, str, str]:
        """(code, '', '') or ('', column key, message). A ledger names a few hundred villages
        over and over: each spelling is resolved once."""
        key = (code, name, township)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve(code, name, township)
        return found

    def _resolve(self, code: str, name: str, township: str) -> tuple[str, str, str]:
        if code:
            if code in self.by_code:
                return code, "", ""
            other = self.known_elsewhere(code)
            if other:
                return "", "village_code", f"区划代码 {code}（{other}）不在您的管辖范围内"
            return "", "village_code", f"区划代码 {code} 不存在或不是村（社区）一级"
        n = C._norm(name)
        if not n:
            return "", "village_name", "请填写村（社区）名称或区划代码"
        found = self.by_name.get(_village_key(n), [])
        if township and len(found) > 1:
            t = C._norm(township)
            found = [v for v in found if C._norm(v.township) in (t, t + "街道", t + "镇", t + "乡")]
        if len(found) == 1:
            return found[0].code, "", ""
        if not found:
            return "", "village_name", f"您的管辖范围内没有名为“{name}”的村（社区）"
        return (
            "",
            "village_name",
            f"“{name}”在您的管辖范围内有{len(found)}个同名村（社区），请填写区划代码或乡镇（街道）",
        )


_COMMITTEE = ("居民委员会", "村民委员会", "委员会", "居委会", "村委会")


def _village_key(name: str) -> str:
    """华阳社区居民委员会 / 华阳社区居委会 / 华阳社区 → 华阳社区."""
    n = C._norm(name)
    for suffix in _COMMITTEE:
        if n.endswith(suffix) and len(n) > len(suffix):
            n = n[: -len(suffix)]
            if not n.endswith(("社区", "村")):
                n += "村" if suffix.startswith("村") else "社区"
            break
    return n


@dataclass
class RowCheck:
    """The outcome for one line: a clean input and the tags to add, or errors by column."""

    data: PersonInput | None = None
    categories: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column key, message)
    blank: bool = False
    given: set[str] = field(default_factory=set)  # fields with a non-empty cell


# check_person's error keys → the column the user must fix.
_ERROR_COLUMN = {"region_code": "village_name"}


def below_local_age(
    data: PersonInput, min_age_for: Callable[[str], int], today: date
) -> str | None:
    """The Chinese reason when the person is younger than the minimum age in force for their
    own village (a policy admitting younger registrants holds for its own region only)."""
    if data.birth_date is None:
        return None
    local = min_age_for(data.region_code)
    age = age_on(data.birth_date, today)
    return f"未满{local}周岁，不能登记为老年人（现{age}岁）" if age < local else None


def check_row(
    cells: Sequence[str],
    mapping: dict[int, str],
    *,
    villages: VillageIndex,
    today: date,
    min_age: int,
    known_prefix: Callable[[str], bool],
    cache: dict[tuple[str, str], tuple[object, str | None]] | None = None,
) -> RowCheck:
    """`cache` (optional, kept by the caller across rows): each distinct cell text of a coded
    column (sex, dates, ethnicity, education, village code …) is parsed once per import."""
    values: dict[str, str] = {}
    for i, key in mapping.items():
        if key and key != C.IGNORE and i < len(cells):
            values[key] = cells[i].strip()
    out = RowCheck()
    if not any(v.strip() for v in cells):
        out.blank = True
        return out
    out.given = {k for k, v in values.items() if v}

    def err(key: str, message: str) -> None:
        out.errors.append((key, message))

    def parse(key: str, fn: Callable[[str], object], default: object) -> object:
        text = values.get(key, "")
        if not text:
            return default
        hit = cache.get((key, text)) if cache is not None else None
        if hit is None:
            try:
                hit = (fn(text), None)
            except C.CellError as e:
                hit = (None, str(e))
            if cache is not None:
                cache[(key, text)] = hit
        value, message = hit
        if message is not None:
            err(key, message)
            return default
        return value

    raw_id = values.get("id_number", "")
    sex = str(parse("sex", C.parse_sex, ""))
    birth = parse("birth_date", C.parse_date, None)
    # Validated again by check_person; derive from it only where a cell is missing.
    id_check = (
        idnumber.validate(raw_id, today=today) if raw_id and (not sex or birth is None) else None
    )
    # A ledger with only the ID number: sex and birth date come from the number (GB 11643).
    if not sex and id_check is not None and id_check.ok:
        sex = id_check.sex or ""
    if birth is None and id_check is not None and id_check.ok:
        birth = id_check.birth_date
    village_code = str(parse("village_code", C.parse_village_code, ""))
    code, vkey, vmsg = villages.resolve(
        village_code, values.get("village_name", ""), values.get("township_name", "")
    )
    if vmsg:
        err(vkey, vmsg)

    contacts: list[ContactInput] = []
    for n in (1, 2):
        cname = values.get(f"contact{n}_name", "")
        cphone = values.get(f"contact{n}_phone", "")
        if cname or cphone:
            relation = str(parse(f"contact{n}_relation", C.parse_relation, Relation.OTHER))
            contacts.append(ContactInput(name=cname, relation=relation, phone=cphone))
    data = PersonInput(
        name=values.get("name", ""),
        sex=sex,
        birth_date=birth if isinstance(birth, date) else None,
        id_number=raw_id,
        region_code=code,
        ethnicity=str(parse("ethnicity", C.parse_ethnicity, "01")),
        education=str(parse("education", C.parse_education, Education.UNKNOWN)),
        living_arrangement=list(parse("living_arrangement", C.parse_living, [])),  # type: ignore[call-overload]
        marital_status=str(parse("marital_status", C.parse_marital, MaritalStatus.UNSTATED)),
        medical_payment=list(parse("medical_payment", C.parse_medical, [])),  # type: ignore[call-overload]
        income_sources=list(parse("income_sources", C.parse_income, [])),  # type: ignore[call-overload]
        address=values.get("address", ""),
        phone=values.get("phone", ""),
        household_no=values.get("household_no", ""),
        contacts=contacts,
    )
    out.categories = list(parse("categories", C.parse_categories, []))  # type: ignore[call-overload]
    data, errors, _warnings = check_person(
        data, today=today, known_prefix=known_prefix, min_age=min_age
    )
    parsed_bad = {k for k, _ in out.errors}
    for key, messages in errors.items():
        column = _ERROR_COLUMN.get(key, key)
        if key == "region_code" and vmsg:
            continue  # already said which village is wrong
        if key in ("sex", "birth_date") and not values.get(key):
            if "id_number" in errors:
                continue  # derived from a bad ID number: the number's message says it all
            column = "id_number"
        if key in parsed_bad:
            continue  # the cell could not be read; that message says why
        for message in messages:
            err(column, message)
    if not out.errors:
        out.data = data
    return out


def error_text(errors: Sequence[Sequence[str]]) -> str:
    """`[[column title, message], ...]` as one cell: “身份证号码：校验位不正确；…”."""
    return "；".join(f"{col}：{msg}" if col else msg for col, msg in errors)
