"""The only code that writes institutions: keyword arguments, an explicit actor, one
transaction, a scope check (404 outside the jurisdiction or the bound institution), one audit
event. Admission and discharge are life events of the person (people.services)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap, Role
from yanglao.accounts.scoping import WRITE_RECORDS, in_scope, require_scoped
from yanglao.assessments.choices import Status as AssessmentStatus
from yanglao.assessments.models import Assessment
from yanglao.assessments.scoring import GRADE_LABELS
from yanglao.core import crypto, idnumber
from yanglao.core.audit import audit, diff
from yanglao.institutions import rules
from yanglao.institutions.choices import (
    FILING_DOCUMENTS,
    BedKind,
    BedStatus,
    EndReason,
    FilingDecision,
    FilingKind,
    FilingStatus,
    Medical,
    OperatingStatus,
    Ownership,
    ProfitKind,
)
from yanglao.institutions.models import (
    Bed,
    Filing,
    Institution,
    InstitutionOperator,
    Residency,
)
from yanglao.people import services as people_services
from yanglao.people.choices import LifeStatus
from yanglao.people.models import Person
from yanglao.regions import codes
from yanglao.regions.models import Region


class Action:
    """Audit action names of this app (labels in core.audit.ACTION_LABELS)."""

    REGISTER = "institution.register"
    UPDATE = "institution.update"
    OPERATOR_BIND = "institution.operator_bind"
    FILING_SUBMIT = "institution.filing_submit"
    FILING_DECIDE = "institution.filing_decide"
    BED_ADD = "institution.bed_add"
    ADMIT = "institution.admit"
    DISCHARGE = "institution.discharge"


class InstitutionInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class NotPermitted(PermissionError):
    pass


def _fail(key: str, message: str) -> InstitutionInvalid:
    return InstitutionInvalid({key: [message]})


BOUND = "operators"  # Institution → its operator accounts (accounts.scoping `bound`)


def _manage(actor: User, region_code: str) -> None:
    if not actor.can(Cap.INSTITUTION_MANAGE):
        raise NotPermitted(Cap.INSTITUTION_MANAGE)
    if not in_scope(actor, region_code, WRITE_RECORDS):
        raise Http404


def _own(actor: User, institution: Institution) -> Institution:
    """The institution, locked, if the actor manages it (region) or operates it (bound)."""
    if not (actor.can(Cap.INSTITUTION_MANAGE) or actor.can(Cap.INSTITUTION_OPERATE)):
        raise NotPermitted(Cap.INSTITUTION_OPERATE)
    qs = Institution.objects.select_for_update().filter(pk=institution.pk)
    if actor.can(Cap.INSTITUTION_MANAGE):
        return require_scoped(qs, actor, WRITE_RECORDS)
    return require_scoped(qs, actor, (), bound=BOUND)


def _audit(
    actor: User, action: str, inst: Institution, changes: dict[str, Any], label: str = ""
) -> None:
    audit(
        actor=actor,
        action=action,
        object_type="institution",
        object_id=str(inst.public_id),
        object_label=label or inst.name,
        region_code=inst.region_id,
        changes=changes,
    )


# --- register -----------------------------------------------------------------------------


@dataclass
class InstitutionInput:
    credit_code: str
    name: str
    ownership: str
    profit: str
    legal_rep: str
    region_code: str
    address: str
    is_tekun: bool = False
    is_glory: bool = False
    is_regional_center: bool = False
    phone: str = ""
    longitude: Decimal | None = None
    latitude: Decimal | None = None
    registration_authority: str = ""
    founded_on: date | None = None
    area_m2: int | None = None
    beds_total: int = 0
    beds_nursing: int = 0
    beds_dementia: int = 0
    beds_daycare: int = 0
    fire_approved: bool = False
    food_licensed: bool = False
    medical: str = Medical.NONE
    medical_partner: str = ""
    ltc_designated: bool = False
    liability_insured: bool = False
    bed_fee_min: Decimal | None = None
    bed_fee_max: Decimal | None = None
    care_fee_min: Decimal | None = None
    care_fee_max: Decimal | None = None
    meal_fee_min: Decimal | None = None
    meal_fee_max: Decimal | None = None
    status: str = OperatingStatus.OPERATING
    licence_valid_until: date | None = None

    @classmethod
    def of(cls, inst: Institution) -> InstitutionInput:
        values = {f.name: getattr(inst, f.name) for f in fields(cls) if f.name != "region_code"}
        return cls(region_code=inst.region_id, **values)


_TEXT = ("name", "legal_rep", "address", "phone", "registration_authority", "medical_partner")


def _clean_text(value: str) -> str:
    """Control characters (NUL, bidi overrides) never reach the register."""
    return "".join(
        ch for ch in value.strip() if ch.isprintable() and not 0x202A <= ord(ch) <= 0x2069
    )


def _validate(data: InstitutionInput, actor: User, exclude_pk: int | None) -> Region:
    errors: dict[str, list[str]] = {}
    for name in _TEXT:
        setattr(data, name, _clean_text(getattr(data, name)))
    data.credit_code = rules.normalise_credit_code(data.credit_code)
    if problems := rules.credit_code_errors(data.credit_code):
        errors["credit_code"] = problems
    elif (
        Institution.objects.filter(credit_code=data.credit_code)
        .exclude(pk=exclude_pk or 0)
        .exists()
    ):
        errors["credit_code"] = ["该统一社会信用代码的机构已登记"]
    for key, label in (("name", "机构名称"), ("legal_rep", "法定代表人"), ("address", "详细地址")):
        if not getattr(data, key):
            errors.setdefault(key, []).append(f"请填写{label}")
    for key, choices in (
        ("ownership", Ownership),
        ("profit", ProfitKind),
        ("medical", Medical),
        ("status", OperatingStatus),
    ):
        if getattr(data, key) not in choices.values:
            errors.setdefault(key, []).append("请从列表中选择")
    if data.ownership in (Ownership.PUBLIC, Ownership.PUBLIC_PRIVATE) and (
        data.profit == ProfitKind.FORPROFIT
    ):
        errors.setdefault("profit", []).append("公办、公建民营养老机构应为非营利性质")
    beds = rules.Beds(data.beds_total, data.beds_nursing, data.beds_dementia, data.beds_daycare)
    if problems := rules.bed_errors(beds):
        errors["beds_total"] = problems
    for low, high, label in (
        ("bed_fee_min", "bed_fee_max", "床位费"),
        ("care_fee_min", "care_fee_max", "护理费"),
        ("meal_fee_min", "meal_fee_max", "膳食费"),
    ):
        lo, hi = getattr(data, low), getattr(data, high)
        if (lo is not None and lo < 0) or (hi is not None and hi < 0):
            errors.setdefault(low, []).append(f"{label}不能为负数")
        elif lo is not None and hi is not None and lo > hi:
            errors.setdefault(low, []).append(f"{label}下限不能高于上限")
    if data.longitude is not None and not Decimal(73) <= data.longitude <= Decimal(136):
        errors.setdefault("longitude", []).append("经度应在73至136之间（中国境内）")
    if data.latitude is not None and not Decimal(3) <= data.latitude <= Decimal(54):
        errors.setdefault("latitude", []).append("纬度应在3至54之间（中国境内）")
    region = None
    with contextlib.suppress(ValueError):
        region = Region.objects.filter(code=codes.pad(data.region_code)).first()
    if region is None or region.level != codes.VILLAGE or region.valid_to is not None:
        errors.setdefault("region_code", []).append("请选择机构所在的村（社区）")
    elif not in_scope(actor, region.code, WRITE_RECORDS):
        errors.setdefault("region_code", []).append(f"{region.name}不在您的辖区内")
    if errors:
        raise InstitutionInvalid(errors)
    assert region is not None
    return region


def _apply(inst: Institution, data: InstitutionInput, region: Region) -> None:
    for f in fields(InstitutionInput):
        if f.name != "region_code":
            setattr(inst, f.name, getattr(data, f.name))
    inst.region = region


def _snapshot(inst: Institution) -> dict[str, Any]:
    return {
        f.name: str(v) if isinstance(v := getattr(inst, f.name), Decimal | date) else v
        for f in fields(InstitutionInput)
        if f.name != "region_code"
    } | {"region": inst.region_id}


def institution_register(*, actor: User, data: InstitutionInput) -> Institution:
    """Enter a home into the register (county 民政 where it is located, or above)."""
    if not actor.can(Cap.INSTITUTION_MANAGE):
        raise NotPermitted(Cap.INSTITUTION_MANAGE)
    with transaction.atomic():
        region = _validate(data, actor, None)
        inst = Institution()
        _apply(inst, data, region)
        try:
            with transaction.atomic():
                inst.save()
        except IntegrityError as exc:
            raise _fail("credit_code", "该统一社会信用代码的机构已登记") from exc
        _audit(actor, Action.REGISTER, inst, {"new": _snapshot(inst)})
    return inst


def institution_update(
    *, actor: User, institution: Institution, data: InstitutionInput, expected_version: int
) -> Institution:
    _manage(actor, institution.region_id)
    with transaction.atomic():
        inst = _own(actor, institution)
        if inst.version != expected_version:
            raise _fail("__all__", "保存失败：该机构信息已被他人修改，请刷新后再改")
        region = _validate(data, actor, inst.pk)
        before = _snapshot(inst)
        _apply(inst, data, region)
        inst.version += 1
        inst.save()
        _audit(actor, Action.UPDATE, inst, {"changed": diff(before, _snapshot(inst))})
    return inst


def operator_bind(*, actor: User, institution: Institution, user: User) -> None:
    """Bind an operator account to its home: it then sees that home, and nothing else."""
    _manage(actor, institution.region_id)
    if user.role != Role.INSTITUTION_OPERATOR:
        raise _fail("user", "只能绑定“养老机构经办人”角色的账号")
    with transaction.atomic():
        _, created = InstitutionOperator.objects.get_or_create(
            institution=institution, user=user, defaults={"created_by": actor}
        )
        if created:
            _audit(actor, Action.OPERATOR_BIND, institution, {"operator": user.username})


# --- 备案 ---------------------------------------------------------------------------------


def filing_submit(
    *,
    actor: User,
    institution: Institution,
    kind: str,
    documents: list[str],
    pledge: bool,
    note: str = "",
    today: date | None = None,
) -> Filing:
    """File a 备案 (first, change or closure) with the documents and the 承诺书."""
    today = today or timezone.localdate()
    known = {key for key, _ in FILING_DOCUMENTS}
    errors: dict[str, list[str]] = {}
    if kind not in FilingKind.values:
        errors["kind"] = ["请选择备案类型"]
    if any(d not in known for d in documents):
        errors["documents"] = ["材料清单中有无效项目"]
    if not pledge:
        errors["pledge"] = ["须签署承诺书（养老机构管理办法第九条）"]
    if errors:
        raise InstitutionInvalid(errors)
    with transaction.atomic():
        inst = _own(actor, institution)
        if kind == FilingKind.NEW and inst.filing_status == FilingStatus.FILED:
            raise _fail("kind", "该机构已备案；信息有变化的，请提交变更备案")
        if kind != FilingKind.NEW and inst.filing_status != FilingStatus.FILED:
            raise _fail("kind", "尚未备案的机构请先提交首次备案")
        try:
            with transaction.atomic():
                filing = Filing.objects.create(
                    institution=inst,
                    region_id=inst.region_id,
                    kind=kind,
                    submitted_on=today,
                    documents=sorted(set(documents)),
                    pledge=pledge,
                    note=_clean_text(note)[:500],
                    submitted_by=actor,
                )
        except IntegrityError as exc:
            raise _fail("__all__", "该机构已有一份备案正在处理，请等待处理结果") from exc
        if kind == FilingKind.NEW:
            inst.filing_status = FilingStatus.PENDING
            inst.save(update_fields=["filing_status", "updated_at"])
        _audit(
            actor,
            Action.FILING_SUBMIT,
            inst,
            {"kind": kind, "documents": filing.documents, "pledge": pledge},
        )
    return filing


def missing_documents(filing: Filing) -> list[str]:
    have = set(filing.documents)
    return [label for key, label in FILING_DOCUMENTS if key not in have]


def filing_decide(
    *, actor: User, filing: Filing, receipt: bool, reason: str = "", today: date | None = None
) -> Filing:
    """Answer a filing: a 备案回执 when the material is complete, else what to complete."""
    today = today or timezone.localdate()
    _manage(actor, filing.region_id)
    reason = _clean_text(reason)
    with transaction.atomic():
        f = Filing.objects.select_for_update().get(pk=filing.pk)
        if f.decision != FilingDecision.SUBMITTED:
            raise _fail("__all__", "该备案已处理")
        inst = Institution.objects.select_for_update().get(pk=f.institution_id)
        if receipt and (gaps := missing_documents(f)):
            raise _fail("__all__", "材料不齐，不能出具回执，缺：" + "、".join(gaps))
        if not receipt and not reason:
            raise _fail("reason", "请写明需补正的材料或事项")
        f.decision = FilingDecision.RECEIPT if receipt else FilingDecision.INCOMPLETE
        f.decided_on, f.decided_by, f.reason = today, actor, reason[:500]
        if receipt:
            f.receipt_no = f"备{inst.region_id[:6]}{today:%Y}{f.pk:06d}"
            if f.kind == FilingKind.CLOSURE:
                inst.status = OperatingStatus.CLOSED
            else:
                inst.filing_status, inst.filed_on = FilingStatus.FILED, today
        elif f.kind == FilingKind.NEW:
            inst.filing_status = FilingStatus.INCOMPLETE
        f.save()
        inst.save(update_fields=["filing_status", "filed_on", "status", "updated_at"])
        _audit(
            actor,
            Action.FILING_DECIDE,
            inst,
            {"filing": str(f.public_id), "decision": f.decision, "receipt_no": f.receipt_no},
        )
    return f


# --- beds and residents -------------------------------------------------------------------


def bed_add(*, actor: User, institution: Institution, room: str, number: str, kind: str) -> Bed:
    room, number = _clean_text(room)[:20], _clean_text(number)[:20]
    if not room or not number:
        raise _fail("room", "请填写房间号和床号")
    if kind not in BedKind.values:
        raise _fail("kind", "请选择床位类型")
    with transaction.atomic():
        inst = _own(actor, institution)
        if Bed.objects.filter(institution=inst, room=room, number=number).exists():
            raise _fail("number", f"{room}房间已有{number}号床")
        bed = Bed.objects.create(institution=inst, room=room, number=number, kind=kind)
        _audit(actor, Action.BED_ADD, inst, {"bed": f"{room}-{number}", "kind": kind})
    return bed


# A monthly fee item at or above this is a typing slip (a 10-digit amount field, 元).
MAX_MONTHLY_FEE = Decimal(1_000_000)


def resident_admit(
    *,
    actor: User,
    institution: Institution,
    id_number: str,
    bed: Bed | None,
    start: date,
    contract_to: date | None = None,
    bed_fee: Decimal | None = None,
    care_fee: Decimal | None = None,
    meal_fee: Decimal | None = None,
    care_grade: str = "",
    today: date | None = None,
) -> Residency:
    """Admit a ledger person (matched by ID number only). Where they live becomes the
    institution (a life event: people follow it, visits drop them from home rosters)."""
    today = today or timezone.localdate()
    number = idnumber.normalise(id_number)
    errors: dict[str, list[str]] = {}
    if start > today:
        errors["start"] = ["入住日期不能晚于今天"]
    if contract_to is not None and contract_to < start:
        errors["contract_to"] = ["合同截止日期不能早于入住日期"]
    fees = {"bed_fee": bed_fee, "care_fee": care_fee, "meal_fee": meal_fee}
    for key, fee in fees.items():
        if fee is not None and not 0 <= fee < MAX_MONTHLY_FEE:
            errors[key] = [f"收费应在0到{MAX_MONTHLY_FEE:,}元之间"]
    given = [f for f in fees.values() if f is not None]
    person = Person.objects.filter(id_number_hash=crypto.lookup_hash(number)).first()
    if person is None:
        # Never disclose whether the number is on the ledger elsewhere.
        errors["id_number"] = ["台账中没有该身份证号码的老人，请先由所在村（社区）登记"]
    elif person.life_status != LifeStatus.ALIVE:
        errors["id_number"] = ["该老人已注销（死亡或迁出），不能办理入住"]
    if errors:
        raise InstitutionInvalid(errors)
    assert person is not None
    with transaction.atomic():
        inst = _own(actor, institution)
        if inst.status != OperatingStatus.OPERATING:
            raise _fail("__all__", f"机构状态为“{inst.get_status_display()}”，不能办理入住")
        if bed is not None:
            bed = Bed.objects.select_for_update().filter(pk=bed.pk, institution=inst).first()
            if bed is None or bed.status != BedStatus.FREE:
                raise _fail("bed", "该床位不空闲，请选择其他床位")
        if Residency.objects.filter(person=person, end__isnull=True).exists():
            raise _fail("id_number", "该老人已在一家养老机构入住，请先办理离院")
        residency = Residency.objects.create(
            institution=inst,
            region_id=inst.region_id,
            person=person,
            bed=bed,
            start=start,
            contract_from=start,
            contract_to=contract_to,
            **fees,
            monthly_fee=sum(given, Decimal(0)) if given else None,
            # The care grade comes from the latest confirmed ability assessment unless given
            # (issue 11 part 2: "care grade from their assessment").
            care_grade=_clean_text(care_grade)[:32] or _assessed_grade(person),
        )
        if bed is not None:
            Bed.objects.filter(pk=bed.pk).update(status=BedStatus.OCCUPIED)
        if inst.first_admission_on is None or start < inst.first_admission_on:
            inst.first_admission_on = start
            inst.save(update_fields=["first_admission_on", "updated_at"])
        people_services.person_set_dwelling(
            actor=actor,
            person=person,
            in_institution=True,
            region_code=inst.region_id,
            place=inst.name,
            on=start,
            via="institution",
        )
        _audit(
            actor,
            Action.ADMIT,
            inst,
            {"person": str(person.public_id), "bed": str(bed or ""), "start": str(start)},
            label=f"{inst.name}：{person.name}入住",
        )
    return residency


def latest_grade(person: Person) -> int | None:
    """The final grade of the person's latest confirmed ability assessment (GB/T 42195)."""
    a = (
        Assessment.objects.filter(person=person, status=AssessmentStatus.FINAL)
        .exclude(final_grade=None)
        .order_by("-assessment_date", "-id")
        .first()
    )
    return a.final_grade if a is not None else None


