"""Writes of the working calendar (core.CalendarDay): the province officer enters the State
Council's yearly notice 国务院办公厅关于X年部分节假日安排的通知 — public holidays on weekdays and
the adjusted working weekends 调休上班. Only exceptions to Monday–Friday are stored, so a row
that would repeat the weekly rule is refused. The calendar is province-wide: the writer needs
an edit jurisdiction over the province (a city or county officer never has the capability;
a province officer in query/statistics mode gets 404). Every write is audited in the same
transaction. The model and the pure rule live in core; this module sits in accounts because
it needs the capabilities and scopes (core imports nothing above it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import WRITE_RECORDS, require_in_scope
from yanglao.core.audit import Action, audit
from yanglao.core.models import CalendarDay
from yanglao.core.text import has_unwanted
from yanglao.regions import codes
from yanglao.regions.models import Region

if TYPE_CHECKING:
    from yanglao.accounts.models import User

NAME_MAX = 20
DOCUMENT_MAX = 120
WORKING_LABELS = {False: "放假", True: "调休上班"}


class CalendarInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


class CalendarDenied(PermissionDenied):
    """The actor lacks calendar.manage (403)."""


@dataclass(frozen=True)
class DayInput:
    day: date | None
    working: bool
    name: str
    document: str


def province_code() -> str:
    """The deployment's province (the calendar's scope): the one level-1 region in force."""
    code = (
        Region.objects.filter(level=codes.PROVINCE, valid_to__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    return code or codes.pad("22")


def require_manager(actor: User) -> str:
    """The province code when `actor` may edit the calendar; 403 without the capability,
    404 without an edit jurisdiction over the province."""
    if not actor.can(Cap.CALENDAR_MANAGE):
        raise CalendarDenied
    code = province_code()
    require_in_scope(actor, code, WRITE_RECORDS)
    return code


def _text_errors(label: str, text: str, high: int, example: str) -> list[str]:
    if has_unwanted(text):
        return [f"{label}含有不允许的控制字符，请删除后再提交"]
    if not text.strip():
        return [f"请填写{label}（如 {example}）"]
    if len(text.strip()) > high:
        return [f"{label}不能超过{high}个字"]
    return []


def _errors(data: DayInput, pk: int | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.day is None:
        errors["day"] = ["请填写日期，如 2027-02-08"]
    elif not date(2000, 1, 1) <= data.day <= date(2100, 12, 31):
        errors["day"] = ["日期应在2000年至2100年之间"]
    elif data.working and data.day.weekday() < 5:
        errors["working"] = ["该日是周一至周五，本来就上班，无需登记调休上班"]
    elif not data.working and data.day.weekday() >= 5:
        errors["working"] = ["该日是周六或周日，本来就休息，放假无需登记"]
    elif CalendarDay.objects.filter(day=data.day).exclude(pk=pk or 0).exists():
        errors["day"] = [f"{data.day:%Y-%m-%d}已登记，请修改原记录"]
    for key, label, high, example in (
        ("name", "节假日名称", NAME_MAX, "春节"),
        ("document", "依据文件", DOCUMENT_MAX, "国务院办公厅关于2027年部分节假日安排的通知"),
    ):
        found = _text_errors(label, getattr(data, key), high, example)
        if found:
            errors[key] = found
    return errors


def _values(row: CalendarDay) -> dict[str, Any]:
    return {
        "day": row.day.isoformat(),
        "working": WORKING_LABELS[row.working],
        "name": row.name,
        "document": row.document,
    }


def _audit(actor: User, action: str, row: CalendarDay, region: str, changes: Any) -> None:
    audit(
        actor=actor,
        action=action,
        object_type="calendar_day",
        object_id=str(row.pk),
        object_label=f"{row.day:%Y-%m-%d} {row.name}",
        region_code=region,
        changes=changes,
    )


def day_add(*, actor: User, data: DayInput) -> CalendarDay:
    region = require_manager(actor)
    with transaction.atomic():
        errors = _errors(data, None)
        if errors:
            raise CalendarInvalid(errors)
        assert data.day is not None
        try:
            with transaction.atomic():
                row = CalendarDay.objects.create(
                    day=data.day,
                    working=data.working,
                    name=data.name.strip(),
                    document=data.document.strip(),
                )
        except IntegrityError as exc:  # the same day entered at the same moment
            raise CalendarInvalid({"day": [f"{data.day:%Y-%m-%d}已登记，请修改原记录"]}) from exc
        _audit(actor, Action.CALENDAR_ADD, row, region, _values(row))
    return row


def day_update(*, actor: User, pk: int, data: DayInput) -> CalendarDay:
    region = require_manager(actor)
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            raise CalendarInvalid({"__all__": ["该记录已被删除"]})
        errors = _errors(data, row.pk)
        if errors:
            raise CalendarInvalid(errors)
        assert data.day is not None
        before = _values(row)
        row.day, row.working = data.day, data.working
        row.name, row.document = data.name.strip(), data.document.strip()
        after = _values(row)
        changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if not changed:
            return row
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as exc:
            raise CalendarInvalid({"day": [f"{data.day:%Y-%m-%d}已登记，请修改原记录"]}) from exc
        _audit(actor, Action.CALENDAR_UPDATE, row, region, {"changed": changed})
    return row


def day_delete(*, actor: User, pk: int) -> None:
    region = require_manager(actor)
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            return  # already gone: nothing to undo
        values = _values(row)
        _audit(actor, Action.CALENDAR_DELETE, row, region, values)
        row.delete()
