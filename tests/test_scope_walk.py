"""Deny by default: every page declares its scope, and none shows another county's records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from yanglao.accounts.roles import Role
from yanglao.core.middleware import SCOPE_ATTR
from yanglao.people import services
from yanglao.people.choices import Category
from yanglao.people.testing import person_input

pytestmark = pytest.mark.django_db

SECRET_NAME = "欧阳秀英"
# Pages open without login (institution directory): 200 to anyone, never personal data.
PUBLIC_PREFIX = "public/"


def walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("api/"):
                continue  # the API has its own walk in yanglao/api/tests
            yield from walk(p, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def all_patterns() -> list[tuple[str, URLPattern]]:
    return list(walk(get_resolver()))


def test_every_view_declares_its_scope() -> None:
    missing = [route for route, p in all_patterns() if not getattr(p.callback, SCOPE_ATTR, None)]
    assert missing == []


@pytest.fixture
def county_a_world(regions, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    person, _ = services.person_register(
        actor=officer, data=person_input("220102001001", name=SECRET_NAME, address="秘密路1号")
    )
    tag = services.person_category_add(
        actor=officer, person=person, category=Category.LIVING_ALONE, start=date(2024, 1, 1)
    )
    from yanglao.assessments.services import assessment_start

    assessor = make_user(Role.ASSESSOR, "220102", mode="search")
    assessment = assessment_start(
        actor=assessor, person=person, reason="first", assessment_date=date(2025, 1, 1)
    )
    # Home visits: a record of the secret person with an emergency follow-up and a photo.
    import base64
    import uuid as uuid_mod

    from django.utils import timezone

    from yanglao.visits.choices import FollowUpKind, RiskLevel
    from yanglao.visits.rules import FollowUpInput
    from yanglao.visits.services import visit_record
    from yanglao.visits.testing import visit_input

    worker = make_user(Role.VISIT_WORKER, "220102001001")
    png = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n0000").decode()
    visit = visit_record(
        actor=worker,
        person=person,
        data=visit_input(
            timezone.localdate(),
            risk_level=RiskLevel.EMERGENCY,
            summary="秘密路1号 摔倒",
            follow_ups=[FollowUpInput(FollowUpKind.EMERGENCY, "已拨打120", call_made=True)],
        ),
        client_uuid=uuid_mod.uuid4(),
        photos=[png],
    ).record
    benefits = _benefits_world(officer, person, make_user)
    from yanglao.people.testing import certificate_for

    disability = services.disability_add(
        actor=officer,
        person=person,
        kind="4",
        grade="1",
        certificate=certificate_for(person.id_number, "4", "1"),
        issue_date=date(2024, 1, 1),
    )
    services.dementia_add(
        actor=officer, person=person, source="hospital", diagnosed_on=date(2024, 1, 1)
    )
    institution = _institutions_world(officer, person, make_user)
    community = _community_world(officer, person, make_user)
    from yanglao.community.programmes.testing import scope_walk_world

    programmes = scope_walk_world(officer, person)
    return {
        **institution,
        **_issue13_world(officer, make_user),
        **community,
        **programmes,
        **_statistics_world(officer),
        "row_id": str(disability.pk),
        **benefits,
        "record_id": str(visit.public_id),
        "followup_id": str(visit.follow_ups.get().pk),
        "photo_id": str(visit.photos.get().pk),
        "assessment_id": str(assessment.public_id),
        "public_id": str(person.public_id),
        "tag_id": str(tag.pk),
        "code": "220102001001",
        "kind": "death",
        "field": "id_number",
        "pk": str(officer.pk),
    }


def _benefits_world(officer, person, make_user) -> dict[str, str]:
    """An application with a document, an entitlement, a review task and a roll of the
    secret person, so the walk reaches every benefits page with a real object."""
    from yanglao.benefits import catalog
    from yanglao.benefits import services as benefits
    from yanglao.benefits.models import Entitlement, OverlapRule, ReviewTask, ServiceItem

    catalog.seed(ServiceItem, OverlapRule)
    n06 = ServiceItem.objects.get(code="N06", region__isnull=True)
    bands = [{**b, "value": "100"} for b in n06.standard]
    benefits.item_publish(
        actor=officer,
        region_code="220102000000",
        data=benefits.ItemInput(
            code="N06",
            name=n06.name,
            category=n06.category,
            target=n06.target,
            rule=n06.rule,
            standard=bands,
            effective_from=date(2024, 1, 1),
            document_no="测试",
            payable=True,
        ),
    )
    worker = make_user(Role.VISIT_WORKER, "220102001001")
    township = make_user(Role.TOWNSHIP_OFFICER, "220102001")
    app = benefits.application_create(
        actor=worker,
        person=person,
        item_code="N06",
        account="6217000012345678",
        documents=[benefits.Upload("证明.pdf", "application/pdf", b"%PDF-1.4 secret")],
    )
    benefits.application_decide(actor=township, application=app, approve=True, reason="属实")
    benefits.application_decide(actor=officer, application=app, approve=True, reason="同意")
    benefits.external_import(
        actor=officer, kind="paid_elsewhere", rows=[["身份证号码"], [person.id_number]]
    )
    roll = benefits.roll_generate(actor=officer, county_code="220102", month=date(2026, 1, 1))
    return {
        "application_id": str(app.public_id),
        "document_id": str(app.documents.get().pk),
        "entitlement_id": str(Entitlement.objects.get(person=person).public_id),
        "task_id": str(ReviewTask.objects.get(person=person).pk),
        "roll_id": str(roll.public_id),
    }


def _institutions_world(officer, person, make_user) -> dict[str, str]:
    """A home in 南关区 where the secret person lives, with a bed and an open filing."""
    from yanglao.institutions import services as inst_services
    from yanglao.institutions.models import AdmissionRequest
    from yanglao.institutions.tests.conftest import institution_input

    operator = make_user(Role.INSTITUTION_OPERATOR, "220102", mode="stats")
    home = inst_services.institution_register(
        actor=officer, data=institution_input(77, name="秘密路养老院", fire_approved=True)
    )
    inst_services.operator_bind(actor=officer, institution=home, user=operator)
    bed = inst_services.bed_add(
        actor=operator, institution=home, room="101", number="1", kind="nursing"
    )
    residency = inst_services.resident_admit(
        actor=operator,
        institution=home,
        id_number=person.id_number,
        bed=bed,
        start=date(2026, 1, 5),
    )
    # Filed (so the public pages list it, resident and all) with a change filing open.
    from yanglao.institutions import rating
    from yanglao.institutions.rating_testing import file_home

    file_home(officer=officer, institution=home, today=date(2026, 1, 10))
    filing = inst_services.filing_submit(
        actor=operator, institution=home, kind="change", documents=["application"], pledge=True
    )
    application = rating.rating_apply(actor=operator, institution=home, level=3)
    # 双随机: a plan drawn over 南关区, the home inspected with a serious finding about the
    # secret person, answered by the operator with a photo.
    from yanglao.institutions import supervision
    from yanglao.institutions.tests.supervision_world import inspect, make_supervision

    sup = make_supervision(officer, make_user)
    task = sup.task(home)
    inspect(task, sup.inspector, serious=True, residency=residency.public_id)
    finding = task.findings.get()
    supervision.finding_answer(
        actor=operator, finding=finding, note="秘密路已整改", photos=[(b"\x89PNG\r\n", "image/png")]
    )
    # Every result of the draw published: the draw itself is public (no personal data).
    for t in sup.draw.tasks.all():
        if t.inspections.exists():
            supervision.result_publish(actor=officer, task=t)
    # Parts 3–4 and 特困 应养尽养: a monthly report, a complaint, a central-support request.
    from django.utils import timezone

    from yanglao.institutions import queries_reports as queries
    from yanglao.institutions import report_rules as rr
    from yanglao.institutions import reports as inst_reports

    today = timezone.localdate()
    month = rr.last_complete_month(today)
    report = inst_reports.report_file(
        actor=operator,
        institution=home,
        data=inst_reports.ReportInput(
            month=month,
            figures=queries.prefill(home.pk, month),
            fees_collected=0,
            adjust_reason="",
        ),
    )
    complaint = inst_reports.complaint_record(
        actor=officer, institution=home, received_on=today, summary="秘密路投诉"
    )
    services.person_category_add(
        actor=officer, person=person, category=Category.EXTREME_POVERTY, start=date(2024, 1, 1)
    )
    support = inst_reports.support_request(
        actor=officer, id_number=person.id_number, requested_on=today
    )
    return {
        "rating_id": str(application.public_id),
        "institution_id": str(home.public_id),
        "admission_id": str(
            AdmissionRequest.objects.create(
                institution=home,
                region_id=home.region_id,
                person=person,
                applied_on=date(2026, 1, 5),
            ).public_id
        ),
        "residency_id": str(residency.public_id),
        "filing_id": str(filing.public_id),
        "plan_id": str(sup.plan.public_id),
        "draw_id": str(sup.draw.public_id),
        "inspection_task_id": str(task.public_id),
        "finding_id": str(finding.public_id),
        "evidence_id": str(task.inspections.get().photos.get().pk),
        "report_id": str(report.public_id),
        "complaint_id": str(complaint.public_id),
        "request_id": str(support.public_id),
    }


def _issue13_world(officer, make_user) -> dict[str, str]:
    """A department report of 南岭街道 submitted for approval, and a complaint about the
    secret person's road addressed to 南岭街道 (reporting, feedback)."""
    from django.utils import timezone

    from yanglao.feedback import services as feedback
    from yanglao.reporting import rules as reporting_rules
    from yanglao.reporting import services as reporting
    from yanglao.reporting.models import DataSet

    township = make_user(Role.TOWNSHIP_OFFICER, "220102001")
    ds = DataSet.objects.get(code="WJ-JTYS")
    report = reporting.report_save(
        actor=township,
        data_set=ds,
        region_code="220102001000",
        period=reporting_rules.last_complete(ds.period_type, timezone.localdate()),
        values={"WJ-JTYS-01": "12", "WJ-JTYS-02": "3"},
        submit=True,
        note="秘密路 签约",
    )
    complaint = feedback.feedback_submit(
        data=feedback.FeedbackInput(
            kind="complaint",
            topic="visit",
            region_code="220102001001",
            content=f"{SECRET_NAME}住秘密路1号，无人探访",
            phone="13812345678",
        ),
        address="10.9.9.9",
    )
    return {"data_report_id": str(report.public_id), "feedback_id": str(complaint.public_id)}


