"""The only code that writes the community programmes: keyword arguments, an explicit actor,
one transaction, a scope check (404 outside the jurisdiction or the bound provider), one audit
event in the same transaction. Errors are `ProgrammeInvalid` with Chinese messages per field.

Provider-bound access (a provider's staff see and record for their own provider's sites) is
written here minimally through `community.ProviderStaff`; the providers module (issue 12
parts 1–3) owns the accounts and their binding."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import WRITE_RECORDS, in_scope, require_in_scope
from yanglao.assessments.choices import Status as AssessmentStatus
from yanglao.assessments.models import Assessment
from yanglao.community.choices import FacilityKind, OperatingStatus
from yanglao.community.models import (
    Alarm,
    AlarmDevice,
    CatalogueItem,
    DevicePlatform,
    Facility,
    HomeBedContract,
    HomeBedDeviceRow,
    MealDiner,
    MealRecord,
    MealSettlement,
    MealSettlementLine,
    ModificationCase,
    ModificationItem,
    ModificationLine,
    ModificationPhoto,
    Provider,
    ProviderStaff,
    ServiceLog,
)
from yanglao.community.programmes import policy, rules
from yanglao.community.programmes.choices import (
    AlarmKind,
    AlarmStatus,
    BedDevice,
    CaseStatus,
    ContractStatus,
    DispatchTo,
    MealKind,
    MealSettlementStatus,
    MealSource,
)
from yanglao.core import crypto, idnumber
from yanglao.core.audit import audit
from yanglao.core.photos import photo_type
from yanglao.institutions.models import Residency
from yanglao.people.choices import LifeStatus
from yanglao.people.models import Person
from yanglao.people.rules import age_on
from yanglao.regions import codes

MEAL_SITE_KINDS = (FacilityKind.CANTEEN, FacilityKind.MEAL_POINT)


class Action:
    """Audit action names (labels in core.audit.ACTION_LABELS)."""

    HOMEBED_CONTRACT = "homebed.contract"
    HOMEBED_DEVICE = "homebed.device"
    HOMEBED_END = "homebed.end"
    DINER_ENROL = "meal.diner_enrol"
    DINER_END = "meal.diner_end"
    MEAL_RECORD = "meal.record"
    MEAL_IMPORT = "meal.import"
    MEAL_SETTLE = "meal.settle"
    MEAL_APPROVE = "meal.settlement_approve"
    CASE_APPLY = "modification.apply"
    CASE_STEP = "modification.step"
    PLATFORM_REGISTER = "alarm.platform_register"
    DEVICE_REGISTER = "alarm.device_register"
    ALARM_RECEIVE = "alarm.receive"
    ALARM_ARRIVE = "alarm.arrive"
    ALARM_CLOSE = "alarm.close"


class ProgrammeInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _fail(key: str, message: str) -> ProgrammeInvalid:
    return ProgrammeInvalid({key: [message]})


def _require(actor: User, cap: str) -> None:
    if not actor.can(cap):
        raise PermissionDenied(cap)


def _own_person(actor: User, person: Person) -> None:
    require_in_scope(actor, person.region_id, WRITE_RECORDS)


def is_provider_staff(actor: User, provider_id: int | None) -> bool:
    return (
        provider_id is not None
        and ProviderStaff.objects.filter(provider_id=provider_id, user=actor).exists()
    )


def _own_site(actor: User, site: Facility) -> None:
    """A site is written by officers of its village's jurisdiction or its provider's staff."""
    if not (
        in_scope(actor, site.region_id, WRITE_RECORDS) or is_provider_staff(actor, site.provider_id)
    ):
        raise Http404


def person_by_id_number(actor: User, raw: str) -> Person:
    """A ledger person the actor may write, by ID number (never tells whether the number is
    on the ledger outside the jurisdiction)."""
    number = idnumber.normalise(raw or "")
    person = (
        Person.objects.filter(id_number_hash=crypto.lookup_hash(number)).first()
        if len(number) == 18
        else None
    )
    if person is None or not in_scope(actor, person.region_id, WRITE_RECORDS):
        raise _fail("id_number", "辖区台账中没有该身份证号码的老人")
    if person.life_status != LifeStatus.ALIVE:
        raise _fail("id_number", "该老人已注销（死亡或迁出）")
    return person


def _open_categories(person: Person, on: date) -> set[str]:
    return set(
        person.categories.filter(start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
        .values_list("category", flat=True)
    )


def latest_grade(person: Person) -> int | None:
    row = (
        Assessment.objects.filter(person=person, status=AssessmentStatus.FINAL)
        .exclude(final_grade__isnull=True)
        .order_by("-assessment_date", "-pk")
        .values_list("final_grade", flat=True)
        .first()
    )
    return row


# --- 家庭养老床位 -------------------------------------------------------------------------


@dataclass
class BedInput:
    provider: Provider
    start: date
    assessed_on: date
    min_services: int = policy.HOME_BED.min_services_per_month
    home_note: str = ""
    items: Sequence[CatalogueItem] = ()
    devices: Sequence[tuple[str, date, str]] = field(default_factory=list)


def homebed_refusals(person: Person, on: date) -> list[str]:
    return rules.homebed_refusals(_open_categories(person, on), latest_grade(person))


def homebed_contract_create(
    *, actor: User, person: Person, data: BedInput, today: date | None = None
) -> HomeBedContract:
    _require(actor, Cap.PROGRAMME_MANAGE)
    _own_person(actor, person)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    refusals = homebed_refusals(person, data.start)
    if refusals:
        errors["__all__"] = refusals
    if data.start > today:
        errors.setdefault("start", []).append("签约日期不能晚于今天")
    if data.assessed_on > data.start:
        errors.setdefault("assessed_on", []).append("居家评估应在签约之前")
    if not 1 <= data.min_services <= 60:
        errors.setdefault("min_services", []).append("每月最少服务次数应在1至60之间")
    if HomeBedContract.objects.filter(person=person, status=ContractStatus.ACTIVE).exists():
        errors.setdefault("__all__", []).append("该老人已有履约中的家庭养老床位")
    for kind, installed_on, _serial in data.devices:
        if kind not in BedDevice.values:
            errors.setdefault("devices", []).append("未知的设备类型")
        elif installed_on > today:
            errors.setdefault("devices", []).append("安装日期不能晚于今天")
    if errors:
        raise ProgrammeInvalid(errors)
    with transaction.atomic():
        contract = HomeBedContract.objects.create(
            person=person,
            region_id=person.region_id,
            provider=data.provider,
            start=data.start,
            min_services=data.min_services,
            assessed_on=data.assessed_on,
            assessment_grade=latest_grade(person),
            home_note=data.home_note.strip()[:300],
            created_by=actor,
        )
        contract.items.set(data.items)
        HomeBedDeviceRow.objects.bulk_create(
            HomeBedDeviceRow(contract=contract, kind=k, installed_on=d, serial=s.strip()[:50])
            for k, d, s in data.devices
        )
        audit(
            actor=actor,
            action=Action.HOMEBED_CONTRACT,
            object_type="homebed",
            object_id=str(contract.public_id),
            object_label=f"{person.name} 家庭养老床位",
            region_code=person.region_id,
            changes={
                "provider": data.provider.name,
                "start": str(data.start),
                "min_services": data.min_services,
                "items": [i.code for i in data.items],
                "devices": [k for k, _, _ in data.devices],
            },
        )
    return contract


def homebed_device_add(
    *, actor: User, contract: HomeBedContract, kind: str, installed_on: date, serial: str = ""
) -> HomeBedDeviceRow:
    _require(actor, Cap.PROGRAMME_MANAGE)
    require_in_scope(actor, contract.region_id, WRITE_RECORDS)
    if kind not in BedDevice.values:
        raise _fail("kind", "未知的设备类型")
    if installed_on > timezone.localdate() or installed_on < contract.start - timedelta(days=60):
        raise _fail("installed_on", "安装日期不正确")
    with transaction.atomic():
        row = HomeBedDeviceRow.objects.create(
            contract=contract, kind=kind, installed_on=installed_on, serial=serial.strip()[:50]
        )
        audit(
            actor=actor,
            action=Action.HOMEBED_DEVICE,
            object_type="homebed",
            object_id=str(contract.public_id),
            object_label=f"安装{row.get_kind_display()}",
            region_code=contract.region_id,
            changes={"kind": kind, "installed_on": str(installed_on)},
        )
    return row


def homebed_end(*, actor: User, contract: HomeBedContract, end: date, reason: str) -> None:
    _require(actor, Cap.PROGRAMME_MANAGE)
    require_in_scope(actor, contract.region_id, WRITE_RECORDS)
    if contract.status != ContractStatus.ACTIVE:
        raise _fail("__all__", "协议已终止")
    if end < contract.start or end > timezone.localdate():
        raise _fail("end", "终止日期应在签约日期与今天之间")
    with transaction.atomic():
        HomeBedContract.objects.filter(pk=contract.pk).update(status=ContractStatus.ENDED, end=end)
        audit(
            actor=actor,
            action=Action.HOMEBED_END,
            object_type="homebed",
            object_id=str(contract.public_id),
            object_label="终止家庭养老床位",
            region_code=contract.region_id,
            changes={"end": str(end), "reason": reason.strip()[:200]},
        )


# --- 老年助餐 ----------------------------------------------------------------------------


def diner_tier(person: Person, on: date) -> policy.MealTier:
    return rules.meal_tier(_open_categories(person, on), age_on(person.birth_date, on))


def diner_enrol(*, actor: User, person: Person, site: Facility, enrolled_on: date) -> MealDiner:
    _require(actor, Cap.PROGRAMME_MANAGE)
    _own_person(actor, person)
    require_in_scope(actor, site.region_id, WRITE_RECORDS)
    if site.kind not in MEAL_SITE_KINDS or site.status != OperatingStatus.OPERATING:
        raise _fail("site", "请选择运营中的敬老餐厅或助餐点")
    if enrolled_on > timezone.localdate():
        raise _fail("enrolled_on", "登记日期不能晚于今天")
    if MealDiner.objects.filter(person=person, ended_on__isnull=True).exists():
        raise _fail("id_number", "该老人已在助餐点登记，须先办理退出")
    tier = diner_tier(person, enrolled_on)
    try:
        with transaction.atomic():
            diner = MealDiner.objects.create(
                person=person,
                region_id=person.region_id,
                site=site,
                tier=tier.code,
                enrolled_on=enrolled_on,
                created_by=actor,
            )
            audit(
                actor=actor,
                action=Action.DINER_ENROL,
                object_type="meal_diner",
                object_id=str(diner.public_id),
                object_label=f"{person.name} 登记到{site.name}",
                region_code=person.region_id,
                changes={"site": site.name, "tier": tier.label, "enrolled_on": str(enrolled_on)},
            )
    except IntegrityError:
        raise _fail("id_number", "该老人已在助餐点登记，须先办理退出") from None
    return diner


def diner_end(*, actor: User, diner: MealDiner, ended_on: date) -> None:
    _require(actor, Cap.PROGRAMME_MANAGE)
    require_in_scope(actor, diner.region_id, WRITE_RECORDS)
    if diner.ended_on is not None:
        raise _fail("__all__", "已退出")
    if ended_on < diner.enrolled_on or ended_on > timezone.localdate():
        raise _fail("ended_on", "退出日期应在登记日期与今天之间")
    with transaction.atomic():
        MealDiner.objects.filter(pk=diner.pk).update(ended_on=ended_on)
        audit(
            actor=actor,
            action=Action.DINER_END,
            object_type="meal_diner",
            object_id=str(diner.public_id),
            object_label="退出助餐",
            region_code=diner.region_id,
            changes={"ended_on": str(ended_on)},
        )


def _check_meal(diner: MealDiner, site: Facility, meal_date: date, meal: str, today: date) -> str:
    if diner.site_id != site.pk:
        return "该老人不在本助餐点登记"
    if meal not in MealKind.values:
        return "餐次应为早餐、午餐或晚餐"
    if meal_date > today:
        return "就餐日期不能晚于今天"
    if meal_date < diner.enrolled_on or (
        diner.ended_on is not None and meal_date >= diner.ended_on
    ):
        return "就餐日期不在该老人的助餐登记期内"
    return ""


def meal_record(
    *, actor: User, site: Facility, diner: MealDiner, meal_date: date, meal: str
) -> tuple[MealRecord, bool]:
    """One meal entered on a phone. The same meal again changes nothing (created=False)."""
    _require(actor, Cap.MEAL_RECORD)
    _own_site(actor, site)
    problem = _check_meal(diner, site, meal_date, meal, timezone.localdate())
    if problem:
        raise _fail("meal", problem)
    existing = MealRecord.objects.filter(diner=diner, meal_date=meal_date, meal=meal).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        record = MealRecord.objects.create(
            diner=diner,
            site=site,
            region_id=site.region_id,
            meal_date=meal_date,
            meal=meal,
            source=MealSource.PHONE,
            created_by=actor,
        )
        audit(
            actor=actor,
            action=Action.MEAL_RECORD,
            object_type="meal",
            object_id=str(record.pk),
            object_label=f"{site.name} {meal_date} {record.get_meal_display()}",
            region_code=site.region_id,
            changes={"diner": str(diner.public_id), "date": str(meal_date), "meal": meal},
        )
    return record, True


@dataclass
class ImportReport:
    created: int = 0
    duplicates: int = 0
    errors: list[tuple[int, list[str]]] = field(default_factory=list)


TILL_COLUMNS = ("身份证号码", "就餐日期", "餐次")


def meals_import(
    *, actor: User, site: Facility, rows: Sequence[list[str]], file_name: str
) -> ImportReport:
    """A canteen till's export: header with 身份证号码, 就餐日期, 餐次 (other columns ignored).
    As the ledger import: every line checked with its Chinese reasons; one bad line and
    nothing is written. A meal already recorded is counted, not written twice."""
    _require(actor, Cap.MEAL_RECORD)
    _own_site(actor, site)
    report = ImportReport()
    if not rows:
        report.errors.append((1, ["文件为空"]))
        return report
    header = [c.strip() for c in rows[0]]
    missing = [c for c in TILL_COLUMNS if c not in header]
    if missing:
        report.errors.append((1, [f"缺少列：{'、'.join(missing)}"]))
        return report
    at = {c: header.index(c) for c in TILL_COLUMNS}
    diners = {
        d.person.id_number_hash: d
        for d in MealDiner.objects.filter(site=site)
        .select_related("person")
        .order_by("enrolled_on")
    }
    today = timezone.localdate()
    wanted: list[tuple[MealDiner, date, str]] = []
    seen: set[tuple[int, date, str]] = set()
    for n, row in enumerate(rows[1:], start=2):
        cells = [*row, *[""] * len(header)]
        reasons: list[str] = []
        number = idnumber.normalise(cells[at["身份证号码"]])
        diner = diners.get(crypto.lookup_hash(number)) if len(number) == 18 else None
        if diner is None:
            reasons.append("身份证号码不是本助餐点登记的老人")
        raw_date = cells[at["就餐日期"]].strip()[:10].replace("/", "-")
        meal_date: date | None = None
        try:
            meal_date = date.fromisoformat(raw_date)
        except ValueError:
            reasons.append("就餐日期格式不正确，应为 2026-11-30")
        label = cells[at["餐次"]].strip()
        meal = {"早餐": "breakfast", "午餐": "lunch", "晚餐": "dinner"}.get(label, label)
        if meal not in MealKind.values:
            reasons.append("餐次应为早餐、午餐或晚餐")
            meal = ""
        if diner is not None and meal_date is not None and meal:
            problem = _check_meal(diner, site, meal_date, meal, today)
            if problem:
                reasons.append(problem)
            elif (diner.pk, meal_date, meal) in seen:
                reasons.append("与文件中前面的行重复")
            else:
                seen.add((diner.pk, meal_date, meal))
                wanted.append((diner, meal_date, meal))
        if reasons:
            report.errors.append((n, reasons))
        if len(report.errors) >= 1000:
            break
    if report.errors:
        return report
    existing = set(
        MealRecord.objects.filter(site=site, diner__in=[d for d, _, _ in wanted]).values_list(
            "diner_id", "meal_date", "meal"
        )
    )
    new = [(d, md, m) for d, md, m in wanted if (d.pk, md, m) not in existing]
    report.duplicates = len(wanted) - len(new)
    with transaction.atomic():
        MealRecord.objects.bulk_create(
            MealRecord(
                diner=d,
                site=site,
                region_id=site.region_id,
                meal_date=md,
                meal=m,
                source=MealSource.TILL,
                created_by=actor,
            )
            for d, md, m in new
        )
        report.created = len(new)
        audit(
            actor=actor,
            action=Action.MEAL_IMPORT,
            object_type="meal_site",
            object_id=str(site.public_id),
            object_label=f"{site.name} 导入就餐记录",
            region_code=site.region_id,
            changes={
                "file": file_name[:100],
                "created": report.created,
                "duplicates": report.duplicates,
            },
        )
    return report


def _month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt


def meal_settle(*, actor: User, site: Facility, month: date) -> MealSettlement:
    """The site's settlement for a month: every meal of the month not paid before, paid at
    its diner's tier, or refused with the reason (rules.meal_refusal). A draft is computed
    again; an approved one is frozen."""
    _require(actor, Cap.PROGRAMME_MANAGE)
    require_in_scope(actor, site.region_id, WRITE_RECORDS)
    first, nxt = _month_bounds(month)
    if first > timezone.localdate():
        raise _fail("month", "不能结算未来的月份")
    with transaction.atomic():
        settlement, _ = MealSettlement.objects.select_for_update().get_or_create(
            site=site,
            month=first,
            defaults={"region_id": site.region_id, "created_by": actor},
        )
        if settlement.status == MealSettlementStatus.APPROVED:
            raise _fail("month", "该月结算已审核冻结，不能重新计算")
        settlement.lines.all().delete()
        records = list(
            MealRecord.objects.filter(site=site, meal_date__gte=first, meal_date__lt=nxt)
            .exclude(pk__in=MealSettlementLine.objects.filter(refused=False).values("record_id"))
            .select_related("diner", "diner__person")
            .order_by("meal_date", "pk")
        )
        person_ids = {r.diner.person_id for r in records}
        stays: dict[int, list[tuple[date, date | None]]] = {}
        for pid, start, end in (
            Residency.objects.filter(person_id__in=person_ids, start__lt=nxt)
            .filter(Q(end__isnull=True) | Q(end__gte=first))
            .values_list("person_id", "start", "end")
        ):
            stays.setdefault(pid, []).append((start, end))
        subsidy = {t.code: t.subsidy for t in (*policy.MEAL_TIERS, policy.MEAL_TIER_NONE)}
        lines = []
        paid = refused = 0
        total = Decimal("0.00")
        for r in records:
            p = r.diner.person
            facts = rules.DinerFacts(
                enrolled_on=r.diner.enrolled_on,
                ended_on=r.diner.ended_on,
                life_status=p.life_status,
                status_date=p.status_date,
                stays=tuple(stays.get(p.pk, ())),
            )
            reason = rules.meal_refusal(r.meal_date, facts)
            amount = Decimal("0.00") if reason else subsidy.get(r.diner.tier, Decimal("0.00"))
            lines.append(
                MealSettlementLine(
                    settlement=settlement,
                    record=r,
                    tier=r.diner.tier,
                    amount=amount,
                    refused=bool(reason),
                    reason=reason,
                )
            )
            if reason:
                refused += 1
            else:
                paid += 1
                total += amount
        MealSettlementLine.objects.bulk_create(lines, batch_size=2000)
        settlement.meals_paid, settlement.meals_refused, settlement.total = paid, refused, total
        settlement.save(update_fields=["meals_paid", "meals_refused", "total"])
        audit(
            actor=actor,
            action=Action.MEAL_SETTLE,
            object_type="meal_settlement",
            object_id=str(settlement.public_id),
            object_label=f"{site.name} {first:%Y-%m} 助餐补贴结算",
            region_code=site.region_id,
            changes={"paid": paid, "refused": refused, "total": str(total)},
        )
    return settlement


def meal_settlement_approve(*, actor: User, settlement: MealSettlement) -> None:
    _require(actor, Cap.ROLL_MANAGE)
    require_in_scope(actor, settlement.region_id, WRITE_RECORDS)
    with transaction.atomic():
        n = MealSettlement.objects.filter(
            pk=settlement.pk, status=MealSettlementStatus.DRAFT
        ).update(
            status=MealSettlementStatus.APPROVED, approved_by=actor, approved_at=timezone.now()
        )
        if not n:
            raise _fail("__all__", "该结算已审核")
        audit(
            actor=actor,
            action=Action.MEAL_APPROVE,
            object_type="meal_settlement",
            object_id=str(settlement.public_id),
            object_label=f"{settlement.month:%Y-%m} 助餐补贴结算审核",
            region_code=settlement.region_id,
            changes={"total": str(settlement.total)},
        )


# --- 适老化改造 --------------------------------------------------------------------------


def case_apply(*, actor: User, person: Person, applied_on: date) -> ModificationCase:
    _require(actor, Cap.PROGRAMME_MANAGE)
    _own_person(actor, person)
    if applied_on > timezone.localdate():
        raise _fail("applied_on", "申请日期不能晚于今天")
    if (
        ModificationCase.objects.filter(person=person)
        .exclude(status__in=[CaseStatus.SUBSIDISED, CaseStatus.REFUSED])
        .exists()
    ):
        raise _fail("id_number", "该老人已有办理中的适老化改造")
    with transaction.atomic():
        case = ModificationCase.objects.create(
            person=person, region_id=person.region_id, applied_on=applied_on, created_by=actor
        )
        audit(
            actor=actor,
            action=Action.CASE_APPLY,
            object_type="modification",
            object_id=str(case.public_id),
            object_label=f"{person.name} 适老化改造申请",
            region_code=person.region_id,
            changes={"applied_on": str(applied_on)},
        )
    return case


@dataclass
class StepInput:
    on: date
    note: str = ""
    refuse: bool = False
    provider: Provider | None = None
    lines: Sequence[tuple[ModificationItem, Decimal]] = ()
    photos: Sequence[bytes] = ()  # photo files as uploaded (core.photos checks them)


NEXT_STEP = {
    CaseStatus.APPLIED: CaseStatus.ASSESSED,
    CaseStatus.ASSESSED: CaseStatus.PLANNED,
    CaseStatus.PLANNED: CaseStatus.WORKS,
    CaseStatus.WORKS: CaseStatus.ACCEPTED,
    CaseStatus.ACCEPTED: CaseStatus.SUBSIDISED,
}


def _previous_date(case: ModificationCase) -> date:
    return max(
        d
        for d in (
            case.applied_on,
            case.assessed_on,
            case.planned_on,
            case.works_from,
            case.accepted_on,
        )
        if d is not None
    )


def case_step(
    *, actor: User, case: ModificationCase, data: StepInput, expected_version: int
) -> ModificationCase:
    """Move a case one step on: assess (or refuse), plan (items × prices), start works,
    accept (at least one photo), pay the subsidy (the plan's cost up to the cap)."""
    _require(actor, Cap.PROGRAMME_MANAGE)
    require_in_scope(actor, case.region_id, WRITE_RECORDS)
    if case.version != expected_version:
        raise _fail("__all__", "记录已被他人修改，请刷新后重试")
    step = NEXT_STEP.get(CaseStatus(case.status))
    if step is None:
        raise _fail("__all__", "该改造已办结")
    errors: dict[str, list[str]] = {}
    if data.on > timezone.localdate():
        errors["on"] = ["日期不能晚于今天"]
    elif data.on < _previous_date(case):
        errors["on"] = ["日期不能早于上一环节"]
    decoded: list[tuple[bytes, str]] = []
    changes: dict[str, Any] = {"on": str(data.on)}
    new_lines: list[ModificationLine] = []
    if step == CaseStatus.ASSESSED and data.refuse and not data.note.strip():
        errors["note"] = ["不予改造须说明原因"]
    if step == CaseStatus.PLANNED:
        if data.provider is None:
            errors["provider"] = ["请选择施工单位"]
        if not data.lines:
            errors["lines"] = ["改造方案至少包含一个项目"]
        for item, qty in data.lines:
            if qty <= 0 or qty > 1000:
                errors.setdefault("lines", []).append(f"{item.name}：数量应大于0且不超过1000")
            new_lines.append(
                ModificationLine(
                    case=case,
                    item=item,
                    quantity=qty,
                    unit_price=item.unit_price,
                    amount=(qty * item.unit_price).quantize(Decimal("0.01")),
                )
            )
    if step == CaseStatus.ACCEPTED:
        if not data.photos:
            errors["photos"] = ["验收须上传至少一张照片"]
        elif len(data.photos) > 6:
            errors["photos"] = ["最多上传6张照片"]
        for raw in data.photos:
            try:
                decoded.append((raw, photo_type(raw)))
            except ValueError as exc:
                errors.setdefault("photos", []).append(str(exc))
    if errors:
        raise ProgrammeInvalid(errors)
    note = data.note.strip()[:300]
    with transaction.atomic():
        if step == CaseStatus.ASSESSED:
            case.assessed_on, case.assessment_note = data.on, note
            if data.refuse:
                step = CaseStatus.REFUSED
                case.refusal = note[:200]
        elif step == CaseStatus.PLANNED:
            case.planned_on, case.provider = data.on, data.provider
            case.lines.all().delete()
            ModificationLine.objects.bulk_create(new_lines)
            changes["lines"] = [
                [ln.item.code, str(ln.quantity), str(ln.amount)] for ln in new_lines
            ]
        elif step == CaseStatus.WORKS:
            case.works_from = data.on
        elif step == CaseStatus.ACCEPTED:
            case.accepted_on, case.acceptance_note = data.on, note
            for i, (raw, ctype) in enumerate(decoded):
                ModificationPhoto.objects.create(
                    case=case,
                    file=ContentFile(raw, name=f"{case.public_id}-{i}.{ctype.split('/')[1]}"),
                    content_type=ctype,
                )
            changes["photos"] = len(decoded)
        elif step == CaseStatus.SUBSIDISED:
            total = sum((ln.amount for ln in case.lines.all()), Decimal("0.00"))
            case.subsidy = rules.modification_subsidy(total)
            case.subsidised_on = data.on
            changes["subsidy"] = str(case.subsidy)
        case.status = step
        case.version += 1
        case.save()
        changes["status"] = step
        audit(
            actor=actor,
            action=Action.CASE_STEP,
            object_type="modification",
            object_id=str(case.public_id),
            object_label=f"适老化改造：{CaseStatus(step).label}",
            region_code=case.region_id,
            changes=changes,
        )
    return case


# --- 紧急呼叫 ----------------------------------------------------------------------------


def platform_register(*, actor: User, name: str, county_code: str) -> tuple[DevicePlatform, str]:
    """A device platform of a county; the token is shown once and stored only as its hash."""
    _require(actor, Cap.PROGRAMME_MANAGE)
    if not (county_code.isdigit() and len(county_code) == 6):
        raise _fail("county", "请选择县（区）")
    require_in_scope(actor, codes.pad(county_code), WRITE_RECORDS)
    name = name.strip()
    if not name or len(name) > 100 or "\x00" in name:
        raise _fail("name", "请填写平台名称（100字以内）")
    token = "yp_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        platform = DevicePlatform.objects.create(
            name=name,
            county_id=codes.pad(county_code),
            token_hash=DevicePlatform.hash(token),
            token_prefix=token[:8],
        )
        audit(
            actor=actor,
            action=Action.PLATFORM_REGISTER,
            object_type="device_platform",
            object_id=str(platform.public_id),
            object_label=name,
            region_code=platform.county_id,
            changes={"prefix": platform.token_prefix},
        )
    return platform, token


