"""The only code that writes the ledger. Each function: keyword arguments, an explicit actor,
one transaction, a scope check, the change, one audit event."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import READ_RECORDS, WRITE_RECORDS, in_scope, require_in_scope
from yanglao.core import crypto, idnumber
from yanglao.core.audit import Action, audit, diff
from yanglao.people import hooks
from yanglao.people.choices import (
    DERIVED_CATEGORIES,
    SYSTEM_CATEGORIES,
    Category,
    DementiaSource,
    Dwelling,
    LifeStatus,
    TagSource,
)
from yanglao.people.models import (
    Dementia,
    Disability,
    EmergencyContact,
    Household,
    Person,
    PersonCategory,
)
from yanglao.people.rules import (
    PersonInput,
    check_dementia,
    check_disability,
    check_person,
    normalise_certificate,
)
from yanglao.regions import codes
from yanglao.regions.idprefix import is_known_prefix
from yanglao.regions.models import Region


class PersonInvalid(Exception):
    """Field errors in Chinese, keyed by field name; '__all__' for the record as a whole."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class StaleVersion(Exception):
    """The record changed since the user loaded it; never overwrite silently."""

    def __init__(self, current: int) -> None:
        super().__init__(f"当前版本为 {current}")
        self.current = current


class NotPermitted(Exception):
    pass


def _require(actor: User, cap: str) -> None:
    if not actor.can(cap):
        raise NotPermitted(cap)


def _snapshot(p: Person) -> dict[str, Any]:
    """Audited view of a person: identifiers only masked, never in clear."""
    return {
        "name": p.name,
        "sex": p.sex,
        "birth_date": str(p.birth_date),
        "ethnicity": p.ethnicity,
        "id_number": p.id_number_masked,
        "education": p.education,
        "living_arrangement": p.living_arrangement,
        "marital_status": p.marital_status,
        "medical_payment": p.medical_payment,
        "income_sources": p.income_sources,
        "region": p.region_id,
        "household_region": p.household_region_id,
        "dwelling": p.dwelling,
        "address": p.address,
        "phone": p.phone_masked,
        "household": p.household.household_no if p.household_id and p.household else "",
        "life_status": p.life_status,
        "status_date": str(p.status_date) if p.status_date else None,
        "status_reason": p.status_reason,
        "contacts": [f"{c.name}/{c.relation}/{c.phone_masked}" for c in p.contacts.all()]
        if p.pk
        else [],
    }


def _village(code: str, actor: User, errors: dict[str, list[str]]) -> Region | None:
    try:
        code12 = codes.pad(code)
    except ValueError:
        errors.setdefault("region_code", []).append("请选择居住的村（社区）")
        return None
    region = Region.objects.filter(code=code12).first()
    if region is None or region.level != codes.VILLAGE:
        errors.setdefault("region_code", []).append("居住地须是一个村（社区）")
        return None
    if region.valid_to is not None:
        errors.setdefault("region_code", []).append(f"{region.name}已停用，请选择现行的村（社区）")
        return None
    if not in_scope(actor, region.code, WRITE_RECORDS):
        errors.setdefault("region_code", []).append(f"{region.name}不在您的辖区内")
        return None
    return region


def _household_region(code: str, errors: dict[str, list[str]]) -> Region | None:
    """户籍地: a current region at county level or below, anywhere (no scope: a person may
    be registered elsewhere). Blank means the residence village (resolved by the caller)."""
    if not code or "household_region_code" in errors:
        return None
    try:
        code12 = codes.pad(code)
    except ValueError:
        errors.setdefault("household_region_code", []).append("户籍地区划代码不正确")
        return None
    region = Region.objects.filter(code=code12).first()
    if region is None:
        errors.setdefault("household_region_code", []).append(f"未找到区划代码{code}")
    elif region.level < codes.COUNTY:
        errors.setdefault("household_region_code", []).append("户籍地须至少具体到县（市、区）")
    elif region.valid_to is not None:
        errors.setdefault("household_region_code", []).append(
            f"{region.name}已停用，请填写现行的区划"
        )
    else:
        return region
    return None