def _community_world(officer, person, make_user) -> dict[str, str]:
    """A provider of 南关区 that served the secret person: an order, a confirmed log, a
    settlement (issue 12)."""
    import uuid as uuid_mod
    from datetime import datetime

    from django.utils import timezone

    from yanglao.community import services as cs
    from yanglao.community.models import CatalogueItem
    from yanglao.community.testing import PNG, provider_input

    provider = cs.provider_register(actor=officer, data=provider_input(91, name="秘密路服务社"))
    worker = make_user(Role.PROVIDER_WORKER, "220102", mode="stats")
    cs.staff_bind(actor=officer, provider=provider, user=worker, role="worker")
    item = CatalogueItem.objects.get(code="SC04")
    cs.price_set(
        actor=officer,
        provider=provider,
        item=item,
        unit_price="30",
        effective_from=date(2025, 1, 1),
    )
    order = cs.order_request(
        actor=officer, person=person, item=item, source="window", note="秘密路1号 助洁"
    )
    cs.order_agree(actor=officer, order=order)
    cs.order_dispatch(actor=officer, order=order, provider=provider, worker=worker)
    cu = uuid_mod.uuid4()
    at = datetime(2025, 12, 3, 9, tzinfo=timezone.get_current_timezone())
    cs.check_in(actor=worker, order_id=order.public_id, client_uuid=cu, at=at)
    cs.check_out(actor=worker, log_uuid=cu, at=at.replace(hour=10))
    log = cs.confirm(actor=worker, log_uuid=cu, method="signature", signature=PNG).log
    settlement = cs.settlement_generate(
        actor=officer, provider=provider, county_code="220102", month=date(2025, 12, 1)
    )
    return {
        "provider_id": str(provider.public_id),
        "order_id": str(order.public_id),
        "log_id": str(log.public_id),
        "settlement_id": str(settlement.public_id),
    }


