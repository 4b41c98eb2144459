"""等级评定 flow: application → self-assessment → expert scores with evidence → committee →
公示 → certificate → downgrade; scope (operators bound, officers by county); pages; API."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from django.http import Http404
from django.test import Client

from yanglao.core.models import AuditEvent
from yanglao.institutions import rating
from yanglao.institutions.models import (
    Institution,
    RatingApplication,
    RatingClause,
    RatingEvent,
    RatingStatus,
)
from yanglao.institutions.rating_testing import entries_at, file_home, run_to_publicity
from yanglao.institutions.services import (
    InstitutionInput,
    InstitutionInvalid,
    NotPermitted,
    institution_update,
)
from yanglao.institutions.tests.conftest import TODAY, World

pytestmark = pytest.mark.django_db


def ready(world: World, inst: Institution | None = None) -> Institution:
    """The home filed and fire-approved: it may apply."""
    inst = inst or world.home
    data = InstitutionInput.of(inst)
    data.fire_approved = True
    inst = institution_update(
        actor=world.county, institution=inst, data=data, expected_version=inst.version
    )
    return file_home(officer=world.county, institution=inst, today=TODAY - timedelta(days=90))


def test_clause_table_is_seeded() -> None:
    assert RatingClause.objects.filter(edition="GB/T 37276-2018").count() == 30
    assert not RatingClause.objects.filter(verified=True).exists()  # all 待核实


def test_preconditions_to_apply(world: World) -> None:
    with pytest.raises(InstitutionInvalid) as exc:
        rating.rating_apply(actor=world.operator, institution=world.home, level=3, today=TODAY)
    msg = exc.value.errors["__all__"][0]
    assert "尚未备案" in msg and "消防审验" in msg
    with pytest.raises(InstitutionInvalid):
        rating.rating_apply(actor=world.operator, institution=ready(world), level=6, today=TODAY)


def test_full_flow_to_certificate(world: World) -> None:
    home = ready(world)
    app = run_to_publicity(
        operator=world.operator,
        officer=world.county,
        institution=home,
        level=3,
        share=D("0.7"),
        today=TODAY,
    )
    assert app.status == RatingStatus.PUBLICITY
    assert app.reached_level == 3 and app.level == 3
    assert app.publicity_from == TODAY and app.publicity_until == date(2026, 12, 4)
    assert app.self_total is not None and app.expert_total is not None
    # Not before the publicity has ended (its last day included).
    with pytest.raises(InstitutionInvalid, match="公示期至2026-12-04"):
        rating.rating_certify(actor=world.county, application=app, today=date(2026, 12, 4))
    app = rating.rating_certify(actor=world.county, application=app, today=date(2026, 12, 5))
    home.refresh_from_db()
    assert (home.rating, home.rating_valid_until) == (3, date(2029, 12, 4))
    assert app.certificate_no.startswith("评220102" + "2026")
    event = RatingEvent.objects.get(institution=home)
    assert (event.kind, event.level_before, event.level_after) == ("certified", None, 3)
    actions = set(
        AuditEvent.objects.filter(object_id=str(home.public_id)).values_list("action", flat=True)
    )
    assert {
        "institution.rating_apply",
        "institution.rating_self_assess",
        "institution.rating_score",
        "institution.rating_decide",
        "institution.rating_certify",
    } <= actions


def test_committee_grants_at_most_the_level_applied_for_and_reached(world: World) -> None:
    home = ready(world)
    app = run_to_publicity(
        operator=world.operator,
        officer=world.county,
        institution=home,
        level=2,
        share=D("0.95"),
        today=TODAY,
    )
    assert (app.reached_level, app.level) == (5, 2)


def test_committee_refuses_a_level_above_the_scores(world: World) -> None:
    home = ready(world)
    app = rating.rating_apply(actor=world.operator, institution=home, level=5, today=TODAY)
    rating.rating_self_assess(
        actor=world.operator, application=app, entries=entries_at(D("0.9")), submit=True
    )
    rating.rating_score(actor=world.county, application=app, entries=entries_at(D("0.65")))
    with pytest.raises(InstitutionInvalid, match="三级"):
        rating.rating_decide(actor=world.county, application=app, approve=True, level=4)
    app = rating.rating_decide(actor=world.county, application=app, approve=True, level=2)
    assert app.level == 2 and app.reached_level == 3


def test_below_first_level_can_only_be_rejected(world: World) -> None:
    home = ready(world)
    app = rating.rating_apply(actor=world.operator, institution=home, level=1, today=TODAY)
    rating.rating_self_assess(
        actor=world.operator, application=app, entries=entries_at(D("0.5")), submit=True
    )
    rating.rating_score(actor=world.county, application=app, entries=entries_at(D("0.3")))
    with pytest.raises(InstitutionInvalid, match="未达到一级"):
        rating.rating_decide(actor=world.county, application=app, approve=True)
    with pytest.raises(InstitutionInvalid, match="理由"):
        rating.rating_decide(actor=world.county, application=app, approve=False)
    app = rating.rating_decide(actor=world.county, application=app, approve=False, note="差距大")
    assert app.status == RatingStatus.REJECTED and app.reached_level is None
    # A rejected application no longer blocks a new one.
    assert rating.rating_apply(actor=world.operator, institution=home, level=1, today=TODAY)


def test_one_open_application(world: World) -> None:
    home = ready(world)
    rating.rating_apply(actor=world.operator, institution=home, level=3, today=TODAY)
    with pytest.raises(InstitutionInvalid, match="正在办理"):
        rating.rating_apply(actor=world.operator, institution=home, level=2, today=TODAY)


def test_self_assessment_must_be_complete_and_then_locks(world: World) -> None:
    app = rating.rating_apply(actor=world.operator, institution=ready(world), level=3)
    partial = dict(list(entries_at(D("0.7")).items())[:5])
    rating.rating_self_assess(actor=world.operator, application=app, entries=partial)
    with pytest.raises(InstitutionInvalid, match="还有25项未自评"):
        rating.rating_self_assess(actor=world.operator, application=app, entries={}, submit=True)
    rating.rating_self_assess(
        actor=world.operator, application=app, entries=entries_at(D("0.7")), submit=True
    )
    with pytest.raises(InstitutionInvalid, match="自评已提交"):
        rating.rating_self_assess(actor=world.operator, application=app, entries=partial)


def test_expert_scores_need_evidence_and_valid_points(world: World) -> None:
    app = rating.rating_apply(actor=world.operator, institution=ready(world), level=3)
    rating.rating_self_assess(
        actor=world.operator, application=app, entries=entries_at(D("0.7")), submit=True
    )
    bad = {
        "E1": rating.ClauseScore("10", ""),
        "E2": rating.ClauseScore("99", "超出"),
        "E3": rating.ClauseScore("1\x00", "空字符"),
        "ZZ": rating.ClauseScore("1", "没有这一条"),
    }
    with pytest.raises(InstitutionInvalid) as exc:
        rating.rating_score(actor=world.county, application=app, entries=bad)
    text = json.dumps(exc.value.errors, ensure_ascii=False)
    assert "评分依据" in text and "不能超过" in text and "数字" in text and "ZZ" in text
    assert not app.scores.filter(expert_score__isnull=False).exists()  # nothing half-written
    # Scores cannot be decided while a clause is unscored.
    rating.rating_score(
        actor=world.county, application=app, entries={"E1": rating.ClauseScore("１５", "看过")}
    )
    row = app.scores.get(clause__code="E1")
    assert row.expert_score == D(15) and row.scored_by == world.county
    with pytest.raises(InstitutionInvalid, match="未由专家评分"):
        rating.rating_decide(actor=world.county, application=app, approve=True)


def test_operators_cannot_score_or_decide_and_outsiders_see_nothing(world: World) -> None:
    app = rating.rating_apply(actor=world.operator, institution=ready(world), level=3)
    with pytest.raises(NotPermitted):
        rating.rating_score(actor=world.operator, application=app, entries={})
    with pytest.raises(NotPermitted):
        rating.rating_decide(actor=world.operator, application=app, approve=True)
    with pytest.raises(Http404):  # another home's operator: not bound to it
        rating.rating_self_assess(actor=world.other_operator, application=app, entries={})
    with pytest.raises(Http404):  # another county's officer
        rating.rating_score(actor=world.outsider, application=app, entries={})
    with pytest.raises(NotPermitted):
        rating.rating_downgrade(actor=world.worker, institution=world.home, reason="x")


def test_objection_upheld_returns_to_the_experts(world: World) -> None:
    app = run_to_publicity(
        operator=world.operator,
        officer=world.county,
        institution=ready(world),
        level=3,
        share=D("0.7"),
        today=TODAY,
    )
    with pytest.raises(InstitutionInvalid):
        rating.rating_objection(actor=world.county, application=app, note="", upheld=True)
    app = rating.rating_objection(
        actor=world.county, application=app, note="群众反映夜间无人值守，核实属实", upheld=False
    )
    assert app.status == RatingStatus.PUBLICITY
    app = rating.rating_objection(actor=world.county, application=app, note="属实", upheld=True)
    assert app.status == RatingStatus.SCORING and app.level is None and app.publicity_until is None
    with pytest.raises(InstitutionInvalid):
        rating.rating_certify(actor=world.county, application=app, today=TODAY + timedelta(30))


def certified(world: World, level: int, share: str) -> Institution:
    home = ready(world)
    app = run_to_publicity(
        operator=world.operator,
        officer=world.county,
        institution=home,
        level=level,
        share=D(share),
        today=TODAY - timedelta(days=20),
    )
    rating.rating_certify(actor=world.county, application=app, today=TODAY - timedelta(days=10))
    home.refresh_from_db()
    return home


def test_downgrade_one_level_then_revoked(world: World) -> None:
    home = certified(world, 2, "0.55")
    assert home.rating == 2
    with pytest.raises(InstitutionInvalid, match="原因"):
        rating.rating_downgrade(actor=world.county, institution=home, reason=" \x00 ")
    e1 = rating.rating_downgrade(actor=world.county, institution=home, reason="重大火灾隐患")
    home.refresh_from_db()
    assert (e1.kind, e1.level_before, e1.level_after, home.rating) == ("downgraded", 2, 1, 1)
    assert home.rating_valid_until is not None  # the certificate's end stays
    e2 = rating.rating_downgrade(actor=world.county, institution=home, reason="再次发现")
    home.refresh_from_db()
    assert (e2.kind, e2.level_after, home.rating, home.rating_valid_until) == (
        "revoked",
        None,
        None,
        None,
    )
    with pytest.raises(InstitutionInvalid, match="没有有效"):
        rating.rating_downgrade(actor=world.county, institution=home, reason="再次发现")
    with pytest.raises(Http404):
        rating.rating_downgrade(actor=world.outsider, institution=home, reason="越权")
    assert AuditEvent.objects.filter(action="institution.rating_downgrade").count() == 2


def test_expired_certificate_cannot_be_downgraded(world: World) -> None:
    home = certified(world, 2, "0.55")
    assert home.rating_valid_until is not None
    after = home.rating_valid_until + timedelta(days=1)
    with pytest.raises(InstitutionInvalid, match="没有有效"):
        rating.rating_downgrade(actor=world.county, institution=home, reason="x", today=after)


# --- pages ------------------------------------------------------------------------------


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_operator_applies_and_self_assesses(world: World) -> None:
    home = ready(world)
    op = client_for(world.operator)
    r = op.get(f"/institutions/{home.public_id}/")
    assert "申请等级评定" in r.content.decode()
    r = op.post(f"/institutions/{home.public_id}/rating/apply/", {"level": "3"})
    app = RatingApplication.objects.get(institution=home)
    assert r.status_code == 302 and r["Location"].endswith(f"/ratings/{app.public_id}/")
    page = op.get(f"/institutions/ratings/{app.public_id}/").content.decode()
    assert "pts_E1" in page and "保存自评" in page and "待核实" in page
    form = {f"pts_{k}": v.points for k, v in entries_at(D("0.7")).items()}
    r = op.post(f"/institutions/ratings/{app.public_id}/", {**form, "action": "self_submit"})
    app.refresh_from_db()
    assert app.status == RatingStatus.SCORING
    # The operator may not score, decide or certify.
    assert (
        op.post(f"/institutions/ratings/{app.public_id}/decide/", {"approve": "1"}).status_code
        == 403
    )
    r = op.post(
        f"/institutions/ratings/{app.public_id}/",
        {"pts_E1": "1", "note_E1": "x", "action": "score"},
    )
    app.refresh_from_db()
    assert app.scores.get(clause__code="E1").expert_score is None
    # Bad level and hostile input change nothing.
    r = op.post(f"/institutions/{home.public_id}/rating/apply/", {"level": "３\x00"})
    assert r.status_code == 302 and RatingApplication.objects.count() == 1


def test_pages_officer_scores_decides_certifies(world: World) -> None:
    home = ready(world)
    app = rating.rating_apply(actor=world.operator, institution=home, level=3)
    rating.rating_self_assess(
        actor=world.operator, application=app, entries=entries_at(D("0.7")), submit=True
    )
    c = client_for(world.county)
    form = {}
    for k, v in entries_at(D("0.7")).items():
        form[f"pts_{k}"], form[f"note_{k}"] = v.points, v.note
    c.post(f"/institutions/ratings/{app.public_id}/", {**form, "action": "score"})
    page = c.get(f"/institutions/ratings/{app.public_id}/").content.decode()
    assert "达到 <strong>三级</strong>" in page and "评定委员会" in page
    c.post(f"/institutions/ratings/{app.public_id}/decide/", {"approve": "1", "note": "同意"})
    app.refresh_from_db()
    assert app.status == RatingStatus.PUBLICITY and app.level == 3
    r = c.post(f"/institutions/ratings/{app.public_id}/certify/", follow=True)
    assert "期满后方可发证" in r.content.decode()
    app.refresh_from_db()
    assert app.status == RatingStatus.PUBLICITY  # publicity not over yet
    lst = c.get("/institutions/ratings/?status=publicity").content.decode()
    assert home.name in lst and "公示中" in lst
    assert c.get("/institutions/ratings/?institution=not-a-uuid").status_code == 200
    assert (
        client_for(world.outsider).get(f"/institutions/ratings/{app.public_id}/").status_code == 404
    )
    assert (
        home.name not in client_for(world.outsider).get("/institutions/ratings/").content.decode()
    )


# --- API --------------------------------------------------------------------------------


def test_api_officer_scores_and_decides(world: World, api_client: Any) -> None:
    app = rating.rating_apply(actor=world.operator, institution=ready(world), level=4)
    rating.rating_self_assess(
        actor=world.operator, application=app, entries=entries_at(D("0.9")), submit=True
    )
    c = api_client(world.county)
    r = c.get("/api/v1/ratings?status=scoring")
    assert r.status_code == 200 and r.json()["count"] == 1
    body = {
        "scores": [
            {"clause": k, "score": v.points, "evidence": v.note}
            for k, v in entries_at(D("0.85")).items()
        ]
    }
    r = c.post(f"/api/v1/ratings/{app.public_id}/scores", body)
    assert r.status_code == 200, r.content
    r = c.post(f"/api/v1/ratings/{app.public_id}/decision", {"approve": True, "level": 5})
    assert r.status_code == 422 and "四级" in r.content.decode()
    r = c.post(f"/api/v1/ratings/{app.public_id}/decision", {"approve": True})
    assert r.status_code == 200 and r.json()["level"] == 4 and r.json()["status"] == "publicity"
    op = api_client(world.operator)
    assert op.get("/api/v1/ratings").status_code == 403
    out = api_client(world.outsider)
    assert out.get(f"/api/v1/ratings/{app.public_id}").status_code == 404
