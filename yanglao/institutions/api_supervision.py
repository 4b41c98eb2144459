"""REST API of 双随机一公开 and inspection (`/api/v1/inspections`): plans and their draw, the
published draw and a pure replay (seed + candidates in, selection out), tasks, the offline
upload, findings with the operator's answer and the inspector's re-check. Scoped as the
pages: officers by region, inspectors by assigned task, operators by their home."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema

from yanglao.accounts.api_scope import declare_scope
from yanglao.accounts.models import User
from yanglao.core.api_schemas import Message
from yanglao.core.photos import photo_type
from yanglao.institutions import spotcheck, supervision, supervision_sync
from yanglao.institutions import supervision_queries as q
from yanglao.institutions.models import Finding, SpotCheckTask
from yanglao.institutions.services import InstitutionInvalid, NotPermitted

router = Router(tags=["双随机抽查与检查"])
MAX_CANDIDATES = 100_000
REGION = Query("", max_length=12, description="区划代码（任意级别）")


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _invalid(exc: InstitutionInvalid) -> tuple[int, dict[str, Any]]:
    return 400, {"detail": "；".join(m for ms in exc.errors.values() for m in ms)}


class PlanOut(Schema):
    id: str
    year: int
    name: str
    region_code: str
    ratio: str
    ratio_document: str
    ratio_unconfirmed: bool
    per_task: int
    items: list[str]
    drawn: bool


class AssignmentOut(Schema):
    home: str
    inspectors: list[str]


class DrawResultOut(Schema):
    count: int
    tasks: list[AssignmentOut]
    unstaffed: list[str]


class DrawOut(Schema):
    id: str
    plan: str
    seed: str
    ratio: str
    per_task: int
    homes: list[str]
    excluded: list[dict[str, str]]
    inspectors: list[str]
    conflicts: list[list[str]]
    result: DrawResultOut


class ReplayIn(Schema):
    seed: str
    ratio: str
    per_task: int = spotcheck.MIN_INSPECTORS
    homes: list[str]
    inspectors: list[str]
    conflicts: list[list[str]] = []


class TaskOut(Schema):
    id: str
    plan: str
    institution: str
    institution_name: str
    status: str
    status_label: str
    inspected_on: date | None
    published_on: date | None
    conclusion: str


class FindingOut(Schema):
    id: str
    task: str
    institution: str
    institution_name: str
    clause: str
    clause_text: str
    note: str
    serious: bool
    deadline: date
    status: str
    status_label: str


class RecordsIn(Schema):
    records: list[dict[str, Any]]


class UploadResult(Schema):
    client_uuid: str | None = None
    status: str
    id: str | None = None
    errors: dict[str, list[str]] | None = None


class UploadOut(Schema):
    results: list[UploadResult]


class AnswerIn(Schema):
    note: str
    photos_base64: list[str] = []


class RecheckIn(Schema):
    close: bool
    note: str = ""


def _plan(p: Any) -> dict[str, Any]:
    return {
        "id": str(p.public_id),
        "year": p.year,
        "name": p.name,
        "region_code": p.region_id,
        "ratio": str(p.ratio),
        "ratio_document": p.ratio_document,
        "ratio_unconfirmed": p.ratio_unconfirmed,
        "per_task": p.per_task,
        "items": sorted(i.code for i in p.items.all()),
        "drawn": hasattr(p, "draw"),
    }


def _draw(d: Any) -> dict[str, Any]:
    return {"id": str(d.public_id), "plan": str(d.plan.public_id), **q.draw_published(d)}


def _task(t: SpotCheckTask) -> dict[str, Any]:
    return {
        "id": str(t.public_id),
        "plan": str(t.plan.public_id),
        "institution": str(t.institution.public_id),
        "institution_name": t.institution.name,
        "status": t.status,
        "status_label": t.get_status_display(),
        "inspected_on": t.inspected_on,
        "published_on": t.published_on,
        "conclusion": t.conclusion,
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "id": str(f.public_id),
        "task": str(f.task.public_id),
        "institution": str(f.institution.public_id),
        "institution_name": f.institution.name,
        "clause": f.clause,
        "clause_text": f.clause_text,
        "note": f.note,
        "serious": f.serious,
        "deadline": f.deadline,
        "status": f.status,
        "status_label": f.get_status_display(),
    }


@router.get(
    "/plans",
    response={200: list[PlanOut], 403: Message, 404: Message},
    summary="抽查计划（本辖区）",
)
@declare_scope("inspection:manage")
def plan_list(request: HttpRequest, region: str = REGION) -> Any:
    user = _user(request)
    qs = q.in_region(q.plans(user), user, region.strip())
    return 200, [_plan(p) for p in qs.prefetch_related("items")[:500]]


@router.post(
    "/plans/{plan_id}/draw",
    response={201: DrawOut, 400: Message, 403: Message, 404: Message},
    summary="随机抽取（每个计划一次，种子由系统生成并公开）",
)
@declare_scope("inspection:manage")
def draw_create(request: HttpRequest, plan_id: UUID) -> Any:
    user = _user(request)
    plan = q.plan_get(user=user, public_id=plan_id)
    try:
        d = supervision.draw_run(actor=user, plan=plan)
    except InstitutionInvalid as exc:
        return _invalid(exc)
    return 201, _draw(d)


@router.get(
    "/draws/{draw_id}",
    response={200: DrawOut, 403: Message, 404: Message},
    summary="抽取的公开输入与结果",
)
@declare_scope("inspection:manage")
def draw_detail(request: HttpRequest, draw_id: UUID) -> Any:
    return 200, _draw(q.draw_get(user=_user(request), public_id=draw_id))


@router.post(
    "/replay",
    response={200: DrawResultOut, 400: Message},
    summary="重算抽取：给出种子与候选名录，返回抽取结果（不读写任何记录）",
)
@declare_scope("inspection:replay")
def draw_replay(request: HttpRequest, body: ReplayIn) -> Any:
    if len(body.homes) > MAX_CANDIDATES or len(body.inspectors) > MAX_CANDIDATES:
        return 400, {"detail": f"候选名录最多{MAX_CANDIDATES}项"}
    if len(body.seed) > 200 or any(len(c) != 2 for c in body.conflicts):
        return 400, {"detail": "随机种子过长，或回避关系应为 [检查人员, 机构] 对"}
    try:
        data = spotcheck.DrawInput(
            homes=tuple(body.homes),
            inspectors=tuple(body.inspectors),
            ratio=spotcheck.parse_ratio(body.ratio),
            seed=body.seed,
            conflicts=frozenset((str(i), str(h)) for i, h in body.conflicts),
            per_task=body.per_task,
        )
        return 200, spotcheck.draw(data).as_dict()
    except spotcheck.DrawError as exc:
        return 400, {"detail": str(exc)}


@router.get("/tasks", response={200: list[TaskOut], 403: Message, 404: Message}, summary="检查任务")
@declare_scope("inspection:read")
def task_list(request: HttpRequest, region: str = REGION) -> Any:
    user = _user(request)
    qs = q.in_region(q.tasks(user), user, region.strip()).order_by("-id")[:500]
    return 200, [_task(t) for t in qs]


@router.get(
    "/tasks/{inspection_task_id}",
    response={200: TaskOut, 403: Message, 404: Message},
    summary="检查任务详情",
)
@declare_scope("inspection:read")
def task_detail(request: HttpRequest, inspection_task_id: UUID) -> Any:
    return 200, _task(q.task_get(user=_user(request), public_id=inspection_task_id))


@router.post(
    "/records",
    response={200: UploadOut, 400: Message, 403: Message},
    summary="上传现场检查记录（按客户端编号幂等）",
)
@declare_scope("inspection:do")
def records_upload(request: HttpRequest, body: RecordsIn) -> Any:
    try:
        res = supervision_sync.upload(actor=_user(request), records=body.records, offline=False)
    except supervision_sync.PayloadInvalid as exc:
        return 400, {"detail": "；".join(m for ms in exc.errors.values() for m in ms)}
    return 200, {"results": res}


@router.get(
    "/findings", response={200: list[FindingOut], 403: Message, 404: Message}, summary="整改问题"
)
@declare_scope("inspection:read")
def finding_list(request: HttpRequest, region: str = REGION) -> Any:
    user = _user(request)
    qs = q.in_region(q.findings(user), user, region.strip())
    qs = qs.select_related("task").order_by("deadline", "id")[:500]
    return 200, [_finding(f) for f in qs]


@router.post(
    "/findings/{finding_id}/answer",
    response={200: FindingOut, 400: Message, 403: Message, 404: Message},
    summary="机构提交整改答复（文字与照片）",
)
@declare_scope("inspection:answer")
def finding_answer(request: HttpRequest, finding_id: UUID, body: AnswerIn) -> Any:
    user = _user(request)
    finding = q.finding_get(user=user, public_id=finding_id)
    if len(body.photos_base64) > supervision.PHOTO_MAX:
        return 400, {"detail": f"最多{supervision.PHOTO_MAX}张照片"}
    photos = []
    for b64 in body.photos_base64:
        try:
            raw = base64.b64decode(b64[:3_000_000], validate=True)
        except binascii.Error:
            return 400, {"detail": "照片数据无法读取"}
        try:
            photos.append((raw, photo_type(raw)))
        except ValueError as exc:
            return 400, {"detail": str(exc)}
    try:
        supervision.finding_answer(actor=user, finding=finding, note=body.note, photos=photos)
    except InstitutionInvalid as exc:
        return _invalid(exc)
    return 200, _finding(q.finding_get(user=user, public_id=finding_id))


@router.post(
    "/findings/{finding_id}/recheck",
    response={200: FindingOut, 400: Message, 403: Message, 404: Message},
    summary="检查人员复查：通过销号或退回",
)
@declare_scope("inspection:do")
def finding_recheck(request: HttpRequest, finding_id: UUID, body: RecheckIn) -> Any:
    user = _user(request)
    finding = q.finding_get(user=user, public_id=finding_id)
    try:
        supervision.finding_recheck(actor=user, finding=finding, close=body.close, note=body.note)
    except InstitutionInvalid as exc:
        return _invalid(exc)
    except NotPermitted:
        return 403, {"detail": "无权复查"}
    return 200, _finding(q.finding_get(user=user, public_id=finding_id))