def _assessed_grade(person: Person) -> str:
    grade = latest_grade(person)
    return "" if grade is None else GRADE_LABELS.get(grade, "")[:32]


def resident_discharge(
    *,
    actor: User,
    residency: Residency,
    end: date,
    reason: str,
    home_region_code: str = "",
    today: date | None = None,
) -> Residency:
    """Discharge: home again (the village given, or the institution's) or to another home.
    A death is recorded on the ledger (people), which ends the stay through the hooks."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if reason not in (EndReason.DISCHARGE, EndReason.TRANSFER):
        errors["reason"] = ["请选择离院原因（去世请在老年人台账中登记死亡）"]
    if end > today or end < residency.start:
        errors["end"] = ["离院日期应在入住日期与今天之间"]
    if errors:
        raise InstitutionInvalid(errors)
    with transaction.atomic():
        inst = _own(actor, residency.institution)
        r = Residency.objects.select_for_update().get(pk=residency.pk)
        if r.end is not None:
            raise _fail("__all__", "该老人已离院")
        r.end, r.end_reason = end, reason
        r.save(update_fields=["end", "end_reason"])
        if r.bed_id is not None:
            Bed.objects.filter(pk=r.bed_id).update(status=BedStatus.FREE)
        person = Person.objects.get(pk=r.person_id)
        people_services.person_set_dwelling(
            actor=actor,
            person=person,
            in_institution=False,
            region_code=home_region_code or person.region_id,
            place="",
            on=end,
            via="institution",
        )
        _audit(
            actor,
            Action.DISCHARGE,
            inst,
            {"person": str(person.public_id), "end": str(end), "reason": reason},
            label=f"{inst.name}：{person.name}离院",
        )
    return r
