"""等级评定 (GB/T 37276-2018), issue 11 part 7: the only code that writes ratings.

Flow: the home (its operator, or an officer for a home without an account) applies for a level
→ fills its self-assessment clause by clause → officers score every clause with evidence as the
expert team (DESIGN decision: experts are 民政 officers holding INSTITUTION_MANAGE in the home's
county or above, each score records who gave it; no separate expert role, see
docs/institutions.md) → the committee decides the level (at most the level applied for and the
level the scores reach) → 公示 for PUBLICITY_WORKING_DAYS → certificate valid 3 years. A serious
finding downgrades the home by one level: `rating_downgrade`, callable by other modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap
from yanglao.accounts.scoping import WRITE_RECORDS, require_scoped
from yanglao.core.calendar import exceptions_from
from yanglao.institutions import rating_catalog
from yanglao.institutions import rating_rules as rr
from yanglao.institutions.choices import FilingStatus, OperatingStatus
from yanglao.institutions.models import (
    Institution,
    RatingApplication,
    RatingClause,
    RatingEvent,
    RatingEventKind,
    RatingScore,
    RatingStatus,
)
from yanglao.institutions.rating_catalog import EDITION
from yanglao.institutions.services import (
    InstitutionInvalid,
    NotPermitted,
    _audit,
    _clean_text,
    _fail,
    _own,
)


class RatingAction:
    """Audit action names (labels in core.audit.ACTION_LABELS)."""

    APPLY = "institution.rating_apply"
    SELF_ASSESS = "institution.rating_self_assess"
    SCORE = "institution.rating_score"
    DECIDE = "institution.rating_decide"
    OBJECTION = "institution.rating_objection"
    CERTIFY = "institution.rating_certify"
    DOWNGRADE = "institution.rating_downgrade"


BOUND = "institution__operators"  # RatingApplication → the home's operator accounts


def _lock(actor: User, application: RatingApplication, *, manage: bool) -> RatingApplication:
    """The application, locked, if the actor may act on it: officers by region (manage), the
    home's operators by binding (when `manage` is False)."""
    qs = RatingApplication.objects.select_for_update().filter(pk=application.pk)
    if actor.can(Cap.INSTITUTION_MANAGE):
        return require_scoped(qs, actor, WRITE_RECORDS)
    if manage or not actor.can(Cap.INSTITUTION_OPERATE):
        raise NotPermitted(Cap.INSTITUTION_MANAGE)
    return require_scoped(qs, actor, (), bound=BOUND)


def _label(app: RatingApplication, inst: Institution) -> str:
    return f"{inst.name}：申请{rr.LEVEL_LABELS[app.requested_level]}"


def _audit_app(
    actor: User, action: str, app: RatingApplication, changes: dict[str, object]
) -> None:
    inst = app.institution
    _audit(actor, action, inst, {"application": str(app.public_id), **changes}, _label(app, inst))


def clauses(edition: str = EDITION) -> list[RatingClause]:
    return list(RatingClause.objects.filter(edition=edition).order_by("order"))


def rating_apply(
    *, actor: User, institution: Institution, level: int, today: date | None = None
) -> RatingApplication:
    """Apply for a level. Preconditions (GB/T 37276-2018 基本要求 as far as the register
    knows them): filed (备案), operating, fire-safety approval; one open application at a
    time."""
    today = today or timezone.localdate()
    if level not in rr.LEVEL_LABELS:
        raise _fail("level", "请选择申请等级（一级至五级）")
    with transaction.atomic():
        inst = _own(actor, institution)
        problems = []
        if inst.filing_status != FilingStatus.FILED:
            problems.append("机构尚未备案")
        if inst.status != OperatingStatus.OPERATING:
            problems.append(f"机构状态为“{inst.get_status_display()}”")
        if not inst.fire_approved:
            problems.append("未取得消防审验合格")
        if problems:
            raise _fail("__all__", "不符合申请等级评定的基本条件：" + "；".join(problems))
        try:
            with transaction.atomic():
                app = RatingApplication.objects.create(
                    institution=inst,
                    region_id=inst.region_id,
                    edition=EDITION,
                    requested_level=level,
                    applied_on=today,
                    applied_by=actor,
                )
        except IntegrityError as exc:
            raise _fail("__all__", "该机构已有一份等级评定申请正在办理") from exc
        rating_catalog.seed(RatingClause, EDITION)  # idempotent: the edition's clause table
        RatingScore.objects.bulk_create(
            [RatingScore(application=app, clause=c) for c in clauses(app.edition)]
        )
        _audit_app(actor, RatingAction.APPLY, app, {"level": level})
    return app


@dataclass(frozen=True)
class ClauseScore:
    """What a person typed for one clause (raw text; validated by the service)."""

    points: str
    note: str = ""


