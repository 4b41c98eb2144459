"""Ledger files as counties send them, from the population generator: csv (UTF-8 with BOM or
GBK) or xlsx, with a chosen share of the errors real ledgers hold. For tests, benchmarks and
training; `yanglao ledger-file` writes one."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from yanglao.core.sheets import cell_text, write_xlsx
from yanglao.people.choices import Category, Education, LivingArrangement, MaritalStatus, Relation
from yanglao.people.generator import PersonRow, PopulationGenerator, Village

HEADER = [
    "序号",
    "姓名",
    "身份证号码",
    "性别",
    "出生日期",
    "民族",
    "区划代码",
    "村（社区）",
    "详细住址",
    "联系电话",
    "文化程度",
    "婚姻状况",
    "居住情况",
    "人员类别",
    "紧急联系人姓名",
    "紧急联系人关系",
    "紧急联系人电话",
]

# The kinds of error injected, in the proportions seen in hand-kept ledgers (assumed).
ERROR_KINDS = (
    "check_digit",
    "scientific",
    "truncated",
    "name_digit",
    "phone_length",
    "unknown_village",
    "future_birth",
    "birth_mismatch",
    "duplicate",
)

_CAT = dict(Category.choices)
_EDU = dict(Education.choices)
_MAR = dict(MaritalStatus.choices)
_LIV = dict(LivingArrangement.choices)
_REL = dict(Relation.choices)


def _row(n: int, p: PersonRow, date_style: int) -> list[str]:
    b = p.birth_date
    birth = (f"{b:%Y-%m-%d}", f"{b.year}.{b.month}.{b.day}", f"{b.year}年{b.month}月{b.day}日")[
        date_style % 3
    ]
    contact = p.contacts[0] if p.contacts else None
    return [
        str(n),
        p.name,
        p.id_number,
        "男" if p.sex == "M" else "女",
        birth,
        "汉族" if p.ethnicity == "01" else "",
        p.region_id,
        "",
        p.address,
        p.phone,
        str(_EDU.get(p.education, "")),
        str(_MAR.get(p.marital_status, "")),
        "、".join(str(_LIV[v]) for v in p.living_arrangement),
        "、".join(str(_CAT[t.category]) for t in p.tags if t.category != Category.DISABLED),
        contact.name if contact else "",
        str(_REL.get(contact.relation, "")) if contact else "",
        contact.phone if contact else "",
    ]


def _spoil(row: list[str], kind: str, rng: random.Random) -> list[str]:
    r = list(row)
    if kind == "check_digit":
        last = r[2][-1]
        r[2] = r[2][:-1] + ("0" if last != "0" else "1")
    elif kind == "scientific":
        r[2] = cell_text(float(r[2][:17] + "0"))  # as Excel shows a number typed in
    elif kind == "truncated":
        r[2] = r[2][:15] + "000"
    elif kind == "name_digit":
        r[1] = r[1] + str(rng.randint(1, 9))
    elif kind == "phone_length":
        r[9] = "139" + str(rng.randint(1000000, 9999999))
    elif kind == "unknown_village":
        r[6] = r[6][:9] + "999"
    elif kind == "future_birth":
        r[4] = "2031-01-01"
    elif kind == "birth_mismatch":
        r[4] = "1901-01-01"
    return r


def ledger_rows(
    villages: Sequence[Village],
    n: int,
    *,
    seed: int,
    today: date,
    error_share: float = 0.0,
) -> Iterator[list[str]]:
    """n data rows (header not included); about `error_share` of them carry one error."""
    gen = PopulationGenerator(villages, seed=seed, today=today)
    rng = random.Random(seed + 1)
    previous: list[str] | None = None
    for i, p in enumerate(gen.people(n), start=1):
        row = _row(i, p, i)
        if error_share and rng.random() < error_share:
            kind = rng.choice(ERROR_KINDS)
            if kind == "duplicate" and previous is not None:
                row = [str(i), *previous[1:]]
            else:
                row = _spoil(row, kind, rng)
        previous = row
        yield row


def write_ledger(
    path: Path,
    rows: Iterator[list[str]],
    *,
    encoding: str = "utf-8-sig",
    header: Sequence[str] = HEADER,
) -> int:
    """Write csv (by `encoding`) or xlsx (by the suffix); returns data rows written."""
    if path.suffix.lower() == ".xlsx":
        return write_xlsx(str(path), header, rows, sheet_name="老年人台账")
    n = 0
    with path.open("w", encoding=encoding, newline="", errors="strict") as f:
        w = csv.writer(f)
        w.writerow(header)
        for row in rows:
            w.writerow(row)
            n += 1
    return n