def _validate(
    data: PersonInput, actor: User, today: date, *, exclude_pk: int | None
) -> tuple[PersonInput, Region | None, list[str]]:
    from yanglao.people.policy import min_age_for

    min_age = min_age_for(data.region_code, today) if len(data.region_code) == 12 else 60
    data, errors, warnings = check_person(
        data, today=today, known_prefix=is_known_prefix, min_age=min_age
    )
    region = _village(data.region_code, actor, errors)
    hukou = _household_region(data.household_region_code, errors)
    if hukou is not None:
        data.household_region_code = hukou.code
    if "id_number" not in errors:
        clash = Person.objects.filter(id_number_hash__in=crypto.lookup_hashes(data.id_number))
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        other = clash.only("region_id", "name").first()
        if other is not None:
            where = "本辖区" if in_scope(actor, other.region_id, READ_RECORDS) else "其他地区"
            errors.setdefault("id_number", []).append(
                f"该身份证号码已在{where}登记，一人只能登记一次"
            )
    if errors:
        raise PersonInvalid(errors)
    return data, region, warnings


def _apply(p: Person, data: PersonInput, region: Region) -> None:
    p.name, p.sex, p.birth_date = data.name, data.sex, data.birth_date  # type: ignore[assignment]
    p.ethnicity, p.education, p.marital_status = data.ethnicity, data.education, data.marital_status
    p.living_arrangement = sorted(data.living_arrangement)
    p.medical_payment = sorted(data.medical_payment)
    p.income_sources = sorted(data.income_sources)
    p.region = region
    p.household_region_id = data.household_region_code or region.code
    p.dwelling = data.dwelling
    p.address = data.address
    if data.id_number != (p.id_number if p.id_number_cipher else None):
        p.id_number_cipher = crypto.encrypt(data.id_number)
        p.id_number_hash = crypto.lookup_hash(data.id_number)
        p.id_number_masked = idnumber.mask(data.id_number)
    p.phone_cipher = crypto.encrypt(data.phone)
    p.phone_hash = crypto.lookup_hash(data.phone)
    p.phone_masked = crypto.mask_phone(data.phone)
    if data.household_no:
        p.household, _ = Household.objects.get_or_create(
            region=region, household_no=data.household_no, defaults={"address": data.address}
        )
    else:
        p.household = None


def _save_contacts(p: Person, data: PersonInput) -> None:
    p.contacts.all().delete()
    EmergencyContact.objects.bulk_create(
        EmergencyContact(
            person=p,
            position=i,
            name=c.name,
            relation=c.relation,
            phone_cipher=crypto.encrypt(c.phone),
            phone_masked=crypto.mask_phone(c.phone),
        )
        for i, c in enumerate(data.contacts, start=1)
    )


def person_register(
    *, actor: User, data: PersonInput, today: date | None = None, via: str = "form"
) -> tuple[Person, list[str]]:
    """Register a new older person in a village inside the actor's edit jurisdiction."""
    _require(actor, Cap.PERSON_EDIT)
    today = today or timezone.localdate()
    with transaction.atomic():
        data, region, warnings = _validate(data, actor, today, exclude_pk=None)
        assert region is not None
        p = Person(created_by=actor)
        _apply(p, data, region)
        try:
            with transaction.atomic():
                p.save()
        except IntegrityError as exc:  # a concurrent registration of the same number
            raise PersonInvalid({"id_number": ["该身份证号码已登记，一人只能登记一次"]}) from exc
        _save_contacts(p, data)
        audit(
            actor=actor,
            action=Action.PERSON_CREATE,
            object_type="person",
            object_id=str(p.public_id),
            object_label=p.name,
            region_code=p.region_id,
            changes={"new": _snapshot(p), "warnings": warnings},
        )
        hooks.persons_registered.send(
            hooks.EventContext(actor=actor, today=today, via=via),
            [hooks.Registered(person_id=p.pk, region_id=p.region_id)],
        )
    return p, warnings


def _lock(person: Person, expected_version: int) -> Person:
    locked = (
        Person.objects.select_for_update(of=("self",)).select_related("household").get(pk=person.pk)
    )
    if locked.version != expected_version:
        raise StaleVersion(locked.version)
    return locked