def _statistics_world(officer) -> dict[str, str]:
    """A frozen snapshot of 南关区 and its published bulletin (public pages, officer pages)."""
    from yanglao.regions.models import Region
    from yanglao.statistics import services as stats_services
    from yanglao.statistics import snapshot

    snap = snapshot.compute(date(2026, 1, 1), today=date(2026, 3, 1))
    b = stats_services.bulletin_create(
        actor=officer, region=Region.objects.get(code="220102000000"), snapshot=snap
    )
    from yanglao.accounts.services import user_create

    reviewer = user_create(  # four eyes: another officer of the county approves
        actor=None,
        username="walk_stats_reviewer",
        password="Yl-test-pass-2026",
        role=officer.role,
        full_name="审核人",
        jurisdictions=[("220102", "edit")],
    )
    stats_services.bulletin_publish(actor=reviewer, bulletin=b)
    return {"bulletin_id": str(b.pk)}


def fill(route: str, values: dict[str, str]) -> str:
    import re

    def sub(m: re.Match[str]) -> str:
        return values[m.group(2)]

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)


@pytest.mark.parametrize(
    "role",
    [
        Role.COUNTY_OFFICER,
        Role.VISIT_WORKER,
        Role.ASSESSOR,
        Role.PROVINCE_OFFICER,
        Role.INSTITUTION_OPERATOR,
        Role.INSPECTOR,
        Role.PROVIDER_MANAGER,
        Role.PROVIDER_WORKER,
    ],
)
def test_user_of_another_county_sees_nothing(county_a_world, make_user, role) -> None:
    # The province officer is the control: same walk, jurisdiction in another province node
    # (吉林市 2202) — still another county from 南关区's point of view. The operator is bound
    # to a home of 船营区 (DESIGN "Scopes": bound, not regional).
    region = "2202" if role == Role.PROVINCE_OFFICER else "220204"
    outsider = make_user(role, region)
    if role == Role.INSTITUTION_OPERATOR:
        from yanglao.institutions import services as inst_services
        from yanglao.institutions.tests.conftest import credit_code, institution_input

        other_county = make_user(Role.COUNTY_OFFICER, "220204")
        their_home = inst_services.institution_register(
            actor=other_county,
            data=institution_input(78, "220204001001", credit_code=credit_code(78, area="220204")),
        )
        inst_services.operator_bind(actor=other_county, institution=their_home, user=outsider)
    if role == Role.INSPECTOR:
        # An inspector with a task in 船营区 (bound to their tasks, not to a region).
        from yanglao.institutions import services as inst_services
        from yanglao.institutions import supervision
        from yanglao.institutions.tests.conftest import credit_code, institution_input

        other_county = make_user(Role.COUNTY_OFFICER, "220204")
        inst_services.institution_register(
            actor=other_county,
            data=institution_input(79, "220204001001", credit_code=credit_code(79, area="220204")),
        )
        partner = make_user(Role.INSPECTOR, "220204", mode="stats")
        for u in (outsider, partner):
            supervision.inspector_add(
                actor=other_county, user=u, organisation="civil", region_code="220204"
            )
        plan = supervision.plan_create(
            actor=other_county,
            data=supervision.PlanInput("220204", 2026, "船营区抽查", "1", "测试", ["YL-02"]),
        )
        supervision.draw_run(actor=other_county, plan=plan)
    if role in (Role.PROVIDER_MANAGER, Role.PROVIDER_WORKER):
        # Staff of a 船营区 provider (bound to it, not to a region).
        from yanglao.community import services as cs
        from yanglao.community.testing import provider_input

        other_county = make_user(Role.COUNTY_OFFICER, "220204")
        theirs = cs.provider_register(actor=other_county, data=provider_input(92, "220204001001"))
        cs.staff_bind(
            actor=other_county,
            provider=theirs,
            user=outsider,
            role="manager" if role == Role.PROVIDER_MANAGER else "worker",
        )
    client = Client()
    client.force_login(outsider)
    checked = 0
    for route, _ in all_patterns():
        if route == "accounts/logout/":
            continue  # would end the walk's own session
        url = fill(route, county_a_world)
        for method in ("get", "post"):
            response = getattr(client, method)(
                url,
                {
                    "version": 1,
                    "date": "2026-01-01",
                    "reason": "x",
                    "end_date": "2026-01-01",
                    "category": "empty_nest",
                    "start_date": "2026-01-01",
                },
            )
            body = (
                response.content.decode(errors="replace")
                if not response.streaming
                else b"".join(response.streaming_content).decode(errors="replace")
            )
            checked += 1
            if route.startswith(PUBLIC_PREFIX):
                # Public pages show the home (a public fact), never its resident.
                assert response.status_code in (200, 405), (method, url, response.status_code)
                assert SECRET_NAME not in body and "秘密路1号" not in body, (method, url)
                continue
            if "<" in route:
                assert response.status_code in (403, 404, 405), (method, url, response.status_code)
            assert SECRET_NAME not in body, (method, url)
            assert "秘密路" not in body, (method, url)
    assert checked >= 30
    # Nothing was changed by the walk.
    from yanglao.core.models import AuditEvent

    assert (
        not AuditEvent.objects.filter(actor=outsider)
        .exclude(
            action__in=["person.export", "benefit.candidates_export", "auth.login", "access.denied"]
        )
        .exists()
    )
    # ...and the refused requests were themselves audited (issue 15)
    assert AuditEvent.objects.filter(actor=outsider, action="access.denied").exists()


def test_anonymous_is_sent_to_login(county_a_world) -> None:
    client = Client()
    public_seen = 0
    for route, _ in all_patterns():
        url = fill(route, county_a_world)
        response = client.get(url)
        if route.startswith("accounts/log"):
            continue
        if route == "healthz":  # public, no personal data (site/tests/test_server.py)
            assert response.status_code == 200 and response.json()["status"] == "ok"
            continue
        if route.startswith(PUBLIC_PREFIX):
            body = response.content.decode(errors="replace")  # the bulletin's PDF is binary
            assert response.status_code == 200, url
            assert SECRET_NAME not in body and "秘密路1号" not in body, url
            if route.startswith("public/institutions/"):
                assert "秘密路养老院" in body, url  # the walk reached the secret person's home
            public_seen += 1
            continue
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), url
    assert public_seen >= 2
