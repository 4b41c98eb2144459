"""Writes of 意见建议反馈: a submission (the public's, or an officer's on someone's behalf),
an answer, a forward to another level, and the audited reveal of the phone number. Keyword
arguments, one transaction, one audit event each; nothing is half-written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import WRITE_RECORDS, require_in_scope
from yanglao.core import crypto
from yanglao.core.audit import audit
from yanglao.core.calendar import exceptions_from
from yanglao.core.text import clean_text
from yanglao.feedback import rules
from yanglao.feedback.choices import Kind, Status, Topic, Via
from yanglao.feedback.models import Feedback, Forward, ResponsePolicy
from yanglao.people.rules import check_phone, normalise_phone
from yanglao.regions import codes
from yanglao.regions.models import Region


class Action:
    """Audit action names (labels in core.audit.ACTION_LABELS)."""

    SUBMIT = "feedback.submit"
    RECORD = "feedback.record"
    ANSWER = "feedback.answer"
    FORWARD = "feedback.forward"
    REVEAL = "feedback.reveal"


class FeedbackInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class RateLimited(Exception):
    message = (
        f"同一网络地址{rules.RATE_WINDOW_MINUTES}分钟内最多提交{rules.RATE_LIMIT}次，请稍后再试；"
        "紧急事项请直接拨打当地民政部门电话。"
    )


class NotPermitted(PermissionError):
    pass


def _fail(key: str, message: str) -> FeedbackInvalid:
    return FeedbackInvalid({key: [message]})


@dataclass
class FeedbackInput:
    kind: str
    topic: str
    region_code: str
    content: str
    name: str = ""
    phone: str = ""


def handler_of(region: Region) -> str:
    """The node that answers feedback about `region`: its township (a village's parent), or
    the county when a county (or a township-less node) was named."""
    if region.level == codes.VILLAGE and region.parent_id:
        return region.parent_id
    return region.code


def deadline(handler_code: str, on: date) -> tuple[date, str]:
    chain: list[str | None] = [None, *codes.ancestor_codes(handler_code), handler_code]
    rows = [
        rules.PolicyRow(p.region_id, p.working_days, p.effective_from, p.document_no)
        for p in ResponsePolicy.objects.filter(region_id__in=[c for c in chain if c])
        | ResponsePolicy.objects.filter(region__isnull=True)
    ]
    days, doc = rules.working_days_for(rows, chain, on)
    return rules.answer_due(on, days, exceptions_from(on)), doc


def _clean(data: FeedbackInput) -> tuple[FeedbackInput, Region | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    content = clean_text(data.content).strip()
    name = clean_text(data.name).strip()
    phone = normalise_phone(clean_text(data.phone)[:40])
    if data.kind not in Kind.values:
        errors["kind"] = ["请选择类型（意见建议、投诉或咨询）"]
    if data.topic not in Topic.values:
        errors["topic"] = ["请选择所涉事项"]
    region = Region.objects.filter(
        code=data.region_code[:12], level__gte=codes.COUNTY, valid_to__isnull=True
    ).first()
    if region is None:
        errors["region"] = ["请从列表中选择所涉的县（区）、乡镇（街道）或村（社区）"]
    if problems := rules.text_errors("内容", content, rules.CONTENT_MIN, rules.CONTENT_MAX):
        errors["content"] = problems
    if name and (problems := rules.text_errors("姓名", name, 1, rules.NAME_MAX)):
        errors["name"] = problems
    if phone and (problem := check_phone(phone)):
        errors["phone"] = [problem]
    clean = FeedbackInput(data.kind, data.topic, data.region_code, content, name, phone)
    return clean, region, errors


def feedback_submit(
    *,
    data: FeedbackInput,
    address: str | None,
    actor: User | None = None,
    now: datetime | None = None,
) -> Feedback:
    """A new suggestion or complaint. Without `actor` it is the public's (rate-limited by
    address); with one, an officer records what was received by phone or letter (in their
    own jurisdiction only)."""
    now = now or timezone.now()
    clean, region, errors = _clean(data)
    if errors:
        raise FeedbackInvalid(errors)
    assert region is not None
    if actor is not None:
        if not actor.can(Cap.FEEDBACK_HANDLE):
            raise NotPermitted
        require_in_scope(actor, region.code, WRITE_RECORDS)
    address_hash = crypto.lookup_hash(address or "") if actor is None else ""
    today = timezone.localdate(now)
    handler = handler_of(region)
    due, doc = deadline(handler, today)
    with transaction.atomic():
        if actor is None and address_hash:
            recent = Feedback.objects.filter(
                address_hash=address_hash,
                submitted_at__gte=now - timedelta(minutes=rules.RATE_WINDOW_MINUTES),
            ).count()
            if rules.rate_limited(recent):
                raise RateLimited
        for _ in range(5):
            try:
                with transaction.atomic():
                    fb = Feedback.objects.create(
                        reference=rules.new_reference(today),
                        kind=clean.kind,
                        topic=clean.topic,
                        about_region=region,
                        region_id=handler,
                        content=clean.content,
                        name=clean.name,
                        phone_cipher=crypto.encrypt(clean.phone),
                        phone_masked=crypto.mask_phone(clean.phone) if clean.phone else "",
                        via=Via.PUBLIC if actor is None else Via.STAFF,
                        submitted_at=now,
                        submitted_on=today,
                        due_on=due,
                        policy_document=doc[:200],
                        address_hash=address_hash,
                    )
                break
            except IntegrityError:
                continue  # a reference drawn twice (40 bits): draw again
        else:  # pragma: no cover - five collisions in a row
            raise _fail("content", "系统繁忙，请稍后再提交")
        audit(
            actor=actor,
            action=Action.SUBMIT if actor is None else Action.RECORD,
            object_type="feedback",
            object_id=str(fb.public_id),
            object_label=f"{fb.get_kind_display()} {fb.reference}",
            region_code=handler,
            changes={"kind": fb.kind, "topic": fb.topic, "about": region.code},
        )
    return fb


def _lock(actor: User, fb: Feedback, version: int | None) -> Feedback:
    if not actor.can(Cap.FEEDBACK_HANDLE):
        raise NotPermitted
    require_in_scope(actor, fb.region_id, WRITE_RECORDS)
    locked = Feedback.objects.select_for_update().get(pk=fb.pk)
    if version is not None and version != locked.version:
        raise _fail("version", "这条意见已被他人处理，请刷新页面后再操作")
    return locked


def feedback_answer(
    *, actor: User, feedback: Feedback, answer: str, version: int | None = None
) -> Feedback:
    """Answer (or correct the answer of) a feedback; the public reads it by reference."""
    text = clean_text(answer).strip()
    if problems := rules.text_errors("答复", text, 5, rules.ANSWER_MAX):
        raise FeedbackInvalid({"answer": problems})
    with transaction.atomic():
        fb = _lock(actor, feedback, version)
        old = fb.answer
        now = timezone.now()
        fb.answer = text
        fb.status = Status.ANSWERED
        fb.answered_at = now
        fb.answered_on = timezone.localdate(now)
        fb.answered_by = actor
        fb.version += 1
        fb.save()
        audit(
            actor=actor,
            action=Action.ANSWER,
            object_type="feedback",
            object_id=str(fb.public_id),
            object_label=f"{fb.get_kind_display()} {fb.reference}",
            region_code=fb.region_id,
            changes={
                "answer": [old, text],
                "overdue_days": rules.overdue_days(fb.due_on, fb.answered_on, fb.answered_on),
            },
        )
    return fb


def forward_targets(fb: Feedback) -> list[Region]:
    """Where a feedback may go from its current handler: the level above (township →
    county, county → city), or down to a township of the county (a city sends it down to a
    county)."""
    here = fb.region
    current = Region.objects.filter(valid_to__isnull=True)
    out: list[Region] = []
    if here.level >= codes.COUNTY and here.parent_id:
        out += list(current.filter(code=here.parent_id))
    if here.level >= codes.COUNTY:
        county = here.code[:6].ljust(12, "0")
        low, high = codes.subtree_range(county, codes.COUNTY)
        below = current.filter(level=codes.TOWNSHIP, code__gte=low, code__lte=high)
        out += list(below.exclude(code=here.code).order_by("code"))
    elif here.level == codes.CITY:
        low, high = codes.subtree_range(here.code, codes.CITY)
        out += list(current.filter(level=codes.COUNTY, code__gte=low, code__lte=high))
    return out


def feedback_forward(
    *, actor: User, feedback: Feedback, to_code: str, reason: str, version: int | None = None
) -> Feedback:
    """Hand a feedback to another level; the answer deadline keeps running (the public's
    wait does not restart because it was passed on)."""
    reason = clean_text(reason).strip()
    if problems := rules.text_errors("转办原因", reason, 2, 500):
        raise FeedbackInvalid({"reason": problems})
    targets = {r.code: r for r in forward_targets(feedback)}
    target = targets.get(to_code[:12])
    if target is None:
        raise _fail("to", "请从列表中选择转办单位")
    with transaction.atomic():
        fb = _lock(actor, feedback, version)
        if fb.status != Status.OPEN:
            raise _fail("status", "已答复的意见不能再转办")
        Forward.objects.create(
            feedback=fb, from_region_id=fb.region_id, to_region=target, reason=reason, actor=actor
        )
        old = fb.region_id
        fb.region = target
        fb.version += 1
        fb.save()
        audit(
            actor=actor,
            action=Action.FORWARD,
            object_type="feedback",
            object_id=str(fb.public_id),
            object_label=f"{fb.get_kind_display()} {fb.reference}",
            region_code=old,
            changes={"region": [old, target.code], "reason": reason},
        )
    return fb


def phone_reveal(*, actor: User, feedback: Feedback) -> str:
    """The full phone number, to call the person back; every look is audited."""
    if not actor.can(Cap.FEEDBACK_HANDLE):
        raise NotPermitted
    require_in_scope(actor, feedback.region_id, WRITE_RECORDS)
    if not feedback.phone_cipher:
        raise Http404
    with transaction.atomic():
        audit(
            actor=actor,
            action=Action.REVEAL,
            object_type="feedback",
            object_id=str(feedback.public_id),
            object_label=f"{feedback.get_kind_display()} {feedback.reference}",
            region_code=feedback.region_id,
            changes={"field": "phone"},
        )
    return feedback.phone
