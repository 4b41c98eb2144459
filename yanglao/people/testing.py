"""Helpers for tests and the demo: valid ID numbers and ready-made person input."""

from __future__ import annotations

from datetime import date

from yanglao.core.idnumber import check_char
from yanglao.people.rules import PersonInput


def make_id_number(area: str, birth: date, sex: str, seq: int = 1) -> str:
    """A valid 18-digit number: sequence digits chosen so the sex digit matches."""
    seq = seq % 500
    third = (seq * 2 + (1 if sex == "M" else 0)) % 1000  # odd = male
    first17 = f"{area}{birth:%Y%m%d}{third:03d}"
    return first17 + check_char(first17)


def person_input(
    region_code: str,
    *,
    name: str = "张秀英",
    sex: str = "F",
    birth: date = date(1945, 3, 15),
    seq: int = 1,
    **extra: object,
) -> PersonInput:
    area = region_code[:6]
    data = PersonInput(
        name=name,
        sex=sex,
        birth_date=birth,
        id_number=make_id_number(area, birth, sex, seq),
        region_code=region_code,
        address="幸福路12号",
        phone="13812345678",
    )
    for key, value in extra.items():
        setattr(data, key, value)
    return data


def certificate_for(id_number: str, kind: str = "4", grade: str = "1") -> str:
    """A 残疾人证号 (GB/T 26341-2010): the ID number, the kind digit, the grade digit."""
    return f"{id_number}{kind}{grade}"
