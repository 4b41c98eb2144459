"""The 双随机 and inspection pages as each user sees them: officer (plans, draw, lists),
inspector (assigned tasks, the offline app's data, upload), operator (own findings, answer
with a photo), and hostile input."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yanglao.accounts.roles import Role
from yanglao.institutions.models import Finding, Inspection, SpotCheckPlan
from yanglao.institutions.tests.conftest import World
from yanglao.institutions.tests.supervision_world import (
    Supervision,
    inspect,
    payload,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_officer_creates_a_plan_and_draws(world: World, make_user) -> None:
    for _ in range(2):
        from yanglao.institutions import supervision

        supervision.inspector_add(
            actor=world.county,
            user=make_user(Role.INSPECTOR, "220102", mode="stats"),
            organisation="market",
            region_code="220102",
        )
    c = client_for(world.county)
    r = c.post(
        reverse("institutions:inspection_plans"),
        {
            "region": "220102",
            "year": 2026,
            "name": "南关区2026年抽查",
            "ratio": "５％",
            "ratio_document": "长民发〔2026〕1号（演示）",
            "per_task": 2,
            "items": ["YL-01", "YL-02"],
        },
    )
    plan = SpotCheckPlan.objects.get()
    assert r.status_code == 302 and str(plan.ratio) == "0.0500"
    r = c.post(reverse("institutions:inspection_plan_draw", args=[plan.public_id]))
    page = c.get(reverse("institutions:inspection_plan", args=[plan.public_id])).content.decode()
    assert plan.draw.seed in page and "南关区幸福养老院" in page
    doc = c.get(reverse("institutions:inspection_plan_draw_json", args=[plan.public_id])).json()
    assert doc["seed"] == plan.draw.seed and doc["result"] == plan.draw.result
    # A second draw is refused, the first stays.
    c.post(reverse("institutions:inspection_plan_draw", args=[plan.public_id]))
    assert SpotCheckPlan.objects.get().draw.seed == doc["seed"]


def test_bad_plan_input_is_a_message_not_a_500(world: World) -> None:
    c = client_for(world.county)
    r = c.post(
        reverse("institutions:inspection_plans"),
        {
            "region": "22\x00",
            "year": "２０２６x",
            "name": "x" * 500,
            "ratio": "1e999",
            "ratio_document": "",
            "per_task": 99,
            "items": ["nope"],
        },
    )
    assert r.status_code == 200 and not SpotCheckPlan.objects.exists()
    # Another county's region: a message on the form, nothing written.
    r = c.post(
        reverse("institutions:inspection_plans"),
        {
            "region": "２２０２０４",
            "year": 2026,
            "name": "越权",
            "ratio": "5%",
            "ratio_document": "x",
            "per_task": 2,
            "items": ["YL-01"],
        },
    )
    assert r.status_code == 200 and "不在您的辖区内" in r.content.decode()
    assert not SpotCheckPlan.objects.exists()


def test_inspector_pages_and_app(world: World, sup: Supervision, make_user) -> None:
    c = client_for(sup.inspector)
    body = c.get(reverse("institutions:inspection_tasks")).content.decode()
    assert world.home.name in body and world.other_home.name in body
    data = c.get(reverse("institutions:inspection_app_data")).json()
    assert {t["home"] for t in data["tasks"]} == {world.home.name, world.other_home.name}
    assert "fire3" in data["checklists"]
    assert c.get(reverse("institutions:inspection_app")).status_code == 200
    sw = c.get(reverse("institutions:inspection_sw"))
    assert "yanglao-inspections-" in sw.content.decode()
    stranger = client_for(make_user(Role.INSPECTOR, "220102", mode="stats"))
    assert stranger.get(reverse("institutions:inspection_app_data")).json()["tasks"] == []
    task = sup.task(world.home)
    url = reverse("institutions:inspection_task", args=[task.public_id])
    assert c.get(url).status_code == 200 and stranger.get(url).status_code == 404


def test_sync_endpoint_is_idempotent_and_refuses_junk(world: World, sup: Supervision) -> None:

    task = sup.task(world.home)
    record = payload(task)
    c = client_for(sup.inspector)
    url = reverse("institutions:inspection_sync")
    for expected in ("accepted", "duplicate"):
        r = c.post(url, json.dumps({"records": [record]}), content_type="application/json")
        assert r.json()["results"][0]["status"] == expected
    assert Inspection.objects.count() == 1
    assert c.post(url, "not json\x00", content_type="application/json").status_code == 400
    assert (
        c.post(url, json.dumps({"records": "x"}), content_type="application/json").status_code
        == 400
    )
    operator = client_for(world.operator)
    assert (
        operator.post(url, json.dumps({"records": []}), content_type="application/json").status_code
        == 403
    )


def test_operator_answers_with_a_photo_and_inspector_closes(world: World, sup: Supervision) -> None:
    inspect(sup.task(world.home), sup.inspector)
    inspect(sup.task(world.other_home), sup.inspector)
    finding = Finding.objects.get(institution=world.home)
    op = client_for(world.operator)
    body = op.get(reverse("institutions:inspection_findings")).content.decode()
    assert world.home.name in body and world.other_home.name not in body
    other = Finding.objects.get(institution=world.other_home)
    assert (
        op.get(reverse("institutions:inspection_finding", args=[other.public_id])).status_code
        == 404
    )
    photo = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png")
    op.post(
        reverse("institutions:inspection_finding_answer", args=[finding.public_id]),
        {"note": "已清理疏散通道", "photos": [photo]},
    )
    finding.refresh_from_db()
    assert finding.status == "answered" and finding.steps.get().photos.count() == 1
    bad = SimpleUploadedFile("a.png", b"GIF89a", content_type="image/png")
    op.post(
        reverse("institutions:inspection_finding_answer", args=[finding.public_id]),
        {"note": "再次", "photos": [bad]},
    )
    assert finding.steps.count() == 1  # a non-photo changes nothing
    insp = client_for(sup.inspector)
    insp.post(
        reverse("institutions:inspection_finding_recheck", args=[finding.public_id]),
        {"close": "1", "note": ""},
    )
    finding.refresh_from_db()
    assert finding.status == "closed"
    task = sup.task(world.home)
    insp.post(reverse("institutions:inspection_task_publish", args=[task.public_id]))
    results = op.get(reverse("institutions:inspection_results")).content.decode()
    assert "发现问题1项" in results and "复查通过" in results


def test_watch_lists(world: World, sup: Supervision) -> None:
    body = client_for(world.county).get(reverse("institutions:inspection_watch")).content.decode()
    assert world.home.name in body  # not inspected this year
    assert (
        client_for(world.operator).get(reverse("institutions:inspection_watch")).status_code == 403
    )


def test_serious_finding_offers_the_officer_a_downgrade(world: World, sup: Supervision) -> None:
    """GB/T 37276 等级评定: a serious finding can cost a rated home one level — the county
    officer decides on the finding's page, never the inspector or the operator."""
    from datetime import timedelta

    from django.utils import timezone

    from yanglao.institutions.models import Institution, RatingEvent

    valid = timezone.localdate() + timedelta(days=365)
    Institution.objects.filter(pk=world.home.pk).update(rating=3, rating_valid_until=valid)
    inspect(sup.task(world.home), sup.inspector, serious=True)
    finding = Finding.objects.get()
    url = reverse("institutions:inspection_finding", args=[finding.public_id])
    for user in (sup.inspector, world.operator):
        assert "据此降级" not in client_for(user).get(url).content.decode()
    officer = client_for(world.county)
    body = officer.get(url).content.decode()
    assert "据此降级" in body and "该机构现为三级" in body and finding.clause in body
    reason = f"检查发现严重问题：{finding.clause}"
    r = officer.post(
        reverse("institutions:rating_downgrade", args=[world.home.public_id]),
        {"reason": reason},
        follow=True,
    )
    assert "已调整等级为：二级" in r.content.decode()
    event = RatingEvent.objects.get(institution=world.home)
    assert (event.level_before, event.level_after) == (3, 2) and reason in event.reason
    Finding.objects.filter(pk=finding.pk).update(serious=False)
    assert "据此降级" not in officer.get(url).content.decode()  # only serious findings