def _parsed(
    app: RatingApplication, entries: dict[str, ClauseScore], *, need_note: bool
) -> list[tuple[RatingScore, Decimal | None, str]]:
    rows = {s.clause.code: s for s in app.scores.select_related("clause")}
    errors: dict[str, list[str]] = {}
    out = []
    for code, entry in entries.items():
        row = rows.get(code)
        if row is None:
            errors.setdefault("__all__", []).append(f"没有编号为{code[:10]}的评定条款")
            continue
        note = _clean_text(entry.note)[:500]
        try:
            points = rr.parse_points(entry.points, row.clause.max_points)
        except rr.ScoreError as exc:
            errors.setdefault(code, []).append(f"{code} {row.clause.title}：{exc}")
            continue
        if need_note and points is not None and not note:
            errors.setdefault(code, []).append(f"{code} {row.clause.title}：请写明评分依据")
            continue
        out.append((row, points, note))
    if errors:
        raise InstitutionInvalid(errors)
    return out


def rating_self_assess(
    *,
    actor: User,
    application: RatingApplication,
    entries: dict[str, ClauseScore],
    submit: bool = False,
    today: date | None = None,
) -> RatingApplication:
    """Save the home's self-assessment; `submit` hands it to the expert team (every clause
    scored)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        app = _lock(actor, application, manage=False)
        if app.status != RatingStatus.SELF_ASSESSMENT:
            raise _fail("__all__", "自评已提交，不能再修改")
        for row, points, note in _parsed(app, entries, need_note=False):
            row.self_score, row.self_note = points, note[:300]
            row.save(update_fields=["self_score", "self_note"])
        if submit:
            missing = app.scores.filter(self_score__isnull=True).count()
            if missing:
                raise _fail("__all__", f"还有{missing}项未自评，全部自评后才能提交")
            app.self_total = sum((s.self_score or Decimal(0) for s in app.scores.all()), Decimal(0))
            app.self_submitted_on, app.status = today, RatingStatus.SCORING
        app.version += 1
        app.save()
        _audit_app(
            actor, RatingAction.SELF_ASSESS, app, {"clauses": sorted(entries), "submit": submit}
        )
    return app


def rating_score(
    *,
    actor: User,
    application: RatingApplication,
    entries: dict[str, ClauseScore],
    today: date | None = None,
) -> RatingApplication:
    """Experts' scores per clause, each with its evidence (what was seen or read)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        app = _lock(actor, application, manage=True)
        if app.status != RatingStatus.SCORING:
            raise _fail("__all__", f"当前状态为“{app.get_status_display()}”，不能评分")
        changed = []
        for row, points, note in _parsed(app, entries, need_note=True):
            if (row.expert_score, row.evidence) == (points, note):
                continue
            row.expert_score, row.evidence = points, note
            row.scored_by, row.scored_on = actor, today
            row.save(update_fields=["expert_score", "evidence", "scored_by", "scored_on"])
            changed.append(row.clause.code)
        app.version += 1
        app.save(update_fields=["version"])
        _audit_app(actor, RatingAction.SCORE, app, {"clauses": changed})
    return app


def expert_result(app: RatingApplication) -> rr.RatingResult | None:
    """The level the experts' scores reach (None while a clause is unscored)."""
    rows = list(app.scores.select_related("clause"))
    if not rows or any(r.expert_score is None for r in rows):
        return None
    return rr.rate(rr.part_totals([(r.clause.part, r.expert_score or Decimal(0)) for r in rows]))


def rating_decide(
    *,
    actor: User,
    application: RatingApplication,
    approve: bool,
    level: int | None = None,
    note: str = "",
    today: date | None = None,
) -> RatingApplication:
    """The committee's decision: a level (published for 公示) or 不予通过."""
    today = today or timezone.localdate()
    note = _clean_text(note)[:500]
    with transaction.atomic():
        app = _lock(actor, application, manage=True)
        if app.status != RatingStatus.SCORING:
            raise _fail("__all__", f"当前状态为“{app.get_status_display()}”，不能评审")
        result = expert_result(app)
        if result is None:
            raise _fail("__all__", "还有条款未由专家评分，不能提交评定委员会")
        app.expert_total = result.total
        app.parts = {k: str(v) for k, v in result.parts.items()}
        app.reached_level = result.level
        if approve:
            grant = rr.grantable_level(app.requested_level, result.level)
            if grant is None:
                raise _fail("level", "专家评分未达到一级，只能不予通过")
            chosen = grant if level is None else level
            if not 1 <= chosen <= grant:
                raise _fail(
                    "level",
                    f"评定等级不能高于申请等级和评分达到的等级（{rr.LEVEL_LABELS[grant]}）",
                )
            app.level, app.status = chosen, RatingStatus.PUBLICITY
            app.publicity_from, app.publicity_until = (
                today,
                rr.publicity_until(today, exceptions_from(today)),
            )
        else:
            if not note:
                raise _fail("note", "不予通过的，请写明理由")
            app.level, app.status = None, RatingStatus.REJECTED
        app.committee_note, app.decided_on, app.decided_by = note, today, actor
        app.version += 1
        app.save()
        _audit_app(
            actor,
            RatingAction.DECIDE,
            app,
            {"approve": approve, "level": app.level, "total": str(result.total)},
        )
    return app


