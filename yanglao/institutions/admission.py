"""Admission requests of public homes, ranked by the published priority order (长春 §18).
Writes audited in the same transaction; reads scoped like the home itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.core import crypto, idnumber
from yanglao.institutions import admission_rules as ar
from yanglao.institutions.choices import Ownership
from yanglao.institutions.models import (
    AdmissionPriority,
    AdmissionRequest,
    AdmissionStatus,
    Institution,
    Residency,
)
from yanglao.institutions.services import InstitutionInvalid, _audit, _fail, _own, latest_grade
from yanglao.people.choices import Category, LifeStatus
from yanglao.people.models import Disability, Person, PersonCategory
from yanglao.people.rules import ADVANCED_AGE, age_on
from yanglao.regions import codes

PUBLIC = (Ownership.PUBLIC, Ownership.PUBLIC_PRIVATE)


def facts(r: AdmissionRequest, on: date) -> ar.Facts:
    p = r.person
    held = Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gt=on))
    tags = set(PersonCategory.objects.filter(held, person=p).values_list("category", flat=True))
    return ar.Facts(
        tekun=Category.EXTREME_POVERTY in tags,
        low_income=bool(tags & {Category.MINIMUM_LIVING, Category.MARGINAL_LOW_INCOME}),
        ability_grade=latest_grade(p),
        disabled_person=Disability.objects.filter(held, person=p).exists(),
        advanced_age=age_on(p.birth_date, on) >= ADVANCED_AGE,
        bereaved_family=Category.BEREAVED_FAMILY in tags,
        declared_solitary=r.declared_solitary,
        declared_military=r.declared_military,
    )


def order_for(region_code: str, on: date) -> tuple[list[str], str]:
    """The priority order in force for a home's village: the nearest level's newest row."""
    ancestors = [*codes.ancestor_codes(region_code, codes.VILLAGE), region_code]
    rows = AdmissionPriority.objects.filter(effective_from__lte=on).filter(
        Q(region__isnull=True) | Q(region_id__in=ancestors)
    )
    best = max(
        rows,
        key=lambda r: (len((r.region_id or "").rstrip("0")), r.effective_from, r.pk),
        default=None,
    )
    if best is None:
        return list(ar.DEFAULT_ORDER), "平台默认（长春市方案第十八条，待核实）"
    return list(best.order), best.document_no


@dataclass(frozen=True)
class Ranked:
    request: AdmissionRequest
    rank: int
    groups: list[str]

    @property
    def labels(self) -> list[str]:
        return [ar.LABELS[g] for g in self.groups]


def waiting_list(institution: Institution, on: date) -> tuple[list[Ranked], str]:
    """The home's waiting requests in admission order: rank, then date applied, then id."""
    order, source = order_for(institution.region_id, on)
    rows = []
    for r in institution.admission_requests.filter(status=AdmissionStatus.WAITING).select_related(
        "person"
    ):
        rank, groups = ar.rank(facts(r, on), order)
        rows.append(Ranked(r, rank, groups))
    rows.sort(key=lambda x: (x.rank, x.request.applied_on, x.request.pk))
    return rows, source


def request_add(
    *,
    actor: User,
    institution: Institution,
    id_number: str,
    declared_solitary: bool = False,
    declared_military: bool = False,
    note: str = "",
    today: date | None = None,
) -> AdmissionRequest:
    today = today or timezone.localdate()
    person = Person.objects.filter(
        id_number_hash=crypto.lookup_hash(idnumber.normalise(id_number))
    ).first()
    if person is None:
        raise _fail("id_number", "台账中没有该身份证号码的老人，请先由所在村（社区）登记")
    if person.life_status != LifeStatus.ALIVE:
        raise _fail("id_number", "该老人已注销（死亡或迁出）")
    with transaction.atomic():
        inst = _own(actor, institution)
        if inst.ownership not in PUBLIC:
            raise _fail("__all__", "轮候与优先顺序只适用于公办、公建民营养老机构")
        if Residency.objects.filter(person=person, end__isnull=True).exists():
            raise _fail("id_number", "该老人已在养老机构入住")
        try:
            with transaction.atomic():
                r = AdmissionRequest.objects.create(
                    institution=inst,
                    region_id=inst.region_id,
                    person=person,
                    applied_on=today,
                    declared_solitary=declared_solitary,
                    declared_military=declared_military,
                    note=note.strip()[:200],
                    recorded_by=actor,
                )
        except IntegrityError as exc:
            raise _fail("id_number", "该老人已在本机构轮候") from exc
        _audit(
            actor,
            "institution.admission_request",
            inst,
            {
                "person": str(person.public_id),
                "solitary": declared_solitary,
                "military": declared_military,
            },
            label=f"{inst.name}：{person.name}申请入住",
        )
    return r


def request_close(
    *,
    actor: User,
    request: AdmissionRequest,
    residency: Residency | None,
    today: date | None = None,
) -> AdmissionRequest:
    """Admitted (with the stay) or withdrawn (without)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        inst = _own(actor, request.institution)
        r = AdmissionRequest.objects.select_for_update().get(pk=request.pk)
        if r.status != AdmissionStatus.WAITING:
            raise InstitutionInvalid({"__all__": ["该申请已办结"]})
        r.status = AdmissionStatus.ADMITTED if residency else AdmissionStatus.WITHDRAWN
        r.residency, r.closed_on = residency, today
        r.save(update_fields=["status", "residency", "closed_on"])
        _audit(actor, "institution.admission_close", inst, {"status": r.status})
    return r


def priority_publish(
    *, actor: User, region_code: str, order: list[str], effective_from: date, document_no: str
) -> AdmissionPriority:
    """Publish a region's priority order (city or county 民政, with its 文号)."""
    from yanglao.accounts.roles import Cap
    from yanglao.accounts.scoping import WRITE_RECORDS, require_in_scope
    from yanglao.core.audit import audit
    from yanglao.institutions.services import NotPermitted

    if not actor.can(Cap.INSTITUTION_MANAGE):
        raise NotPermitted(Cap.INSTITUTION_MANAGE)
    try:
        code = codes.pad(region_code)
    except ValueError as exc:
        raise _fail("region_code", "区划代码不正确") from exc
    require_in_scope(actor, code, WRITE_RECORDS)
    errors = ar.order_errors(order)
    if not document_no.strip():
        errors.append("请填写文号")
    if errors:
        raise InstitutionInvalid({"order": errors})
    with transaction.atomic():
        row = AdmissionPriority.objects.create(
            region_id=code,
            order=list(order),
            effective_from=effective_from,
            document_no=document_no.strip()[:100],
            created_by=actor,
        )
        audit(
            actor=actor,
            action="institution.priority_publish",
            object_type="admission_priority",
            object_id=str(row.pk),
            object_label=document_no.strip()[:100],
            region_code=code,
            changes={"order": list(order), "effective_from": str(effective_from)},
        )
    return row