def device_register(
    *,
    actor: User,
    platform: DevicePlatform,
    person: Person,
    device_id: str,
    kind: str,
    installed_on: date,
) -> AlarmDevice:
    _require(actor, Cap.PROGRAMME_MANAGE)
    _own_person(actor, person)
    device_id = device_id.strip()
    errors: dict[str, list[str]] = {}
    if not device_id or len(device_id) > 64 or not device_id.isprintable():
        errors["device_id"] = ["请填写设备编号（64个字符以内）"]
    if kind not in AlarmKind.values:
        errors["kind"] = ["请选择设备类型"]
    if installed_on > timezone.localdate():
        errors["installed_on"] = ["安装日期不能晚于今天"]
    if not person.region_id.startswith(platform.county_id[:6]):
        errors["platform"] = ["设备平台不属于老人所在县（区）"]
    if AlarmDevice.objects.filter(platform=platform, device_id=device_id).exists():
        errors["device_id"] = ["该平台已有此设备编号"]
    if errors:
        raise ProgrammeInvalid(errors)
    with transaction.atomic():
        device = AlarmDevice.objects.create(
            platform=platform,
            device_id=device_id,
            kind=kind,
            person=person,
            region_id=person.region_id,
            installed_on=installed_on,
        )
        audit(
            actor=actor,
            action=Action.DEVICE_REGISTER,
            object_type="alarm_device",
            object_id=str(device.public_id),
            object_label=f"{person.name} {device.get_kind_display()}",
            region_code=person.region_id,
            changes={"platform": platform.name, "device_id": device_id, "kind": kind},
        )
    return device


