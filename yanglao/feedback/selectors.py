"""Reads of 意见建议反馈: the officers' inbox (scoped by the answering node), one feedback,
the public lookup by reference number, and the region type-ahead of the public form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404

from yanglao.accounts.models import User
from yanglao.accounts.scoping import READ_RECORDS, scoped
from yanglao.feedback import rules
from yanglao.feedback.choices import Status
from yanglao.feedback.models import Feedback
from yanglao.regions import codes
from yanglao.regions.models import Region

INBOX_LIMIT = 500


@dataclass
class InboxRow:
    fb: Feedback
    overdue: int  # days past the due date (0: not overdue)


def inbox(user: User, status: str, today: date) -> list[InboxRow]:
    """Open feedback first sorted overdue-first (most days overdue on top), then by due
    date; answered feedback newest first."""
    qs = scoped(Feedback.objects.select_related("region", "about_region"), user, READ_RECORDS)
    if status == Status.ANSWERED:
        qs = qs.filter(status=Status.ANSWERED).order_by("-answered_at")
    else:
        qs = qs.filter(status=Status.OPEN).order_by("due_on", "submitted_at")
    rows = [
        InboxRow(fb, rules.overdue_days(fb.due_on, fb.answered_on, today))
        for fb in qs[:INBOX_LIMIT]
    ]
    if status != Status.ANSWERED:
        rows.sort(key=lambda r: (-r.overdue, r.fb.due_on, r.fb.submitted_at))
    return rows


def counts(user: User, today: date) -> dict[str, int]:
    qs = scoped(Feedback.objects.filter(status=Status.OPEN), user, READ_RECORDS)
    return {"open": qs.count(), "overdue": qs.filter(due_on__lt=today).count()}


def feedback_for(user: User, public_id: UUID | str) -> Feedback:
    qs = Feedback.objects.select_related("region", "about_region", "answered_by")
    found = scoped(qs.filter(public_id=public_id), user, READ_RECORDS).first()
    if found is None:
        raise Http404
    return found


def scoped_exists(user: User, pk: int) -> bool:
    return scoped(Feedback.objects.filter(pk=pk), user, READ_RECORDS).exists()


def public_lookup(raw_reference: str, raw_last4: str) -> tuple[Feedback | None, str]:
    """(the feedback, '') when the reference (and, for one with a phone, the last four
    digits) match; else (None, a Chinese message that never says which part was wrong)."""
    ref = rules.normalise_reference(raw_reference)
    if not ref:
        return None, ""
    if not rules.reference_ok(ref):
        return None, "查询编号格式不对：以 FK 开头，共14位，如 FK2611AB12CD34"
    fb = Feedback.objects.select_related("about_region", "region").filter(reference=ref).first()
    if fb is None or not rules.lookup_allowed(fb.phone, rules.last4(raw_last4)):
        return None, "没有查到：请核对查询编号；留了电话的，请同时填写电话号码后四位"
    return fb, ""


def just_submitted(reference: str) -> Feedback | None:
    return Feedback.objects.select_related("region").filter(reference=reference[:20]).first()


def labels(regions: list[Region]) -> dict[str, str]:
    """code → '长春市南关区南岭街道自由大路社区' (city down to the node, short names)."""
    wanted = {a for r in regions for a in codes.ancestor_codes(r.code, r.level)}
    names = dict(
        Region.objects.filter(code__in=wanted, level__gte=codes.CITY).values_list(
            "code", "short_name"
        )
    )
    out = {}
    for r in regions:
        path = [names.get(a, "") for a in codes.ancestor_codes(r.code, r.level)]
        out[r.code] = "".join(path) + (r.short_name or r.name)
    return out


def _candidates() -> QuerySet[Region]:
    return Region.objects.filter(level__gte=codes.COUNTY, valid_to__isnull=True)


def region_suggestions(query: str, limit: int = 15) -> list[tuple[str, str]]:
    """(label, label) pairs for the type-ahead: current counties, townships and villages
    whose name contains the typed text."""
    q = query.strip()[:30]
    if len(q) < 2:
        return []
    found = list(
        _candidates()
        .filter(Q(short_name__contains=q) | Q(name__contains=q))
        .order_by("level", "code")[:limit]
    )
    by_code = labels(found)
    return [(by_code[r.code], by_code[r.code]) for r in found]


def resolve_region(text: str) -> tuple[Region | None, str]:
    """The region a person chose by its label (or by an unambiguous name)."""
    text = "".join(text.split())[:80]
    if not text:
        return None, "请填写所涉地区（输入名称后从列表中选择）"
    suffixes = [text[i:] for i in range(len(text))]
    found = list(_candidates().filter(Q(short_name__in=suffixes) | Q(name__in=suffixes)))
    by_code = labels(found)
    exact = [r for r in found if by_code[r.code] == text]
    if len(exact) == 1:
        return exact[0], ""
    named = [r for r in found if text in (r.short_name, r.name)]
    if len(named) == 1:
        return named[0], ""
    if len(named) > 1 or len(exact) > 1:
        return None, "有多个同名地区，请从列表中选择带县（区）名称的一项"
    return None, "没有找到这个地区，请输入名称后从列表中选择"