def person_update(
    *,
    actor: User,
    person: Person,
    data: PersonInput,
    expected_version: int,
    today: date | None = None,
    via: str = "form",
) -> tuple[Person, list[str]]:
    """Correct a record or record a move to another village (a life event the other
    modules follow, people.hooks). Refused with StaleVersion if someone saved it in between."""
    _require(actor, Cap.PERSON_EDIT)
    require_in_scope(actor, person.region_id, WRITE_RECORDS)
    today = today or timezone.localdate()
    with transaction.atomic():
        p = _lock(person, expected_version)
        if p.life_status != LifeStatus.ALIVE:
            raise PersonInvalid({"__all__": ["已注销（死亡或迁出）的记录不能修改"]})
        data, region, warnings = _validate(data, actor, today, exclude_pk=p.pk)
        assert region is not None
        before = _snapshot(p)
        old_region, old_dwelling = p.region_id, p.dwelling
        _apply(p, data, region)
        p.version += 1
        p.save()
        _save_contacts(p, data)
        changes = diff(before, _snapshot(p))
        audit(
            actor=actor,
            action=Action.PERSON_UPDATE,
            object_type="person",
            object_id=str(p.public_id),
            object_label=p.name,
            region_code=p.region_id,
            changes={"changed": changes, "version": p.version},
        )
        _send_changes(
            hooks.EventContext(actor=actor, today=today, via=via),
            p,
            old_region,
            old_dwelling,
            today,
        )
    return p, warnings


def _send_changes(
    ctx: hooks.EventContext, p: Person, old_region: str, old_dwelling: str, on: date
) -> None:
    if p.region_id != old_region:
        hooks.persons_moved.send(ctx, [hooks.Moved(p.pk, old_region, p.region_id, on)])
    if p.dwelling != old_dwelling:
        hooks.dwelling_changed.send(ctx, [hooks.DwellingChanged(p.pk, p.region_id, p.dwelling, on)])