def _dispatch(person: Person) -> tuple[str, User | None, Provider | None, str]:
    """Who answers: the responsible visit worker (visits assignment), else the provider of
    the person's home care bed, else the first family contact."""
    from yanglao.visits.models import VisitSubject

    subject = VisitSubject.objects.filter(person=person).select_related("worker").first()
    if subject is not None and subject.worker is not None and subject.worker.is_active:
        return DispatchTo.WORKER, subject.worker, None, ""
    bed = (
        HomeBedContract.objects.filter(person=person, status=ContractStatus.ACTIVE)
        .select_related("provider")
        .first()
    )
    if bed is not None:
        return DispatchTo.PROVIDER, None, bed.provider, ""
    contact = person.contacts.order_by("position").first()
    if contact is not None:
        return DispatchTo.FAMILY, None, None, f"{contact.name}（{contact.get_relation_display()}）"
    return DispatchTo.NONE, None, None, ""


@dataclass
class Intake:
    alarm: Alarm
    created: bool


def alarm_intake(
    *,
    platform: DevicePlatform,
    platform_alarm_id: str,
    device_id: str,
    kind: str,
    raised_at: datetime,
) -> Intake:
    """An alarm from a device platform. Idempotent on (platform, platform alarm id): the same
    alarm sent again returns the stored one and changes nothing."""
    existing = Alarm.objects.filter(platform=platform, platform_alarm_id=platform_alarm_id).first()
    if existing is not None:
        return Intake(existing, False)
    errors: dict[str, list[str]] = {}
    device = AlarmDevice.objects.filter(platform=platform, device_id=device_id, active=True).first()
    if device is None:
        errors["device_id"] = ["本平台没有登记该设备"]
    if kind not in AlarmKind.values:
        errors["kind"] = ["未知的报警类型"]
    now = timezone.now()
    if raised_at > now + timedelta(minutes=5) or raised_at < now - timedelta(days=7):
        errors["raised_at"] = ["报警时间不正确（不能晚于现在，也不能早于7天前）"]
    if errors:
        raise ProgrammeInvalid(errors)
    assert device is not None
    person = device.person
    to, responder, provider, family = _dispatch(person)
    try:
        with transaction.atomic():
            alarm = Alarm.objects.create(
                platform=platform,
                platform_alarm_id=platform_alarm_id,
                device=device,
                person=person,
                region_id=person.region_id,
                kind=kind,
                raised_at=raised_at,
                status=AlarmStatus.DISPATCHED if to != DispatchTo.NONE else AlarmStatus.OPEN,
                dispatch_to=to,
                responder=responder,
                provider=provider,
                family_contact=family,
            )
            audit(
                actor=None,
                action=Action.ALARM_RECEIVE,
                object_type="alarm",
                object_id=str(alarm.public_id),
                object_label=f"{platform.name} {alarm.get_kind_display()}",
                region_code=person.region_id,
                changes={
                    "platform_alarm_id": platform_alarm_id,
                    "device_id": device_id,
                    "dispatch_to": to,
                    "responder": responder.username if responder else "",
                },
            )
    except IntegrityError:
        # The same alarm delivered twice at once: the first one won.
        alarm = Alarm.objects.get(platform=platform, platform_alarm_id=platform_alarm_id)
        return Intake(alarm, False)
    return Intake(alarm, True)


