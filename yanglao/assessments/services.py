"""The only code that writes assessments. Each function: keyword arguments, an explicit actor,
one transaction, a scope check, the change, one audit event (confirming also opens the
失能 tag through people.services, which records its own event)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import READ_RECORDS, require_in_scope
from yanglao.assessments import ltc, scoring
from yanglao.assessments.choices import (
    DISEASE_LABELS,
    ConfigStatus,
    ProviderRelation,
    Reason,
    Standard,
    Status,
)
from yanglao.assessments.models import (
    Assessment,
    AssessmentPolicy,
    ReassessmentRequest,
    ScoringConfig,
)
from yanglao.core import crypto
from yanglao.core.audit import audit, diff
from yanglao.people.choices import Category, DementiaSource, LifeStatus, TagSource
from yanglao.people.models import Person, PersonCategory
from yanglao.people.services import NotPermitted, dementia_add, person_category_add


class Action:
    """Audit action names of this app (core.audit.Action holds the ledger's)."""

    CREATE = "assessment.create"
    UPDATE = "assessment.update"
    SUBMIT = "assessment.submit"
    RETURN = "assessment.return"
    CONFIRM = "assessment.confirm"
    REQUEST = "assessment.reassessment_request"
    CONFIG = "assessment.config_publish"


class AssessmentInvalid(Exception):
    """Field errors in Chinese, keyed by field name or item code."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _fail(field_name: str, message: str) -> AssessmentInvalid:
    return AssessmentInvalid({field_name: [message]})


def _require_assessor(actor: User, person: Person) -> None:
    if not actor.can(Cap.ASSESSMENT_DO):
        raise NotPermitted(Cap.ASSESSMENT_DO)
    require_in_scope(actor, person.region_id, READ_RECORDS)


def _event(actor: User | None, action: str, a: Assessment, changes: dict[str, Any]) -> None:
    audit(
        actor=actor,
        action=action,
        object_type="assessment",
        object_id=str(a.public_id),
        object_label=f"{a.person.name} {a.number}",
        region_code=a.person.region_id,
        changes=changes,
    )


def _person_snapshot(p: Person) -> dict[str, Any]:
    """A.2 as it stood at the assessment (identifiers masked)."""
    return {
        "name": p.name,
        "sex": p.get_sex_display(),
        "birth_date": str(p.birth_date),
        "ethnicity": p.ethnicity,
        "id_number": p.id_number_masked,
        "education": p.get_education_display(),
        "marital_status": p.get_marital_status_display(),
        "living_arrangement": list(p.living_arrangement),
        "medical_payment": list(p.medical_payment),
        "income_sources": list(p.income_sources),
        "region": p.region_id,
        "address": p.address,
    }


def assessment_start(
    *,
    actor: User,
    person: Person,
    reason: str,
    assessment_date: date,
    standard: str = Standard.GBT_42195,
    supersedes: Assessment | None = None,
    location: str = "",
) -> Assessment:
    """Open a draft. A correction names the final assessment it supersedes (reason 复评)."""
    _require_assessor(actor, person)
    if reason not in Reason.values:
        raise _fail("reason", "请选择评估原因")
    if standard not in Standard.values:
        raise _fail("standard", "未知的评估标准")
    if person.life_status != LifeStatus.ALIVE:
        raise _fail("__all__", f"该老年人已{person.get_life_status_display()}，不能评估")
    today = timezone.localdate()
    if assessment_date > today:
        raise _fail("assessment_date", "评估基准日期不能晚于今天")
    if assessment_date < person.birth_date:
        raise _fail("assessment_date", "评估基准日期不能早于出生日期")
    if supersedes is not None:
        if supersedes.person_id != person.pk or supersedes.status != Status.FINAL:
            raise _fail("supersedes", "只能更正该老年人已确认的评估")
        if reason != Reason.REVIEW:
            raise _fail("reason", "更正已确认的评估须以“复评”为原因")
        if assessment_date < supersedes.assessment_date:
            raise _fail("assessment_date", "复评日期不能早于被更正评估的日期")
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if Assessment.objects.filter(
            person=person, status__in=[Status.DRAFT, Status.SUBMITTED]
        ).exists():
            raise _fail("__all__", "该老年人已有未完成的评估，请先完成或复核")
        a = Assessment.objects.create(
            person=person,
            standard=standard,
            reason=reason,
            assessment_date=assessment_date,
            location=location[:100],
            supersedes=supersedes,
            basic=_person_snapshot(person),
            assessor=actor,
        )
        a.number = f"PG{assessment_date:%Y%m%d}{a.pk:06d}"
        a.save(update_fields=["number"])
        _event(
            actor,
            Action.CREATE,
            a,
            {
                "person": str(person.public_id),
                "standard": standard,
                "reason": reason,
                "assessment_date": str(assessment_date),
                "supersedes": str(supersedes.public_id) if supersedes else None,
            },
        )
    return a


@dataclass
class AssessmentData:
    """What the assessor enters (A.1–A.5, B). Scores are never taken from here."""

    assessment_date: date | None = None
    location: str = ""
    height_cm: str = ""
    weight_kg: str = ""
    religion: str = ""
    risk_events: dict[str, int] = field(default_factory=dict)
    provider_name: str = ""
    provider_relation: str = ""
    contact_name: str = ""
    contact_phone: str | None = None  # None: keep the stored number
    diseases: list[str] = field(default_factory=list)
    diagnoses: list[dict[str, Any]] = field(default_factory=list)
    medications: list[dict[str, str]] = field(default_factory=list)
    health: dict[str, Any] = field(default_factory=dict)
    coma: bool = False
    b39_state: str = ""
    items: dict[str, Any] = field(default_factory=dict)


def _engine_input(a: Assessment) -> scoring.GbtInput:
    return scoring.GbtInput(
        items=a.items,
        coma=a.coma,
        b39_state=a.b39_state or None,
        diagnoses=[
            scoring.Diagnosis(
                icd=str(d.get("icd", "")),
                diagnosed_by=str(d.get("diagnosed_by", "unknown")),
                confirmed=bool(d.get("confirmed")),
            )
            for d in a.diagnoses
        ],
        risk_events=a.risk_events,
    )


def ltc_config(on: date | None = None) -> ScoringConfig | None:
    on = on or timezone.localdate()
    return (
        ScoringConfig.objects.filter(standard=Standard.LTC_2021, effective_from__lte=on)
        .order_by("-effective_from", "-created_at")
        .first()
    )


def _snapshot(a: Assessment) -> dict[str, Any]:
    return {
        "assessment_date": str(a.assessment_date),
        "location": a.location,
        "basic_extra": {k: a.basic.get(k) for k in ("height_cm", "weight_kg", "religion")},
        "risk_events": a.risk_events,
        "provider": f"{a.provider_name}/{a.provider_relation}",
        "contact": f"{a.contact_name}/{a.contact_phone_masked}",
        "diseases": a.diseases,
        "diagnoses": a.diagnoses,
        "medications": a.medications,
        "health": a.health,
        "coma": a.coma,
        "b39_state": a.b39_state,
        "items": a.items,
    }


def _compute(a: Assessment, *, complete: bool) -> None:
    """Server-side scores. Incomplete drafts get running subtotals only."""
    if a.standard == Standard.LTC_2021:
        cfg = ltc_config(a.assessment_date)
        config = cfg.data if cfg is not None else ltc.DEFAULT_CONFIG
        subs = dict.fromkeys(ltc.DIMENSIONS, 0)
        for code, value in a.items.items():
            item = ltc.ITEM_BY_CODE.get(code)
            if item is not None and isinstance(value, int) and value in item.allowed:
                subs[item.dimension] += value
        a.subtotals, a.total, a.preliminary_grade, a.final_grade, a.reasons = (
            subs,
            None,
            None,
            None,
            [],
        )
        if complete:
            try:
                r = ltc.score(a.items, config)
            except scoring.ScoreInvalid as exc:
                raise AssessmentInvalid(exc.errors) from exc
            a.subtotals = r.subtotals
            a.total = sum(r.subtotals.values())
            a.preliminary_grade = a.final_grade = r.grade
            a.config_version = r.config_version
            a.detail = {"dimension_grades": r.dimension_grades}
        return
    inp = _engine_input(a)
    a.config_version = scoring.STANDARD
    if not complete:
        errors = scoring.validate(inp, require_complete=False)
        if errors:
            raise AssessmentInvalid(errors)
        a.subtotals = scoring.subtotals(scoring.resolved_items(inp))
        a.total = a.preliminary_grade = a.final_grade = None
        a.reasons = []
        return
    try:
        res = scoring.score(inp)
    except scoring.ScoreInvalid as exc:
        raise AssessmentInvalid(exc.errors) from exc
    a.subtotals, a.total = res.subtotals, res.total
    a.preliminary_grade, a.final_grade, a.reasons = (
        res.preliminary_grade,
        res.final_grade,
        res.reasons,
    )


def _locked(a: Assessment) -> Assessment:
    fresh = Assessment.objects.select_for_update().select_related("person").get(pk=a.pk)
    return fresh


def assessment_save(*, actor: User, assessment: Assessment, data: AssessmentData) -> Assessment:
    """Store the answers of a draft (only its own assessor may change it)."""
    person = assessment.person
    _require_assessor(actor, person)
    errors: dict[str, list[str]] = {}
    if data.provider_relation and data.provider_relation not in ProviderRelation.values:
        errors["provider_relation"] = ["请选择与老年人的关系"]
    unknown = [d for d in data.diseases if d not in DISEASE_LABELS]
    if unknown:
        errors["diseases"] = ["未知的疾病诊断"]
    if data.b39_state and data.b39_state not in scoring.B39_STATES:
        errors["b39_state"] = ["请选择意识水平"]
    if data.assessment_date is not None and data.assessment_date > timezone.localdate():
        errors["assessment_date"] = ["评估基准日期不能晚于今天"]
    if errors:
        raise AssessmentInvalid(errors)
    with transaction.atomic():
        a = _locked(assessment)
        if a.status != Status.DRAFT:
            raise _fail("__all__", "评估已提交，不能再修改")
        if a.assessor_id != actor.pk:
            raise NotPermitted("assessment.owner")
        before = _snapshot(a)
        if data.assessment_date is not None:
            a.assessment_date = data.assessment_date
        a.location = data.location[:100]
        a.basic = {
            **a.basic,
            "height_cm": data.height_cm[:10],
            "weight_kg": data.weight_kg[:10],
            "religion": data.religion[:10],
        }
        a.risk_events = dict(data.risk_events)
        a.provider_name = data.provider_name[:50]
        a.provider_relation = data.provider_relation
        a.contact_name = data.contact_name[:50]
        if data.contact_phone is not None:
            phone = data.contact_phone.strip()
            a.contact_phone_cipher = crypto.encrypt(phone) if phone else ""
            a.contact_phone_masked = crypto.mask_phone(phone) if phone else ""
        a.diseases = sorted(set(data.diseases))
        a.diagnoses = data.diagnoses
        a.medications = data.medications
        a.health = data.health
        a.coma = data.coma
        a.b39_state = data.b39_state
        a.items = {k: v for k, v in data.items.items() if v is not None and v != ""}
        _compute(a, complete=False)
        a.save()
        _event(actor, Action.UPDATE, a, diff(before, _snapshot(a)))
    return a


def _check_complete(a: Assessment) -> None:
    errors: dict[str, list[str]] = {}
    if not a.provider_name:
        errors["provider_name"] = ["请填写信息提供者姓名"]
    if not a.provider_relation:
        errors["provider_relation"] = ["请选择信息提供者与老年人的关系"]
    if errors:
        raise AssessmentInvalid(errors)


def assessment_submit(*, actor: User, assessment: Assessment) -> Assessment:
    """The first assessor hands the complete form over for confirmation."""
    _require_assessor(actor, assessment.person)
    with transaction.atomic():
        a = _locked(assessment)
        if a.status != Status.DRAFT:
            raise _fail("__all__", "评估不在填写中，不能提交")
        if a.assessor_id != actor.pk:
            raise NotPermitted("assessment.owner")
        _check_complete(a)
        _compute(a, complete=True)
        a.status = Status.SUBMITTED
        a.submitted_at = timezone.now()
        a.save()
        _event(
            actor,
            Action.SUBMIT,
            a,
            {
                "total": a.total,
                "preliminary_grade": a.preliminary_grade,
                "final_grade": a.final_grade,
                "reasons": a.reasons,
            },
        )
    return a


def assessment_return(*, actor: User, assessment: Assessment, note: str) -> Assessment:
    """The second assessor sends a submitted form back to its assessor."""
    _require_assessor(actor, assessment.person)
    with transaction.atomic():
        a = _locked(assessment)
        if a.status != Status.SUBMITTED:
            raise _fail("__all__", "只能退回待复核的评估")
        if a.assessor_id == actor.pk:
            raise _fail("__all__", "复核须由另一名评估员进行")
        a.status = Status.DRAFT
        a.submitted_at = None
        a.save()
        _event(actor, Action.RETURN, a, {"note": note[:200]})
    return a


def _apply_disabled_tag(actor: User, a: Assessment) -> dict[str, Any]:
    """Move the person's 失能 tag to the final grade; returns what changed (for the audit)."""
    person, on = a.person, a.assessment_date
    assert a.final_grade is not None
    new_grade = scoring.DISABLED_TAG_GRADE.get(a.final_grade, "")
    open_tag = PersonCategory.objects.filter(
        person=person, category=Category.DISABLED, end_date__isnull=True
    ).first()
    changes: dict[str, Any] = {"tag_before": None, "tag_after": new_grade or None}
    if open_tag is not None:
        changes["tag_before"] = open_tag.grade
        if open_tag.start_date > on:
            raise _fail("assessment_date", "评估基准日期早于现有失能标签的开始日期，请核对")
        if open_tag.grade == new_grade:
            changes["tag_after"] = "unchanged"
            return changes
        # System category: people.services refuses manual ending, so it is ended here and
        # recorded in this assessment's audit event.
        open_tag.end_date = on
        open_tag.save(update_fields=["end_date"])
        changes["tag_ended"] = {"start_date": str(open_tag.start_date), "end_date": str(on)}
    if new_grade:
        person_category_add(
            actor=actor,
            person=person,
            category=Category.DISABLED,
            start=on,
            source=TagSource.ASSESSMENT,
            grade=new_grade,
            note=f"能力评估 {a.number}",
            system=True,
        )
    return changes


def _apply_dementia(actor: User, a: Assessment) -> dict[str, Any]:
    """A confirmed 痴呆 diagnosis (F00–F03) records the person's 失智 fact, source 能力评估,
    dated the assessment date (unless one is already recorded)."""
    diagnoses = [
        scoring.Diagnosis(
            icd=str(d.get("icd", "")),
            diagnosed_by=str(d.get("diagnosed_by", "unknown")),
            confirmed=bool(d.get("confirmed", False)),
        )
        for d in a.diagnoses
    ]
    if not any(scoring.is_dementia(d) for d in diagnoses):
        return {}
    row = dementia_add(
        actor=actor,
        person=a.person,
        source=DementiaSource.ASSESSMENT,
        diagnosed_on=a.assessment_date,
        reference=a.number,
        note="能力评估确诊痴呆（F00–F03）",
        system=True,
    )
    return {"dementia": "recorded" if row is not None else "already_recorded"}


def assessment_confirm(*, actor: User, assessment: Assessment) -> Assessment:
    """A second, different assessor confirms: the assessment becomes final and takes effect."""
    _require_assessor(actor, assessment.person)
    with transaction.atomic():
        a = _locked(assessment)
        if a.status != Status.SUBMITTED:
            raise _fail("__all__", "只能确认待复核的评估")
        if a.assessor_id == actor.pk:
            raise _fail("__all__", "复核须由另一名评估员进行，不能确认自己提交的评估")
        _compute(a, complete=True)  # recomputed again: rules may not be bypassed
        a.status = Status.FINAL
        a.confirmer = actor
        a.confirmed_at = timezone.now()
        a.save()
        changes: dict[str, Any] = {
            "total": a.total,
            "preliminary_grade": a.preliminary_grade,
            "final_grade": a.final_grade,
            "reasons": a.reasons,
        }
        if a.standard == Standard.GBT_42195:
            changes.update(_apply_disabled_tag(actor, a))
        changes.update(_apply_dementia(actor, a))
        resolved = ReassessmentRequest.objects.filter(
            person=a.person, resolved_at__isnull=True, requested_at__lte=a.confirmed_at
        ).update(resolved_by=a, resolved_at=a.confirmed_at)
        changes["requests_resolved"] = resolved
        if a.supersedes_id:
            changes["supersedes"] = str(a.supersedes.public_id) if a.supersedes else None
        _event(actor, Action.CONFIRM, a, changes)
    return a


def reassessment_request(
    *, actor: User, person: Person, reason: str, source: str = "visit"
) -> ReassessmentRequest:
    """Hook for the visits capability: a marked change calls for an immediate assessment."""
    if not actor.can(Cap.PERSON_VIEW):
        raise NotPermitted(Cap.PERSON_VIEW)
    require_in_scope(actor, person.region_id, READ_RECORDS)
    reason = reason.strip()
    if not reason:
        raise _fail("reason", "请填写申请即时评估的原因")
    with transaction.atomic():
        req = ReassessmentRequest.objects.create(
            person=person, reason=reason[:200], source=source[:32], requested_by=actor
        )
        audit(
            actor=actor,
            action=Action.REQUEST,
            object_type="person",
            object_id=str(person.public_id),
            object_label=person.name,
            region_code=person.region_id,
            changes={"reason": req.reason, "source": req.source},
        )
    return req


def ltc_config_publish(
    *,
    actor: User,
    version: str,
    data: dict[str, Any],
    effective_from: date,
    confirmed: bool,
    note: str = "",
) -> ScoringConfig:
    """Replace the LTC-2021 bands/matrix with a new version (system administrator)."""
    if not actor.can(Cap.REGION_MANAGE):
        raise NotPermitted(Cap.REGION_MANAGE)
    version = version.strip()
    if not version:
        raise _fail("version", "请填写版本")
    if len(version) > 32:
        raise _fail("version", "版本不能超过32个字符")
    if not isinstance(data, dict):
        raise _fail("data", "配置须为 JSON 对象")
    try:
        ltc.check_config({**data, "version": version})
    except ltc.ConfigInvalid as exc:
        raise _fail("data", str(exc)) from exc
    with transaction.atomic():
        if ScoringConfig.objects.filter(standard=Standard.LTC_2021, version=version).exists():
            raise _fail("version", "该版本已存在")
        cfg = ScoringConfig.objects.create(
            standard=Standard.LTC_2021,
            version=version,
            status=ConfigStatus.CONFIRMED if confirmed else ConfigStatus.TRIAL,
            data={**data, "version": version},
            effective_from=effective_from,
            note=note[:200],
            created_by=actor,
        )
        audit(
            actor=actor,
            action=Action.CONFIG,
            object_type="scoring_config",
            object_id=str(cfg.pk),
            object_label=f"{cfg.standard} {cfg.version}",
            changes={"data": cfg.data, "status": cfg.status, "effective_from": str(effective_from)},
        )
    return cfg


__all__ = ["AssessmentPolicy", "NotPermitted"]
