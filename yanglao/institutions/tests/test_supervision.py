"""双随机一公开 and inspection with the database: the draw as stored and replayed, scoping of
inspectors (assigned tasks only) and operators (own home only), idempotent upload, the
rectification loop, coverage and late lists."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.http import Http404

from yanglao.accounts.roles import Role
from yanglao.core.models import AuditEvent
from yanglao.institutions import spotcheck, supervision, supervision_sync
from yanglao.institutions import supervision_queries as q
from yanglao.institutions.models import (
    EvidencePhoto,
    Finding,
    Inspection,
    Institution,
    SpotCheckTask,
)
from yanglao.institutions.services import InstitutionInvalid, NotPermitted
from yanglao.institutions.tests.conftest import World, institution_input
from yanglao.institutions.tests.supervision_world import (
    Supervision,
    inspect,
    lines,
    payload,
)

pytestmark = pytest.mark.django_db


def test_draw_is_stored_with_its_inputs_and_replays(world: World, sup: Supervision) -> None:
    d = sup.draw
    assert len(d.seed) == 32 and d.homes == sorted(d.homes)
    assert set(d.homes) == {str(world.home.public_id), str(world.other_home.public_id)}
    replay = spotcheck.draw(supervision.draw_input(d))
    assert replay.as_dict() == d.result
    tasks = list(d.tasks.all())
    assert len(tasks) == 2
    assert all(set(t.inspectors.all()) == {sup.inspector, sup.inspector2} for t in tasks)
    # The published JSON (as downloaded) replays the same.
    published = {
        "seed": d.seed,
        "ratio": str(d.ratio),
        "per_task": d.per_task,
        "homes": d.homes,
        "inspectors": d.inspectors,
        "conflicts": d.conflicts,
    }
    assert spotcheck.draw(supervision.draw_input(published)).as_dict() == d.result
    assert AuditEvent.objects.filter(action="inspection.draw").count() == 1


def test_one_draw_per_plan(world: World, sup: Supervision) -> None:
    with pytest.raises(InstitutionInvalid):
        supervision.draw_run(actor=world.county, plan=sup.plan)


def test_closed_home_excluded_and_conflict_honoured(
    world: World, make_user, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    home3 = Institution.objects.get(pk=world.home.pk)
    from yanglao.institutions import services

    shut = services.institution_register(
        actor=world.county, data=institution_input(3, status="closed")
    )
    a, b, c = (make_user(Role.INSPECTOR, "220102", mode="stats") for _ in range(3))
    entries = [
        supervision.inspector_add(
            actor=world.county, user=u, organisation="civil", region_code="220102"
        )
        for u in (a, b, c)
    ]
    supervision.link_add(actor=world.county, inspector=entries[0], institution=home3, reason="亲属")
    plan = supervision.plan_create(
        actor=world.county,
        data=supervision.PlanInput("220102", 2026, "计划", "1", "测试", ["YL-02"]),
    )
    d = supervision.draw_run(actor=world.county, plan=plan)
    assert {"id": str(shut.public_id), "reason": "已停业"} in d.excluded
    assert str(shut.public_id) not in d.homes
    assert d.conflicts == [[str(entries[0].public_id), str(home3.public_id)]]
    task = d.tasks.get(institution=home3)
    assert set(task.inspectors.all()) == {b, c}


def test_inspector_sees_only_assigned_tasks(world: World, sup: Supervision, make_user) -> None:
    stranger = make_user(Role.INSPECTOR, "220102", mode="stats")
    task = sup.task(world.home)
    assert q.task_get(user=sup.inspector, public_id=task.public_id) == task
    assert not q.tasks(stranger).exists()
    with pytest.raises(Http404):
        q.task_get(user=stranger, public_id=task.public_id)
    with pytest.raises(Http404):
        inspect(task, stranger)


def test_operator_sees_only_own_home(world: World, sup: Supervision) -> None:
    inspect(sup.task(world.home), sup.inspector)
    inspect(sup.task(world.other_home), sup.inspector)
    mine = q.findings(world.operator)
    assert [f.institution_id for f in mine] == [world.home.pk]
    other = Finding.objects.get(institution=world.other_home)
    with pytest.raises(Http404):
        q.finding_get(user=world.operator, public_id=other.public_id)
    with pytest.raises(Http404):
        supervision.finding_answer(actor=world.operator, finding=other, note="已整改")
    assert [t.institution_id for t in q.tasks(world.operator)] == [world.home.pk]
    assert not q.tasks(world.outsider).exists() and not q.findings(world.outsider).exists()


def test_upload_is_idempotent(world: World, sup: Supervision) -> None:
    task = sup.task(world.home)
    record = payload(task)
    first = supervision_sync.upload(actor=sup.inspector, records=[record])
    again = supervision_sync.upload(actor=sup.inspector, records=[record])
    assert first[0]["status"] == "accepted" and again[0]["status"] == "duplicate"
    assert first[0]["id"] == again[0]["id"]
    assert Inspection.objects.count() == 1 and Finding.objects.count() == 1
    assert EvidencePhoto.objects.count() == 1
    # The same client UUID from the other inspector is refused, not merged.
    other = supervision_sync.upload(actor=sup.inspector2, records=[record])
    assert other[0]["status"] == "rejected"
    task.refresh_from_db()
    assert task.status == "inspected" and task.inspected_on == date(2026, 11, 2)


@pytest.mark.parametrize(
    ("payload", "key"),
    [
        ("x", "__all__"),
        ({"client_uuid": "no", "task": "no", "inspected_on": "x", "lines": []}, "lines"),
        (
            {
                "client_uuid": str(uuid.uuid4()),
                "task": str(uuid.uuid4()),
                "inspected_on": "2026-11-02",
                "lines": [{"clause": "FIRE-1.1", "verdict": "conform"}],
            },
            "task",
        ),
        (
            {"client_uuid": "\x00", "task": "１", "inspected_on": "２０２６", "lines": [{}]},
            "client_uuid",
        ),
    ],
)
def test_bad_uploads_rejected_with_chinese_reasons(sup: Supervision, payload, key) -> None:
    [res] = supervision_sync.upload(actor=sup.inspector, records=[payload])
    assert res["status"] == "rejected" and key in res["errors"]
    assert Inspection.objects.count() == 0


def test_checklist_must_be_complete_and_findings_need_a_deadline(
    world: World, sup: Supervision
) -> None:
    task = sup.task(world.home)
    partial = lines(task)[:-1]
    with pytest.raises(InstitutionInvalid) as e:
        supervision.inspection_record(
            actor=sup.inspector,
            task=task,
            client_uuid=uuid.uuid4(),
            inspected_on=date(2026, 11, 2),
            lines=partial,
            today=date(2026, 11, 3),
        )
    assert "lines" in e.value.errors
    with pytest.raises(InstitutionInvalid):
        inspect(task, sup.inspector, deadline=date(2026, 11, 2))  # not after the inspection
    with pytest.raises(InstitutionInvalid):
        inspect(task, sup.inspector, photos=["data:image/png;base64,bm90IGEgcGhvdG8="])
    assert Inspection.objects.count() == 0


def test_rectification_loop_and_publication(world: World, sup: Supervision) -> None:
    task = sup.task(world.home)
    inspect(task, sup.inspector)
    finding = Finding.objects.get()
    with pytest.raises(InstitutionInvalid):  # nothing to re-check yet
        supervision.finding_recheck(actor=sup.inspector, finding=finding, close=True, note="")
    supervision.finding_answer(
        actor=world.operator,
        finding=finding,
        note="已清理通道",
        photos=[(b"\x89PNG0", "image/png")],
    )
    supervision.finding_recheck(actor=sup.inspector2, finding=finding, close=False, note="仍有杂物")
    finding.refresh_from_db()
    assert finding.status == "open"
    supervision.finding_answer(actor=world.operator, finding=finding, note="全部清走")
    supervision.finding_recheck(
        actor=sup.inspector, finding=finding, close=True, note="", today=date(2026, 11, 20)
    )
    finding.refresh_from_db()
    assert finding.status == "closed" and finding.closed_on == date(2026, 11, 20)
    assert [s.kind for s in finding.steps.all()] == ["answer", "return", "answer", "close"]
    with pytest.raises(NotPermitted):
        supervision.finding_answer(actor=sup.inspector, finding=finding, note="x")
    with pytest.raises(NotPermitted):
        supervision.finding_recheck(actor=world.operator, finding=finding, close=True, note="")
    supervision.result_publish(actor=sup.inspector, task=task, today=date(2026, 11, 27))
    [res] = q.published_results(world.home)
    assert res.conclusion == "发现问题1项，已责令限期整改"
    assert res.findings[0].status_label == "复查通过"
    assert "杂物" not in str(res)  # no free text in the public result
    assert q.published_results(world.other_home) == []


def test_publish_requires_an_inspection_and_scope(
    world: World, sup: Supervision, make_user
) -> None:
    task = sup.task(world.home)
    with pytest.raises(InstitutionInvalid):
        supervision.result_publish(actor=world.county, task=task)
    inspect(task, sup.inspector)
    with pytest.raises(Http404):
        supervision.result_publish(actor=make_user(Role.COUNTY_OFFICER, "220204"), task=task)
    with pytest.raises(NotPermitted):
        supervision.result_publish(actor=world.operator, task=task)


def test_coverage_late_and_overdue_lists(world: World, sup: Supervision) -> None:
    county = world.county
    assert set(q.uninspected(user=county, year=2026)) == {world.home, world.other_home}
    inspect(sup.task(world.home), sup.inspector, on=date(2026, 11, 2), deadline=date(2026, 11, 20))
    assert list(q.uninspected(user=county, year=2026)) == [world.other_home]
    assert q.late_publications(user=county, today=date(2026, 11, 30)) == []
    [late] = q.late_publications(user=county, today=date(2026, 12, 1))
    assert late.due == date(2026, 11, 30)
    assert list(q.overdue_rectifications(user=county, today=date(2026, 11, 20))) == []
    assert len(q.overdue_rectifications(user=county, today=date(2026, 11, 21))) == 1
    assert q.late_publications(user=world.outsider, today=date(2026, 12, 1)) == []
    assert not q.overdue_rectifications(user=world.outsider, today=date(2026, 12, 1)).exists()


def test_late_publication_deadline_counts_the_spring_festival(
    world: World, sup: Supervision
) -> None:
    # Inspected Monday 2 February 2026: 20 working days on the seeded calendar skip 春节
    # (16–20, 23 February) and count the 调休 Saturdays 14 and 28 February → due Friday
    # 6 March (weekends only: Monday 2 March).
    inspect(sup.task(world.home), sup.inspector, on=date(2026, 2, 2), deadline=date(2026, 3, 31))
    assert q.late_publications(user=world.county, today=date(2026, 3, 6)) == []
    [late] = q.late_publications(user=world.county, today=date(2026, 3, 9))
    assert late.due == date(2026, 3, 6)


def test_serious_finding_links_a_resident_of_that_home(world: World, sup: Supervision) -> None:
    from yanglao.institutions import services

    person = world.person()
    stay = services.resident_admit(
        actor=world.operator,
        institution=world.home,
        id_number=person.id_number,
        bed=None,
        start=date(2026, 1, 5),
    )
    inspect(sup.task(world.home), sup.inspector, serious=True, residency=stay.public_id)
    assert Finding.objects.get().residency == stay
    with pytest.raises(InstitutionInvalid):
        inspect(sup.task(world.other_home), sup.inspector, residency=stay.public_id)


def test_plan_input_refused_with_reasons(world: World) -> None:
    with pytest.raises(InstitutionInvalid) as e:
        supervision.plan_create(
            actor=world.county,
            data=supervision.PlanInput("220102", 1900, "", "0", "", [], per_task=1),
        )
    assert set(e.value.errors) == {"ratio", "year", "name", "ratio_document", "per_task", "items"}
    with pytest.raises(Http404):
        supervision.plan_create(
            actor=world.outsider,
            data=supervision.PlanInput("220102", 2026, "x", "5%", "x", ["YL-01"]),
        )
    assert not SpotCheckTask.objects.exists()


def test_only_inspector_accounts_enter_the_directory(world: World) -> None:
    with pytest.raises(InstitutionInvalid):
        supervision.inspector_add(
            actor=world.county, user=world.operator, organisation="civil", region_code="220102"
        )


def test_coverage_and_rectification_on_time_indicators(world: World, sup: Supervision) -> None:
    """The statistics indicators over real inspections (institutions.queries): coverage counts
    a home once it has an on-site inspection in the year; a finding closed ON its deadline is
    on time, one closed the day after (or still open past it) counts in the denominator only."""
    from yanglao.institutions import queries
    from yanglao.institutions.queries import Ratio

    assert queries.inspection_coverage("220102", 2026) == Ratio(0, 2)
    deadline = date(2026, 11, 20)
    for home, closed_on in ((world.home, deadline), (world.other_home, date(2026, 11, 21))):
        inspect(sup.task(home), sup.inspector, on=date(2026, 11, 2), deadline=deadline)
        finding = Finding.objects.get(institution=home)
        operator = world.operator if home == world.home else world.other_operator
        supervision.finding_answer(actor=operator, finding=finding, note="已整改")
        supervision.finding_recheck(
            actor=sup.inspector, finding=finding, close=True, note="", today=closed_on
        )
    assert queries.inspection_coverage("220102", 2026) == Ratio(2, 2)
    assert queries.inspection_coverage("220102", 2025) == Ratio(0, 2)
    assert queries.inspection_coverage("220102002", 2026) == Ratio(1, 1)  # other_home's town
    assert queries.inspection_coverage("220204", 2026) == Ratio(0, 0)
    assert queries.rectification_on_time("220102", 2026) == Ratio(1, 2)
    assert queries.rectification_on_time("220102", 2027) == Ratio(0, 0)
    # A third finding still open past its deadline: due, not on time.
    task = sup.task(world.home)
    Finding.objects.create(
        institution=world.home,
        region_id=world.home.region_id,
        task=task,
        inspection=task.inspections.get(),
        clause="FIRE-1.1",
        note="灭火器过期",
        deadline=date(2026, 11, 25),
    )
    assert queries.rectification_on_time("220102", 2026) == Ratio(1, 3)


def test_public_page_shows_only_published_results(world: World, sup: Supervision) -> None:
    from django.core.cache import cache
    from django.test import Client

    from yanglao.institutions import public
    from yanglao.institutions.rating_testing import file_home

    file_home(officer=world.county, institution=world.home, today=date(2026, 11, 1))
    task = sup.task(world.home)
    inspect(task, sup.inspector, on=date(2026, 11, 2))
    url = f"/public/institutions/{world.home.public_id}/"
    assert public.public_inspection_results(world.home) == []  # inspected, not published
    assert "暂无已公布的检查结果" in Client().get(url).content.decode()
    supervision.result_publish(actor=sup.inspector, task=task, today=date(2026, 11, 27))
    cache.clear()
    [r] = public.public_inspection_results(world.home)
    assert (r.checked_on, r.findings, r.rectified) == (date(2026, 11, 2), 1, False)
    assert r.published_on == date(2026, 11, 27)
    body = Client().get(url).content.decode()
    assert "发现问题 1 项，整改中" in body and "2026-11-27 公布" in body
    assert "疏散通道堆放杂物" not in body  # the finding's own text stays inside


def test_draw_is_public_once_its_results_are(world: World, sup: Supervision) -> None:
    """双随机一公开: anyone (no login) gets the seed, the candidates and the result, and
    re-running spotcheck.draw on the download gives the same selection; not before every
    result of the draw is published (or the plan's year is over); inspectors as ids only."""
    import json

    from django.test import Client

    from yanglao.institutions import public
    from yanglao.institutions.models import Inspector

    anon = Client()
    json_url = f"/public/institutions/draws/{sup.draw.public_id}.json"
    assert public.draws(date(2026, 11, 30)) == []
    assert anon.get(json_url).status_code == 404
    assert "暂无已公开的抽取记录" in anon.get("/public/institutions/draws/").content.decode()
    assert len(public.draws(date(2027, 1, 4))) == 1  # the plan's year is over
    tasks = list(sup.draw.tasks.all())
    for t in tasks:
        inspect(t, sup.inspector, on=date(2026, 11, 2))
    supervision.result_publish(actor=sup.inspector, task=tasks[0], today=date(2026, 11, 20))
    assert public.draws(date(2026, 11, 30)) == []  # one result still unpublished
    supervision.result_publish(actor=sup.inspector, task=tasks[1], today=date(2026, 11, 20))
    [row] = public.draws(date(2026, 11, 30))
    assert row["seed"] == sup.draw.seed and row["tasks"] == 2 and row["ratio"] == "100%"
    page = anon.get("/public/institutions/draws/").content.decode()
    assert sup.draw.seed in page and json_url in page
    r = anon.get(json_url)
    assert r.status_code == 200
    doc = json.loads(r.content)
    assert spotcheck.draw(supervision.draw_input(doc)).as_dict() == doc["result"]
    assert set(doc["drawn_homes"].values()) == {world.home.name, world.other_home.name}
    for name in Inspector.objects.values_list("name", flat=True):
        assert name not in r.content.decode() and name not in page
    assert sup.inspector.username not in r.content.decode()