def _own_alarm(actor: User, alarm: Alarm) -> None:
    _require(actor, Cap.ALARM_HANDLE)
    if not (
        in_scope(actor, alarm.region_id, WRITE_RECORDS)
        or is_provider_staff(actor, alarm.provider_id)
    ):
        raise Http404


def alarm_arrive(*, actor: User, alarm: Alarm, at: datetime | None = None) -> Alarm:
    _own_alarm(actor, alarm)
    at = at or timezone.now()
    if alarm.status in (AlarmStatus.ARRIVED, AlarmStatus.CLOSED):
        raise _fail("__all__", "已登记到达")
    if at < alarm.raised_at or at > timezone.now() + timedelta(minutes=1):
        raise _fail("arrived_at", "到达时间应在报警之后、现在之前")
    with transaction.atomic():
        alarm.status, alarm.arrived_at = AlarmStatus.ARRIVED, at
        if alarm.responder_id is None:
            alarm.responder = actor
        alarm.save(update_fields=["status", "arrived_at", "responder"])
        r = rules.response(alarm.raised_at, at, at)
        audit(
            actor=actor,
            action=Action.ALARM_ARRIVE,
            object_type="alarm",
            object_id=str(alarm.public_id),
            object_label=f"到达现场（{r.minutes}分钟）",
            region_code=alarm.region_id,
            changes={"minutes": r.minutes, "late": r.late},
        )
    return alarm