def rating_objection(
    *,
    actor: User,
    application: RatingApplication,
    note: str,
    upheld: bool,
    today: date | None = None,
) -> RatingApplication:
    """An objection received during 公示. Upheld: the publicity stops and the application
    returns to the experts (re-score, then a new committee decision)."""
    note = _clean_text(note)[:500]
    if not note:
        raise _fail("note", "请写明异议内容和核查结论")
    with transaction.atomic():
        app = _lock(actor, application, manage=True)
        if app.status != RatingStatus.PUBLICITY:
            raise _fail("__all__", "只有公示中的评定可以登记异议")
        app.objection_note = note
        if upheld:
            app.status, app.level = RatingStatus.SCORING, None
            app.publicity_from = app.publicity_until = None
        app.version += 1
        app.save()
        _audit_app(actor, RatingAction.OBJECTION, app, {"upheld": upheld, "note": note})
    return app


def rating_certify(
    *, actor: User, application: RatingApplication, today: date | None = None
) -> RatingApplication:
    """Issue the certificate once the publicity has ended: the home holds the level for 3
    years (the history keeps the change)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        app = _lock(actor, application, manage=True)
        if app.status != RatingStatus.PUBLICITY or app.level is None:
            raise _fail("__all__", "只有公示中的评定可以发证")
        assert app.publicity_until is not None
        if today <= app.publicity_until:
            raise _fail("__all__", f"公示期至{app.publicity_until:%Y-%m-%d}，期满后方可发证")
        inst = Institution.objects.select_for_update().get(pk=app.institution_id)
        before = rr.in_force(inst.rating, inst.rating_valid_until, today)
        app.status, app.certified_on = RatingStatus.CERTIFIED, today
        app.valid_until = rr.valid_until(today)
        app.certificate_no = f"评{inst.region_id[:6]}{today:%Y}{app.pk:06d}"
        app.version += 1
        app.save()
        inst.rating, inst.rating_valid_until = app.level, app.valid_until
        inst.save(update_fields=["rating", "rating_valid_until", "updated_at"])
        RatingEvent.objects.create(
            institution=inst,
            region_id=inst.region_id,
            application=app,
            kind=RatingEventKind.CERTIFIED,
            level_before=before,
            level_after=app.level,
            reason=f"证书{app.certificate_no}",
            on=today,
            actor=actor,
        )
        _audit_app(
            actor,
            RatingAction.CERTIFY,
            app,
            {"level": app.level, "certificate_no": app.certificate_no},
        )
    return app


def rating_downgrade(
    *, actor: User, institution: Institution, reason: str, today: date | None = None
) -> RatingEvent:
    """Lower a home's level by one on a serious finding (一级 loses its rating); the
    certificate's end date stays. For other modules (inspections): call it with the officer
    who confirms the finding (INSTITUTION_MANAGE in the home's county or above) and a reason
    naming the finding. Raises InstitutionInvalid when the home holds no level in force,
    NotPermitted / Http404 outside the actor's remit."""
    today = today or timezone.localdate()
    reason = _clean_text(reason)[:500]
    if not actor.can(Cap.INSTITUTION_MANAGE):
        raise NotPermitted(Cap.INSTITUTION_MANAGE)
    if not reason:
        raise _fail("reason", "请写明降级原因（如检查发现的重大问题）")
    with transaction.atomic():
        inst = _own(actor, institution)
        before = rr.in_force(inst.rating, inst.rating_valid_until, today)
        if before is None:
            raise _fail("__all__", "该机构当前没有有效的评定等级")
        after = rr.downgraded(before)
        inst.rating = after
        if after is None:
            inst.rating_valid_until = None
        inst.save(update_fields=["rating", "rating_valid_until", "updated_at"])
        event = RatingEvent.objects.create(
            institution=inst,
            region_id=inst.region_id,
            kind=RatingEventKind.DOWNGRADED if after else RatingEventKind.REVOKED,
            level_before=before,
            level_after=after,
            reason=reason,
            on=today,
            actor=actor,
        )
        _audit(
            actor,
            RatingAction.DOWNGRADE,
            inst,
            {"level": [before, after], "reason": reason},
        )
    return event
