"""Request and response bodies of the REST API (pydantic 2 via django-ninja).

Input schemas check only shapes and types; the domain rules (valid ID number, coded values,
age) stay in `people.rules` / `people.services`, which answer in Chinese per field. Unknown
fields are refused so that a misspelt field in a PATCH is an error, not a silent no-op.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, PlainSerializer, StrictInt
from pydantic_core import PydanticCustomError

from yanglao.core.api_schemas import ConflictOut, Message, ValidationOut

__all__ = ["ConflictOut", "Message", "ValidationOut"]  # shared shapes, re-exported for api.py
from yanglao.core.dates import iso_datetime

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    """Only 'YYYY-MM-DD' strings (pydantic alone would also take Unix timestamps)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise PydanticCustomError("iso_date", "date must be YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise PydanticCustomError("iso_date", "date must be YYYY-MM-DD") from exc


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
# Timestamps are answered on the local clock ('2026-11-30T00:30:00+08:00'), never as UTC, so a
# client that keeps the first ten characters gets the local day.
LocalDateTime = Annotated[datetime, PlainSerializer(iso_datetime, return_type=str)]


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


# --- auth -------------------------------------------------------------------------------


class TokenIn(_In):
    username: str = Field(max_length=150)
    password: str = Field(max_length=256)
    otp: str = Field(
        "", max_length=64, description="动态验证码（6位）或恢复码；须双因素登录的角色必填"
    )


class TokenItem(Schema):
    id: UUID
    username: str
    prefix: str
    created_at: LocalDateTime
    expires_at: LocalDateTime


class TokenListOut(Schema):
    items: list[TokenItem]


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: LocalDateTime


# --- persons ----------------------------------------------------------------------------


class ContactIn(_In):
    name: str = Field(max_length=50)
    relation: str = Field(max_length=16)
    phone: str = Field(default="", max_length=30)


class PersonCreateIn(_In):
    name: str = Field(max_length=50)
    sex: str = Field(max_length=1, description="M 男 / F 女")
    birth_date: IsoDate
    id_number: str = Field(max_length=30, description="18位公民身份号码")
    region_code: str = Field(max_length=12, description="居住村（社区）的统计用区划代码")
    ethnicity: str = Field(default="01", max_length=2, description="GB/T 3304 民族代码")
    education: str = Field(default="unknown", max_length=16)
    living_arrangement: list[str] = Field(default_factory=list, max_length=10)
    marital_status: str = Field(default="unstated", max_length=16)
    medical_payment: list[str] = Field(default_factory=list, max_length=10)
    income_sources: list[str] = Field(default_factory=list, max_length=10)
    address: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=30)
    household_no: str = Field(default="", max_length=30)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=5)
    household_region_code: str = Field(
        default="", max_length=20, description="户籍地区划代码（6/9/12位）；空 = 与居住村相同"
    )
    dwelling: str = Field(
        default="home", max_length=16, description="home 居家 / institution 养老机构"
    )


class PersonPatchIn(_In):
    """`version` as read; any subset of the create fields. Omitted fields keep their value."""

    version: StrictInt = Field(ge=1)
    name: str | None = Field(default=None, max_length=50)
    sex: str | None = Field(default=None, max_length=1)
    birth_date: IsoDate | None = None
    id_number: str | None = Field(default=None, max_length=30)
    region_code: str | None = Field(default=None, max_length=12)
    ethnicity: str | None = Field(default=None, max_length=2)
    education: str | None = Field(default=None, max_length=16)
    living_arrangement: list[str] | None = Field(default=None, max_length=10)
    marital_status: str | None = Field(default=None, max_length=16)
    medical_payment: list[str] | None = Field(default=None, max_length=10)
    income_sources: list[str] | None = Field(default=None, max_length=10)
    address: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=30)
    household_no: str | None = Field(default=None, max_length=30)
    contacts: list[ContactIn] | None = Field(default=None, max_length=5)
    household_region_code: str | None = Field(default=None, max_length=20)
    dwelling: str | None = Field(default=None, max_length=16)


class PersonListItem(Schema):
    id: UUID
    name: str
    sex: str
    birth_date: date
    age: int
    region_code: str
    region_name: str
    id_number_masked: str
    phone_masked: str
    life_status: str
    version: int


class PersonListOut(Schema):
    items: list[PersonListItem]
    next_cursor: str | None


class CategoryOut(Schema):
    category: str
    label: str
    grade: str
    start_date: date
    source: str


class DisabilityOut(Schema):
    kind: str
    kind_label: str
    grade: str
    grade_label: str
    certificate_masked: str
    issue_date: date | None
    start_date: date
    end_date: date | None


class DementiaOut(Schema):
    diagnosed_on: date
    source: str
    source_label: str
    reference: str
    withdrawn: bool


class ContactOut(Schema):
    name: str
    relation: str
    relation_label: str
    phone_masked: str


class PersonOut(Schema):
    id: UUID
    name: str
    sex: str
    birth_date: date
    age: int
    advanced_age: bool
    ethnicity: str
    education: str
    living_arrangement: list[str]
    marital_status: str
    medical_payment: list[str]
    income_sources: list[str]
    region_code: str
    region_name: str
    region_path: list[str]
    household_region_code: str
    household_region_name: str
    dwelling: str
    dwelling_label: str
    key_groups: list[str]
    disabilities: list[DisabilityOut]
    dementia: list[DementiaOut]
    address: str
    id_number_masked: str
    phone_masked: str
    household_no: str
    life_status: str
    life_status_label: str
    status_date: date | None
    status_reason: str
    categories: list[CategoryOut]
    contacts: list[ContactOut]
    version: int
    created_at: LocalDateTime
    updated_at: LocalDateTime
    warnings: list[str] = Field(default_factory=list)


# --- regions ----------------------------------------------------------------------------


class RegionChildOut(Schema):
    code: str
    name: str
    short_name: str
    level: int
    valid_to: date | None
    people: int


class RegionOut(Schema):
    code: str
    name: str
    short_name: str
    level: int
    level_label: str
    parent_code: str | None
    valid_to: date | None
    people: int
    # 数据截止日期 of the statistics snapshot the counts come from; null when counted live
    # (no snapshot yet).
    people_as_of: date | None = None
    children: list[RegionChildOut]