def alarm_close(
    *,
    actor: User,
    alarm: Alarm,
    outcome: str,
    false_alarm: bool = False,
    visit_record_id: UUID | None = None,
    service_log_id: UUID | None = None,
) -> Alarm:
    """Close an alarm linked to a visit record or a service log of the same person made
    after the alarm (a false alarm needs neither)."""
    from yanglao.visits.models import VisitRecord

    _own_alarm(actor, alarm)
    if alarm.status == AlarmStatus.CLOSED:
        raise _fail("__all__", "该呼叫已办结")
    outcome = outcome.strip()
    errors: dict[str, list[str]] = {}
    if not outcome or len(outcome) > 300 or "\x00" in outcome:
        errors["outcome"] = ["请填写处置结果（300字以内）"]
    visit = log = None
    if visit_record_id is not None:
        visit = VisitRecord.objects.filter(
            public_id=visit_record_id, person_id=alarm.person_id
        ).first()
        if visit is None or visit.visit_date < timezone.localdate(alarm.raised_at):
            errors["visit_record"] = ["请选择该老人报警之后的巡访记录"]
    if service_log_id is not None:
        log = ServiceLog.objects.filter(public_id=service_log_id, person_id=alarm.person_id).first()
        if log is None or log.service_date < timezone.localdate(alarm.raised_at):
            errors["service_log"] = ["请选择该老人报警之后的服务记录"]
    if visit is None and log is None and not false_alarm and not errors:
        errors["__all__"] = ["办结须关联一次上门巡访记录或服务记录（误报除外）"]
    if errors:
        raise ProgrammeInvalid(errors)
    now = timezone.now()
    with transaction.atomic():
        alarm.status = AlarmStatus.CLOSED
        alarm.closed_at, alarm.closed_by = now, actor
        alarm.outcome, alarm.false_alarm = outcome, false_alarm
        alarm.visit_record, alarm.service_log = visit, log
        if alarm.arrived_at is None and visit is not None:
            alarm.arrived_at = max(visit.visited_at, alarm.raised_at)
        alarm.save()
        audit(
            actor=actor,
            action=Action.ALARM_CLOSE,
            object_type="alarm",
            object_id=str(alarm.public_id),
            object_label="办结紧急呼叫",
            region_code=alarm.region_id,
            changes={
                "visit_record": str(visit.public_id) if visit else None,
                "service_log": str(log.public_id) if log else None,
                "false_alarm": false_alarm,
            },
        )
    return alarm


