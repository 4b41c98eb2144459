"""The ledger as a spreadsheet: the import template's columns, one person a row, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.core.crypto import decrypt
from yanglao.people import columns as C
from yanglao.people.choices import (
    ETHNICITY_NAMES,
    SYSTEM_CATEGORIES,
    Category,
    Education,
    IncomeSource,
    LivingArrangement,
    MaritalStatus,
    MedicalPayment,
    Relation,
)
from yanglao.people.models import PersonCategory
from yanglao.people.rules import age_on
from yanglao.people.selectors import PersonFilter, person_queryset

_EXPORTED = (
    "name",
    "id_number",
    "sex",
    "birth_date",
    "ethnicity",
    "village_code",
    "village_name",
    "township_name",
    "address",
    "phone",
    "household_no",
    "education",
    "marital_status",
    "living_arrangement",
    "medical_payment",
    "income_sources",
    "categories",
    "contact1_name",
    "contact1_relation",
    "contact1_phone",
    "contact2_name",
    "contact2_relation",
    "contact2_phone",
)
_MASKED_TITLES = {"id_number": "身份证号码（脱敏）", "phone": "联系电话（脱敏）"}


def _labels(choices: Any, values: list[str]) -> str:
    names = dict(choices.choices)
    return "、".join(str(names.get(v, v)) for v in values)


def person_rows(
    *, user: User, f: PersonFilter, full: bool = False
) -> tuple[list[str], Iterator[list[Any]]]:
    """(header, rows). Masked identifiers unless `full` (the caller checks the right)."""
    header = [
        C.BY_KEY[k].header if full or k not in _MASKED_TITLES else _MASKED_TITLES[k]
        for k in _EXPORTED
    ]
    if not full:
        header = [h.replace("紧急联系人电话", "紧急联系人电话（脱敏）") for h in header]
        header = [h.replace("紧急联系人2电话", "紧急联系人2电话（脱敏）") for h in header]
    header += ["年龄", "失能等级", "状态"]
    today = timezone.localdate()
    qs = (
        person_queryset(user=user, f=f)
        .select_related("region", "region__parent", "household")
        .prefetch_related(
            Prefetch(
                "categories",
                queryset=PersonCategory.objects.filter(end_date__isnull=True),
                to_attr="open_tags",
            ),
            "contacts",
        )
    )
    categories = dict(Category.choices)
    relations = dict(Relation.choices)
    education = dict(Education.choices)
    marital = dict(MaritalStatus.choices)

    def rows() -> Iterator[list[Any]]:
        for p in qs.iterator(chunk_size=2000):
            tags = p.open_tags
            contacts = list(p.contacts.all())[:2]
            contact_cells: list[str] = []
            for c in contacts + [None] * (2 - len(contacts)):
                if c is None:
                    contact_cells += ["", "", ""]
                else:
                    phone = decrypt(c.phone_cipher) if full else c.phone_masked
                    contact_cells += [c.name, str(relations.get(c.relation, "")), phone]
            disabled = next((t.grade or "是" for t in tags if t.category in SYSTEM_CATEGORIES), "")
            yield [
                p.name,
                decrypt(p.id_number_cipher) if full else p.id_number_masked,
                p.get_sex_display(),
                p.birth_date.isoformat(),
                ETHNICITY_NAMES.get(p.ethnicity, ""),
                p.region_id,
                p.region.name,
                p.region.parent.name if p.region.parent else "",
                p.address,
                (decrypt(p.phone_cipher) if p.phone_cipher else "") if full else p.phone_masked,
                p.household.household_no if p.household else "",
                str(education.get(p.education, "")),
                str(marital.get(p.marital_status, "")),
                _labels(LivingArrangement, p.living_arrangement),
                _labels(MedicalPayment, p.medical_payment),
                _labels(IncomeSource, p.income_sources),
                "、".join(
                    str(categories[t.category]) for t in tags if t.category not in SYSTEM_CATEGORIES
                ),
                *contact_cells,
                age_on(p.birth_date, today),
                disabled,
                p.get_life_status_display(),
            ]

    return header, rows()


assert all(k in C.BY_KEY for k in _EXPORTED)
