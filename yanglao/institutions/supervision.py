"""Writes of 双随机一公开 and inspection (issue 11 parts 5–6): directories, plans, the draw,
on-site inspections uploaded from a phone (idempotent by client UUID), rectification and
the published result. Each write: an explicit actor, one transaction, a scope check (404
outside the region or the bound task / home), one audit event.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap, Role
from yanglao.accounts.scoping import WRITE_RECORDS, in_scope, require_scoped
from yanglao.core.audit import audit
from yanglao.core.calendar import exceptions_from
from yanglao.core.photos import decode_photo
from yanglao.institutions import checklists, spotcheck
from yanglao.institutions.choices import OperatingStatus
from yanglao.institutions.models import (
    CheckItem,
    Draw,
    EvidencePhoto,
    Finding,
    FindingStatus,
    Inspection,
    InspectionLine,
    Inspector,
    InspectorLink,
    Institution,
    Organisation,
    RectificationStep,
    Residency,
    SpotCheckPlan,
    SpotCheckTask,
    StepKind,
    TaskStatus,
    Verdict,
)
from yanglao.institutions.services import InstitutionInvalid, NotPermitted
from yanglao.regions import codes
from yanglao.regions.models import Region


class Action:
    INSPECTOR_ADD = "inspection.inspector_add"
    LINK_ADD = "inspection.link_add"
    PLAN_CREATE = "inspection.plan_create"
    DRAW = "inspection.draw"
    RECORD = "inspection.record"
    ANSWER = "inspection.answer"
    RECHECK = "inspection.recheck"
    PUBLISH = "inspection.publish"


PHOTO_MAX = 3  # per clause or answer
TASK_INSPECTORS = "inspectors"  # SpotCheckTask → its inspectors (accounts.scoping `bound`)
HOME_OPERATORS = "institution__operators"  # Finding / task → the home's operators


def _fail(key: str, message: str) -> InstitutionInvalid:
    return InstitutionInvalid({key: [message]})


def _require(actor: User, cap: str) -> None:
    if not actor.can(cap):
        raise NotPermitted(cap)


def _manage(actor: User, region_code: str) -> None:
    _require(actor, Cap.INSPECTION_MANAGE)
    if not in_scope(actor, region_code, WRITE_RECORDS):
        raise Http404


def _audit(
    actor: User, action: str, obj: Any, kind: str, label: str, region: str, **ch: Any
) -> None:
    audit(
        actor=actor,
        action=action,
        object_type=kind,
        object_id=str(obj.public_id),
        object_label=label,
        region_code=region,
        changes=ch,
    )


# --- 抽查事项清单 and directories ---------------------------------------------------------

# 抽查事项清单 (seeded once; counties may add items): one item per checklist.
CHECK_ITEMS = (
    ("YL-01", "养老机构服务安全", checklists.GB38600),
    ("YL-02", "养老机构消防安全", checklists.FIRE),
    ("YL-03", "养老机构预收费用", checklists.PREPAID),
)


def ensure_check_items() -> None:
    for code, name, cl in CHECK_ITEMS:
        CheckItem.objects.get_or_create(
            code=code, defaults={"name": name, "basis": cl.basis, "checklist": cl.key}
        )


def inspector_add(
    *, actor: User, user: User, organisation: str, region_code: str, certificate_no: str = ""
) -> Inspector:
    region_code = _region_code(region_code)
    if not region_code:
        raise _fail("region", "区划代码应为2、4、6、9或12位数字")
    _manage(actor, region_code)
    if user.role != Role.INSPECTOR or not user.is_active:
        raise _fail("user", "只能把在用的“检查员”账号登记进执法检查人员名录库")
    if organisation not in Organisation.values:
        raise _fail("organisation", "请选择所属部门")
    if not Region.objects.filter(code=region_code).exists():
        raise _fail("region", "区划不存在")
    with transaction.atomic():
        entry, created = Inspector.objects.update_or_create(
            user=user,
            defaults={
                "name": user.full_name or user.username,
                "organisation": organisation,
                "certificate_no": certificate_no.strip()[:40],
                "region_id": region_code,
                "active": True,
            },
        )
        _audit(
            actor,
            Action.INSPECTOR_ADD,
            entry,
            "inspector",
            entry.name,
            region_code,
            organisation=organisation,
            created=created,
        )
    return entry


def link_add(*, actor: User, inspector: Inspector, institution: Institution, reason: str) -> None:
    """Record a link that requires 回避 (the draw never sends this inspector to this home)."""
    _manage(actor, institution.region_id)
    reason = reason.strip()[:200]
    if not reason:
        raise _fail("reason", "请写明回避事由")
    with transaction.atomic():
        InspectorLink.objects.get_or_create(
            inspector=inspector,
            institution=institution,
            defaults={"reason": reason, "created_by": actor},
        )
        _audit(
            actor,
            Action.LINK_ADD,
            institution,
            "institution",
            institution.name,
            institution.region_id,
            inspector=str(inspector.public_id),
            reason=reason,
        )


# --- plans and the draw -------------------------------------------------------------------


@dataclass
class PlanInput:
    region_code: str
    year: int
    name: str
    ratio: str
    ratio_document: str
    item_codes: list[str]
    ratio_unconfirmed: bool = False
    per_task: int = spotcheck.MIN_INSPECTORS


def _region_code(raw: str) -> str:
    """A region code as typed (full-width digits allowed) padded to 12 digits, or ""."""
    text = unicodedata.normalize("NFKC", raw).strip()
    try:
        return codes.pad(text) if text.isascii() else ""
    except ValueError:
        return ""


def plan_create(*, actor: User, data: PlanInput) -> SpotCheckPlan:
    region_code = _region_code(data.region_code)
    if not region_code:
        raise _fail("region", "区划代码应为2、4、6、9或12位数字")
    _manage(actor, region_code)
    ensure_check_items()
    errors: dict[str, list[str]] = {}
    try:
        ratio = spotcheck.parse_ratio(data.ratio)
    except spotcheck.DrawError as exc:
        errors["ratio"] = [str(exc)]
        ratio = Decimal(0)
    if not 2000 <= data.year <= 2100:
        errors["year"] = ["年度不正确"]
    if not data.name.strip():
        errors["name"] = ["请填写计划名称"]
    if not data.ratio_document.strip():
        errors["ratio_document"] = ["请填写抽查比例的依据（文号）"]
    if not spotcheck.MIN_INSPECTORS <= data.per_task <= spotcheck.MAX_INSPECTORS:
        errors["per_task"] = [
            f"每组检查人员应为{spotcheck.MIN_INSPECTORS}到{spotcheck.MAX_INSPECTORS}人"
        ]
    items = list(CheckItem.objects.filter(code__in=data.item_codes, active=True))
    if not items:
        errors["items"] = ["请至少选择一个抽查事项"]
    if errors:
        raise InstitutionInvalid(errors)
    with transaction.atomic():
        plan = SpotCheckPlan.objects.create(
            region_id=region_code,
            year=data.year,
            name=data.name.strip()[:100],
            ratio=ratio,
            ratio_document=data.ratio_document.strip()[:100],
            ratio_unconfirmed=data.ratio_unconfirmed,
            per_task=data.per_task,
            created_by=actor,
        )
        plan.items.set(items)
        _audit(
            actor,
            Action.PLAN_CREATE,
            plan,
            "spotcheck_plan",
            plan.name,
            region_code,
            year=data.year,
            ratio=str(ratio),
            ratio_document=plan.ratio_document,
            items=sorted(i.code for i in items),
        )
    return plan


@dataclass
class Candidates:
    homes: list[str]  # Institution.public_id, canonical order
    excluded: list[dict[str, str]]  # {"id", "reason"}
    inspectors: list[str]  # Inspector.public_id, canonical order
    conflicts: list[list[str]]  # [inspector, home]


def candidates(plan: SpotCheckPlan) -> Candidates:
    """检查对象名录库 (homes of the plan's region; not operating ones excluded with the reason)
    and 执法检查人员名录库 (active inspectors of the region), with the 回避 pairs among them."""
    low, high = codes.subtree_range(plan.region_id)
    homes, excluded = [], []
    for pid, status in Institution.objects.filter(
        region_id__gte=low, region_id__lte=high
    ).values_list("public_id", "status"):
        if status == OperatingStatus.OPERATING:
            homes.append(str(pid))
        else:
            excluded.append({"id": str(pid), "reason": OperatingStatus(status).label})
    inspectors = [
        str(pid)
        for pid in Inspector.objects.filter(
            region_id__gte=low, region_id__lte=high, active=True, user__is_active=True
        ).values_list("public_id", flat=True)
    ]
    home_set, insp_set = set(homes), set(inspectors)
    conflicts = sorted(
        [str(i), str(h)]
        for i, h in InspectorLink.objects.filter(
            institution__region_id__gte=low, institution__region_id__lte=high
        ).values_list("inspector__public_id", "institution__public_id")
        if str(i) in insp_set and str(h) in home_set
    )
    return Candidates(
        list(spotcheck.canonical(homes)),
        sorted(excluded, key=lambda e: e["id"]),
        list(spotcheck.canonical(inspectors)),
        conflicts,
    )


def draw_input(d: Draw | dict[str, Any]) -> spotcheck.DrawInput:
    """The published inputs of a draw (a stored one, or the JSON anyone downloads)."""
    get = d.__getitem__ if isinstance(d, dict) else lambda k: getattr(d, k)
    return spotcheck.DrawInput(
        homes=tuple(get("homes")),
        inspectors=tuple(get("inspectors")),
        ratio=spotcheck.parse_ratio(get("ratio")),
        seed=str(get("seed")),
        conflicts=frozenset((str(i), str(h)) for i, h in get("conflicts")),
        per_task=int(get("per_task")),
    )


def draw_run(*, actor: User, plan: SpotCheckPlan) -> Draw:
    """Draw once per plan with a fresh server seed (nobody picks the seed, nobody redraws);
    the seed and every input are stored and published with the result."""
    _manage(actor, plan.region_id)
    with transaction.atomic():
        locked = SpotCheckPlan.objects.select_for_update().get(pk=plan.pk)
        if Draw.objects.filter(plan=locked).exists():
            raise _fail("__all__", "本计划已经抽取过，抽取结果不能重抽")
        c = candidates(locked)
        if not c.homes:
            raise _fail("__all__", "该区划没有在运营的养老机构可供抽取")
        seed = secrets.token_hex(16)
        inputs = spotcheck.DrawInput(
            homes=tuple(c.homes),
            inspectors=tuple(c.inspectors),
            ratio=locked.ratio,
            seed=seed,
            conflicts=frozenset((i, h) for i, h in c.conflicts),
            per_task=locked.per_task,
        )
        try:
            result = spotcheck.draw(inputs)
        except spotcheck.DrawError as exc:
            raise _fail("__all__", str(exc)) from exc
        draw = Draw.objects.create(
            plan=locked,
            region_id=locked.region_id,
            seed=seed,
            ratio=locked.ratio,
            per_task=locked.per_task,
            homes=c.homes,
            excluded=c.excluded,
            inspectors=c.inspectors,
            conflicts=c.conflicts,
            result=result.as_dict(),
            drawn_by=actor,
        )
        drawn = [a.home for a in result.tasks]
        homes = {
            str(i.public_id): i
            for i in Institution.objects.filter(public_id__in=drawn).only("public_id", "region_id")
        }
        team_ids = {i for a in result.tasks for i in a.inspectors}
        users = {
            str(p): u
            for p, u in Inspector.objects.filter(public_id__in=team_ids).values_list(
                "public_id", "user_id"
            )
        }
        # Set-based: one INSERT for the tasks, one for their teams (750 homes in a province).
        made = SpotCheckTask.objects.bulk_create(
            SpotCheckTask(
                draw=draw,
                plan=locked,
                institution=homes[a.home],
                region_id=homes[a.home].region_id,
            )
            for a in result.tasks
        )
        if made and made[0].pk is None:  # a backend that returns no ids
            made = list(SpotCheckTask.objects.filter(draw=draw).order_by("id"))
        by_home = {t.institution_id: t for t in made}
        team = SpotCheckTask.inspectors.through
        team.objects.bulk_create(
            team(spotchecktask_id=by_home[homes[a.home].pk].pk, user_id=users[i])
            for a in result.tasks
            for i in a.inspectors
        )
        _audit(
            actor,
            Action.DRAW,
            draw,
            "spotcheck_draw",
            locked.name,
            locked.region_id,
            seed=seed,
            candidates=len(c.homes),
            inspectors=len(c.inspectors),
            drawn=result.count,
            tasks=len(result.tasks),
            unstaffed=list(result.unstaffed),
        )
    return draw


# --- on-site inspection (uploaded from the phone) -----------------------------------------


@dataclass
class LineInput:
    clause: str
    verdict: str
    note: str = ""
    photos: list[str] = field(default_factory=list)  # data URLs
    deadline: date | None = None
    serious: bool = False
    residency: UUID | None = None


@dataclass
class RecordOutcome:
    inspection: Inspection
    created: bool


def task_checklists(task: SpotCheckTask) -> list[checklists.Checklist]:
    """The checklists of the task's plan items (抽查事项 → 检查表)."""
    return checklists.for_keys(sorted({i.checklist for i in task.plan.items.all()}))


def conforming_lines(task: SpotCheckTask, nonconform: dict[str, LineInput]) -> list[LineInput]:
    """Every clause of the task 符合, except the given 不符合 lines (demo and tests)."""
    return [
        nonconform.get(cl.code) or LineInput(cl.code, Verdict.CONFORM)
        for c in task_checklists(task)
        for cl in c.clauses
    ]


def _task_for(actor: User, task_id: Any, lock: bool = False) -> SpotCheckTask:
    """A task the actor is assigned to (bound), else 404."""
    qs = SpotCheckTask.objects.filter(pk=task_id)
    if lock:
        qs = qs.select_for_update()
    return require_scoped(qs, actor, (), bound=TASK_INSPECTORS)


def inspection_record(
    *,
    actor: User,
    task: SpotCheckTask,
    client_uuid: UUID,
    inspected_on: date,
    lines: Sequence[LineInput],
    summary: str = "",
    offline: bool = False,
    today: date | None = None,
) -> RecordOutcome:
    """Store one on-site inspection. Idempotent: the same client UUID again returns the stored
    inspection (created=False) and writes nothing."""
    _require(actor, Cap.INSPECTION_DO)
    _task_for(actor, task.pk)
    existing = Inspection.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        return _duplicate(existing, actor)
    today = today or timezone.localdate()
    lists = task_checklists(task)
    wanted = {cl.code for c in lists for cl in c.clauses}
    errors: dict[str, list[str]] = {}
    if inspected_on > today:
        errors["inspected_on"] = ["检查日期不能晚于今天"]
    if inspected_on.year < task.plan.year:
        errors["inspected_on"] = ["检查日期早于抽查计划年度"]
    seen = {ln.clause for ln in lines}
    if seen - wanted:
        errors["lines"] = [f"检查表中没有这些条款：{'、'.join(sorted(seen - wanted))}"]
    elif wanted - seen or len(seen) != len(lines):
        errors["lines"] = ["每个条款须填写且只填写一次（符合、不符合或不适用）"]
    residents = {r.public_id: r for r in Residency.objects.filter(institution=task.institution)}
    decoded: dict[str, list[tuple[bytes, str]]] = {}
    for ln in lines:
        key = f"lines.{ln.clause}"
        if ln.verdict not in Verdict.values:
            errors.setdefault(key, []).append("结论应为符合、不符合或不适用")
        if ln.verdict == Verdict.NONCONFORM:
            if not ln.note.strip():
                errors.setdefault(key, []).append("不符合的条款请写明问题")
            if ln.deadline is None or ln.deadline <= inspected_on:
                errors.setdefault(key, []).append("请给出晚于检查日期的整改期限")
            if ln.residency is not None and ln.residency not in residents:
                errors.setdefault(key, []).append("涉及的老人不是该机构的入住老人")
        if len(ln.photos) > PHOTO_MAX:
            errors.setdefault(key, []).append(f"每个条款最多{PHOTO_MAX}张照片")
            continue
        for p in ln.photos:
            try:
                decoded.setdefault(ln.clause, []).append(decode_photo(p))
            except ValueError as exc:
                errors.setdefault(key, []).append(str(exc))
    if errors:
        raise InstitutionInvalid(errors)
    try:
        with transaction.atomic():
            inspection = _store(
                actor,
                task,
                client_uuid,
                inspected_on,
                lines,
                summary,
                offline,
                decoded,
                residents,
                lists,
            )
    except IntegrityError:
        existing = Inspection.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise
        return _duplicate(existing, actor)
    return RecordOutcome(inspection, True)


def _duplicate(existing: Inspection, actor: User) -> RecordOutcome:
    if existing.recorded_by_id != actor.pk:
        raise _fail("client_uuid", "记录编号已被其他账号使用，请重新填写")
    return RecordOutcome(existing, False)


def _store(
    actor: User,
    task: SpotCheckTask,
    client_uuid: UUID,
    inspected_on: date,
    lines: Sequence[LineInput],
    summary: str,
    offline: bool,
    photos: dict[str, list[tuple[bytes, str]]],
    residents: dict[UUID, Residency],
    lists: list[checklists.Checklist],
) -> Inspection:
    task = _task_for(actor, task.pk, lock=True)
    inspection = Inspection.objects.create(
        client_uuid=client_uuid,
        task=task,
        institution_id=task.institution_id,
        region_id=task.region_id,
        checklists={c.key: c.version for c in lists},
        inspected_on=inspected_on,
        summary=summary.strip()[:500],
        recorded_by=actor,
        recorded_offline=offline,
    )
    InspectionLine.objects.bulk_create(
        InspectionLine(
            inspection=inspection, clause=ln.clause, verdict=ln.verdict, note=ln.note.strip()[:500]
        )
        for ln in lines
    )
    for clause, items in photos.items():
        for n, (raw, ctype) in enumerate(items):
            EvidencePhoto.objects.create(
                inspection=inspection,
                clause=clause,
                file=ContentFile(
                    raw, name=f"{inspection.public_id}-{clause}-{n}.{ctype.split('/')[1]}"
                ),
                content_type=ctype,
            )
    findings = 0
    for ln in lines:
        if ln.verdict != Verdict.NONCONFORM:
            continue
        assert ln.deadline is not None
        Finding.objects.create(
            inspection=inspection,
            task=task,
            institution_id=task.institution_id,
            region_id=task.region_id,
            clause=ln.clause,
            clause_text=checklists.CLAUSES[ln.clause][1].text[:200],
            note=ln.note.strip()[:500],
            serious=ln.serious,
            residency=residents.get(ln.residency) if ln.residency else None,
            deadline=ln.deadline,
        )
        findings += 1
    if task.inspected_on is None or inspected_on < task.inspected_on:
        task.inspected_on = inspected_on
    if task.status == TaskStatus.ASSIGNED:
        task.status = TaskStatus.INSPECTED
    task.save(update_fields=["inspected_on", "status"])
    _audit(
        actor,
        Action.RECORD,
        inspection,
        "inspection",
        task.institution.name,
        task.region_id,
        task=str(task.public_id),
        inspected_on=str(inspected_on),
        findings=findings,
        offline=offline,
        photos=sum(len(v) for v in photos.values()),
    )
    return inspection


# --- rectification ------------------------------------------------------------------------


def _photos(raw: Sequence[tuple[bytes, str]], step: RectificationStep) -> None:
    for n, (content, ctype) in enumerate(raw):
        EvidencePhoto.objects.create(
            step=step,
            file=ContentFile(
                content, name=f"{step.finding.public_id}-{step.pk}-{n}.{ctype.split('/')[1]}"
            ),
            content_type=ctype,
        )


def finding_answer(
    *, actor: User, finding: Finding, note: str, photos: Sequence[tuple[bytes, str]] = ()
) -> RectificationStep:
    """The operator's answer with evidence (text + photos): the finding waits for re-check."""
    _require(actor, Cap.INSTITUTION_OPERATE)
    note = note.strip()
    if not note:
        raise _fail("note", "请写明整改情况")
    if len(photos) > PHOTO_MAX:
        raise _fail("photos", f"最多{PHOTO_MAX}张照片")
    with transaction.atomic():
        locked = require_scoped(
            Finding.objects.select_for_update().filter(pk=finding.pk),
            actor,
            (),
            bound=HOME_OPERATORS,
        )
        if locked.status == FindingStatus.CLOSED:
            raise _fail("__all__", "该问题已复查通过，无需再答复")
        step = RectificationStep.objects.create(
            finding=locked, kind=StepKind.ANSWER, note=note[:500], by=actor
        )
        _photos(photos, step)
        locked.status = FindingStatus.ANSWERED
        locked.version += 1
        locked.save(update_fields=["status", "version"])
        _audit(
            actor,
            Action.ANSWER,
            locked,
            "finding",
            locked.clause_text,
            locked.region_id,
            photos=len(photos),
        )
    return step


def finding_recheck(
    *, actor: User, finding: Finding, close: bool, note: str, today: date | None = None
) -> RectificationStep:
    """The assigned inspector re-checks: closes the finding or returns it to the operator."""
    _require(actor, Cap.INSPECTION_DO)
    note = note.strip()
    if not close and not note:
        raise _fail("note", "退回时请写明仍存在的问题")
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = require_scoped(
            Finding.objects.select_for_update().filter(pk=finding.pk),
            actor,
            (),
            bound="task__inspectors",
        )
        if locked.status != FindingStatus.ANSWERED:
            raise _fail("__all__", "机构尚未提交整改答复，或已复查通过")
        step = RectificationStep.objects.create(
            finding=locked,
            kind=StepKind.CLOSE if close else StepKind.RETURN,
            note=(note or "复查通过")[:500],
            by=actor,
        )
        locked.status = FindingStatus.CLOSED if close else FindingStatus.OPEN
        locked.closed_on = today if close else None
        locked.version += 1
        locked.save(update_fields=["status", "closed_on", "version"])
        _audit(
            actor,
            Action.RECHECK,
            locked,
            "finding",
            locked.clause_text,
            locked.region_id,
            close=close,
        )
    return step


# --- 抽查结果 -------------------------------------------------------------------------------


def conclusion_for(task: SpotCheckTask) -> str:
    n = Finding.objects.filter(task=task).count()
    return f"发现问题{n}项，已责令限期整改" if n else "未发现问题"


def result_publish(*, actor: User, task: SpotCheckTask, today: date | None = None) -> SpotCheckTask:
    """Publish the result (抽查结果公示): the bureau, or an inspector of the task. Publishing
    again changes nothing."""
    today = today or timezone.localdate()
    with transaction.atomic():
        qs = SpotCheckTask.objects.select_for_update().filter(pk=task.pk)
        if actor.can(Cap.INSPECTION_MANAGE):
            locked = require_scoped(qs, actor, WRITE_RECORDS)
        elif actor.can(Cap.INSPECTION_DO):
            locked = require_scoped(qs, actor, (), bound=TASK_INSPECTORS)
        else:
            raise NotPermitted(Cap.INSPECTION_MANAGE)
        if locked.status == TaskStatus.PUBLISHED:
            return locked
        if locked.inspected_on is None:
            raise _fail("__all__", "尚未上传现场检查记录，不能公示结果")
        locked.status = TaskStatus.PUBLISHED
        locked.published_on = today
        locked.conclusion = conclusion_for(locked)
        locked.save(update_fields=["status", "published_on", "conclusion"])
        due = spotcheck.publish_due(locked.inspected_on, exceptions_from(locked.inspected_on))
        _audit(
            actor,
            Action.PUBLISH,
            locked,
            "spotcheck_task",
            locked.institution.name,
            locked.region_id,
            conclusion=locked.conclusion,
            due=str(due),
            late=today > due,
        )
    return locked


def default_deadline(inspected_on: date, serious: bool) -> date:
    days = spotcheck.SERIOUS_RECTIFY_DAYS if serious else spotcheck.DEFAULT_RECTIFY_DAYS
    return inspected_on + timedelta(days=days)