def alarm_close_by_visit(
    *,
    actor: User,
    alarm: Alarm,
    summary: str,
    risk_level: str,
    levels: dict[str, str],
    client_uuid: UUID,
) -> Alarm:
    """The responder records the home visit (visits.services.visit_record, 上门入户, each
    finding area as the responder judged it; the summary explains any area not 良好) and the
    alarm is closed linked to it, in one transaction."""
    from yanglao.visits import rules as visit_rules
    from yanglao.visits import services as visit_services
    from yanglao.visits.choices import Method

    _own_alarm(actor, alarm)
    if alarm.status == AlarmStatus.CLOSED:
        raise _fail("__all__", "该呼叫已办结")
    now = timezone.localtime()
    data = visit_rules.VisitInput(
        method=Method.DOOR,
        visit_date=now.date(),
        risk_level=risk_level,
        findings={
            area: {"level": level, "note": "" if level == "ok" else summary.strip()[:200]}
            for area, level in levels.items()
        },
        summary=f"紧急呼叫上门处置：{summary.strip()}"[:500],
    )
    try:
        with transaction.atomic():
            outcome = visit_services.visit_record(
                actor=actor,
                person=alarm.person,
                data=data,
                client_uuid=client_uuid,
                visit_time=now.time(),
            )
            return alarm_close(
                actor=actor,
                alarm=alarm,
                outcome=summary,
                visit_record_id=outcome.record.public_id,
            )
    except visit_services.VisitInvalid as exc:
        raise ProgrammeInvalid(exc.errors) from None