def person_set_dwelling(
    *,
    actor: User,
    person: Person,
    in_institution: bool,
    region_code: str,
    place: str,
    on: date,
    via: str,
) -> Person:
    """Admission to or discharge from an institution (called by institutions in its own
    transaction): where the person lives and, when it differs, their residence village
    change together, and the other modules follow (people.hooks). The caller has checked
    its own scope (an operator is bound to the institution, not to the person's village)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("person_set_dwelling must run inside the caller's transaction")
    region = Region.objects.filter(code=region_code, level=codes.VILLAGE).first()
    if region is None:
        raise PersonInvalid({"region_code": ["居住地须是一个村（社区）"]})
    p = Person.objects.select_for_update(of=("self",)).get(pk=person.pk)
    if p.life_status != LifeStatus.ALIVE:
        raise PersonInvalid({"__all__": ["已注销（死亡或迁出）的老人不能办理入住或离院"]})
    old_region, old_dwelling = p.region_id, p.dwelling
    p.dwelling = Dwelling.INSTITUTION if in_institution else Dwelling.HOME
    p.region = region
    if in_institution and place:
        p.address = place[:200]
    p.version += 1
    p.save(update_fields=["dwelling", "region", "address", "version", "updated_at"])
    audit(
        actor=actor,
        action=Action.PERSON_UPDATE,
        object_type="person",
        object_id=str(p.public_id),
        object_label=p.name,
        region_code=p.region_id,
        changes={
            "changed": {
                k: v
                for k, v in {
                    "dwelling": [old_dwelling, p.dwelling],
                    "region_code": [old_region, p.region_id],
                }.items()
                if v[0] != v[1]
            },
            "via": via,
            "date": str(on),
            "version": p.version,
        },
    )
    _send_changes(
        hooks.EventContext(actor=actor, today=on, via=via), p, old_region, old_dwelling, on
    )
    return p


def _close(
    *,
    actor: User,
    person: Person,
    status: str,
    on: date,
    reason: str,
    expected_version: int,
    action: str,
    today: date | None,
    via: str,
) -> Person:
    _require(actor, Cap.PERSON_EDIT)
    require_in_scope(actor, person.region_id, WRITE_RECORDS)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if on > today:
        errors["date"] = ["日期不能晚于今天"]
    if on < person.birth_date:
        errors["date"] = ["日期不能早于出生日期"]
    if not reason.strip():
        errors["reason"] = ["请填写原因或去向"]
    if errors:
        raise PersonInvalid(errors)
    with transaction.atomic():
        p = _lock(person, expected_version)
        if p.life_status != LifeStatus.ALIVE:
            raise PersonInvalid({"__all__": [f"该老人已是“{p.get_life_status_display()}”状态"]})
        p.life_status, p.status_date, p.status_reason = status, on, reason.strip()[:200]
        p.version += 1
        p.save(
            update_fields=["life_status", "status_date", "status_reason", "version", "updated_at"]
        )
        # Category tags end with the person's life on the ledger.
        ended = PersonCategory.objects.filter(person=p, end_date__isnull=True).update(end_date=on)
        audit(
            actor=actor,
            action=action,
            object_type="person",
            object_id=str(p.public_id),
            object_label=p.name,
            region_code=p.region_id,
            changes={
                "life_status": [LifeStatus.ALIVE, status],
                "date": str(on),
                "reason": p.status_reason,
                "tags_ended": ended,
                "version": p.version,
            },
        )
        # Payments stop from the next month (benefits, §4.4) and open visit tasks end
        # (visits, issue 5 part 3): the apps above follow in this same transaction.
        hooks.persons_closed.send(
            hooks.EventContext(actor=actor, today=today, via=via, note=p.status_reason),
            [hooks.Closed(p.pk, p.region_id, status, on)],
        )
    return p


def person_record_death(
    *,
    actor: User,
    person: Person,
    on: date,
    reason: str,
    expected_version: int,
    today: date | None = None,
    via: str = "form",
) -> Person:
    return _close(
        actor=actor,
        person=person,
        status=LifeStatus.DECEASED,
        on=on,
        reason=reason,
        expected_version=expected_version,
        action=Action.PERSON_DEATH,
        today=today,
        via=via,
    )


def person_record_move_out(
    *,
    actor: User,
    person: Person,
    on: date,
    reason: str,
    expected_version: int,
    today: date | None = None,
    via: str = "form",
) -> Person:
    return _close(
        actor=actor,
        person=person,
        status=LifeStatus.MOVED_OUT,
        on=on,
        reason=reason,
        expected_version=expected_version,
        action=Action.PERSON_MOVE_OUT,
        today=today,
        via=via,
    )


def person_category_add(
    *,
    actor: User | None,
    person: Person,
    category: str,
    start: date,
    source: str = TagSource.MANUAL,
    note: str = "",
    grade: str = "",
    system: bool = False,
    via: str = "form",
) -> PersonCategory:
    """Open a category tag. 失能 only through assessments (system=True)."""
    if actor is not None and not system:
        _require(actor, Cap.PERSON_EDIT)
        require_in_scope(actor, person.region_id, WRITE_RECORDS)
    if category not in Category.values:
        raise PersonInvalid({"category": ["未知的类别"]})
    if category in SYSTEM_CATEGORIES and not system:
        raise PersonInvalid({"category": ["“失能”由能力评估结果自动设置，不能手工添加"]})
    if category in DERIVED_CATEGORIES:
        raise PersonInvalid(
            {"category": ["“重残”由残疾信息（一级、二级残疾）确定，请登记残疾信息，不能手工添加"]}
        )
    if start < person.birth_date:
        raise PersonInvalid({"start_date": ["开始日期不能早于出生日期"]})
    with transaction.atomic():
        if PersonCategory.objects.filter(
            person=person, category=category, end_date__isnull=True
        ).exists():
            raise PersonInvalid({"category": ["该类别已存在且尚未结束"]})
        tag = PersonCategory.objects.create(
            person=person,
            category=category,
            start_date=start,
            source=source,
            note=note[:200],
            grade=grade,
            created_by=actor,
        )
        audit(
            actor=actor,
            action=Action.PERSON_CATEGORY_ADD,
            object_type="person",
            object_id=str(person.public_id),
            object_label=person.name,
            region_code=person.region_id,
            changes={
                "category": category,
                "grade": grade,
                "start_date": str(start),
                "source": source,
                "note": note,
            },
        )
        hooks.categories_changed.send(
            hooks.EventContext(actor=actor, today=timezone.localdate(), via=via),
            [hooks.CategoryChanged(person.pk, person.region_id, category, True, start)],
        )
    return tag


def person_category_end(
    *, actor: User, tag: PersonCategory, end: date, via: str = "form"
) -> PersonCategory:
    _require(actor, Cap.PERSON_EDIT)
    person = tag.person
    require_in_scope(actor, person.region_id, WRITE_RECORDS)
    if tag.category in SYSTEM_CATEGORIES:
        raise PersonInvalid({"category": ["“失能”由能力评估结果维护，不能手工结束"]})
    if tag.end_date is not None:
        raise PersonInvalid({"end_date": ["该类别已结束"]})
    if end < tag.start_date:
        raise PersonInvalid({"end_date": ["结束日期不能早于开始日期"]})
    with transaction.atomic():
        tag.end_date = end
        tag.save(update_fields=["end_date"])
        audit(
            actor=actor,
            action=Action.PERSON_CATEGORY_END,
            object_type="person",
            object_id=str(person.public_id),
            object_label=person.name,
            region_code=person.region_id,
            changes={"category": tag.category, "end_date": str(end)},
        )
        hooks.categories_changed.send(
            hooks.EventContext(actor=actor, today=timezone.localdate(), via=via),
            [hooks.CategoryChanged(person.pk, person.region_id, tag.category, False, end)],
        )
    return tag


def person_reveal(*, actor: User, person: Person, field: str) -> str:
    """The full ID or phone number, for those allowed; every reveal is audited."""
    _require(actor, Cap.PERSON_REVEAL)
    require_in_scope(actor, person.region_id, READ_RECORDS)
    if field not in {"id_number", "phone"}:
        raise ValueError(field)
    value = person.id_number if field == "id_number" else person.phone
    with transaction.atomic():
        audit(
            actor=actor,
            action=Action.PERSON_REVEAL,
            object_type="person",
            object_id=str(person.public_id),
            object_label=person.name,
            region_code=person.region_id,
            changes={"field": field},
        )
    return value


# --- facts: disability (残疾) and dementia (失智) -------------------------------------------


class FactAction:
    """Audit action names of the person facts (labels in core.audit.ACTION_LABELS)."""

    DISABILITY_ADD = "person.disability_add"
    DISABILITY_END = "person.disability_end"
    DEMENTIA_ADD = "person.dementia_add"
    DEMENTIA_END = "person.dementia_end"


def _fact_audit(actor: User | None, action: str, person: Person, changes: dict[str, Any]) -> None:
    audit(
        actor=actor,
        action=action,
        object_type="person",
        object_id=str(person.public_id),
        object_label=person.name,
        region_code=person.region_id,
        changes=changes,
    )


def _fact_writer(actor: User, person: Person) -> None:
    _require(actor, Cap.PERSON_EDIT)
    require_in_scope(actor, person.region_id, WRITE_RECORDS)
    if person.life_status != LifeStatus.ALIVE:
        raise PersonInvalid({"__all__": ["已注销（死亡或迁出）的记录不能修改"]})


def disability_add(
    *,
    actor: User,
    person: Person,
    kind: str,
    grade: str,
    certificate: str,
    issue_date: date | None,
    note: str = "",
    today: date | None = None,
) -> Disability:
    """Record a certified disability (残疾人证). A person holds one at a time: a new
    certificate (e.g. re-graded) ends the open record on the new issue date."""
    _fact_writer(actor, person)
    today = today or timezone.localdate()
    cert = normalise_certificate(certificate)
    errors = check_disability(
        kind=kind,
        grade=grade,
        certificate=cert,
        issue_date=issue_date,
        id_number=person.id_number,
        today=today,
        birth_date=person.birth_date,
    )
    if errors or issue_date is None:
        raise PersonInvalid(errors)
    with transaction.atomic():
        open_row = (
            Disability.objects.select_for_update()
            .filter(person=person, end_date__isnull=True)
            .first()
        )
        ended = None
        if open_row is not None:
            if open_row.start_date > issue_date:
                raise PersonInvalid({"issue_date": ["发证日期早于现有残疾信息的开始日期，请核对"]})
            open_row.end_date = issue_date
            open_row.save(update_fields=["end_date"])
            ended = {"id": open_row.pk, "grade": open_row.grade, "end_date": str(issue_date)}
        row = Disability.objects.create(
            person=person,
            kind=kind,
            grade=grade,
            certificate_cipher=crypto.encrypt(cert),
            certificate_masked=idnumber.mask(cert[:18]) + cert[18:],
            issue_date=issue_date,
            start_date=issue_date,
            source=TagSource.MANUAL,
            note=note.strip()[:200],
            created_by=actor,
        )
        _fact_audit(
            actor,
            FactAction.DISABILITY_ADD,
            person,
            {
                "kind": kind,
                "grade": grade,
                "certificate": row.certificate_masked,
                "issue_date": str(issue_date),
                "ended": ended,
            },
        )
    return row


def disability_end(*, actor: User, row: Disability, end: date) -> Disability:
    """The certificate is cancelled or no longer valid (注销、过期未换领)."""
    person = row.person
    _fact_writer(actor, person)
    if row.end_date is not None:
        raise PersonInvalid({"end_date": ["该残疾信息已结束"]})
    if end < row.start_date:
        raise PersonInvalid({"end_date": ["结束日期不能早于开始日期"]})
    with transaction.atomic():
        row.end_date = end
        row.save(update_fields=["end_date"])
        _fact_audit(actor, FactAction.DISABILITY_END, person, {"id": row.pk, "end_date": str(end)})
    return row


def dementia_add(
    *,
    actor: User | None,
    person: Person,
    source: str,
    diagnosed_on: date | None,
    reference: str = "",
    note: str = "",
    system: bool = False,
    today: date | None = None,
) -> Dementia | None:
    """Record 失智. By hand (医院诊断/评估/其他 with the date), or by a confirmed ability
    assessment (system=True, source 能力评估). An open record already held: nothing new
    (returns None), the earliest diagnosis stands."""
    if actor is not None and not system:
        _fact_writer(actor, person)
    if source == DementiaSource.ASSESSMENT and not system and not reference.strip():
        raise PersonInvalid({"reference": ["来源为能力评估时请填写评估编号"]})
    errors = check_dementia(
        source=source,
        diagnosed_on=diagnosed_on,
        today=today or timezone.localdate(),
        birth_date=person.birth_date,
    )
    if errors or diagnosed_on is None:
        raise PersonInvalid(errors)
    with transaction.atomic():
        if Dementia.objects.filter(person=person, end_date__isnull=True).exists():
            if system:
                return None
            raise PersonInvalid({"__all__": ["已登记失智"]})
        row = Dementia.objects.create(
            person=person,
            diagnosed_on=diagnosed_on,
            source=source,
            reference=reference.strip()[:100],
            note=note.strip()[:200],
            created_by=actor,
        )
        _fact_audit(
            actor,
            FactAction.DEMENTIA_ADD,
            person,
            {"source": source, "diagnosed_on": str(diagnosed_on), "reference": row.reference},
        )
    return row


def dementia_end(*, actor: User, row: Dementia, note: str) -> Dementia:
    """Withdraw a 失智 record entered in error (a diagnosis is not "cured"): the record then
    never counted (end date = diagnosis date); the reason is required and audited."""
    person = row.person
    _fact_writer(actor, person)
    if row.end_date is not None:
        raise PersonInvalid({"__all__": ["该失智登记已撤销"]})
    if not note.strip():
        raise PersonInvalid({"note": ["请填写撤销原因"]})
    with transaction.atomic():
        row.end_date = row.diagnosed_on
        row.note = note.strip()[:200]
        row.save(update_fields=["end_date", "note"])
        _fact_audit(actor, FactAction.DEMENTIA_END, person, {"id": row.pk, "note": row.note})
    return row
