"""工作台: `/` lands every role on its to-do list (counts from the owning apps' selectors,
late lines first in red), figures below; the remaining new selectors (duplicates, imports,
account changes, locked accounts, the auditor's recent reads) counted right and scoped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from yanglao.accounts import selectors as accounts
from yanglao.accounts.models import AccountChange, ChangeKind
from yanglao.accounts.roles import Role
from yanglao.core.audit import Action, audit
from yanglao.core.todo import Todo
from yanglao.imports import selectors as imports
from yanglao.imports.models import BatchStatus, ImportBatch
from yanglao.people import selectors as people
from yanglao.people import services as people_services
from yanglao.people.testing import person_input
from yanglao.site import workbench

pytestmark = pytest.mark.django_db
HERE, FAR = "220102001001", "220204001001"


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_anonymous_goes_to_login(client: Client) -> None:
    r = client.get("/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize("role", list(Role.values))
def test_every_role_lands_on_its_workbench(
    role: str, regions: None, make_user: Callable[..., Any]
) -> None:
    regions_of: dict[str, str] = {Role.VISIT_WORKER: HERE, Role.TOWNSHIP_OFFICER: HERE[:9]}
    region = regions_of.get(role, "220102")
    user = make_user(role, region, mode="search" if role == Role.ASSESSOR else "edit")
    page = _client(user).get("/").content.decode()
    assert "今天要做的事" in page
    for word in ("None", "{'", "True", "False"):
        assert word not in page.split("<main>")[1]


def test_figures_partial(regions: None, make_user: Callable[..., Any]) -> None:
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    people_services.person_register(
        actor=officer, data=person_input(HERE, name="张秀英", birth=date(1940, 3, 15), sex="F")
    )
    c = _client(officer)
    page = c.get("/").content.decode()
    assert 'hx-get="/figures/"' in page and "echarts.min.js" in page
    fig = c.get("/figures/").content.decode()
    assert "年龄金字塔" in fig and "figures-data" in fig and "近12个月探访率" in fig
    assert "85-89岁" in fig  # 张秀英, a woman of 86
    auditor = make_user(Role.AUDITOR, "22", mode="stats")
    assert _client(auditor).get("/figures/").status_code == 403


def test_late_lines_first_and_red(regions: None, make_user: Callable[..., Any]) -> None:
    items = [
        workbench.Item("无事", Todo(0), "/a"),
        workbench.Item("有事", Todo(3), "/b"),
        workbench.Item("逾期少", Todo(4, 1, 2), "/c"),
        workbench.Item("逾期多", Todo(2, 2, 9), "/d"),
        workbench.Item("紧急", Todo(1, 1, 0), "/e", urgent_word="最久已"),
    ]
    ordered = [i.label for i in sorted(items, key=lambda i: i.sort_key)]
    assert ordered == ["紧急", "逾期多", "逾期少", "有事", "无事"]
    assert items[2].late_text == "其中1项逾期，最久2天"
    assert items[3].late_text == "全部逾期，最久9天"
    assert items[4].late_text == "今天发现" and items[1].late_text == ""


def test_duplicates_and_imports_scoped(regions: None, make_user: Callable[..., Any]) -> None:
    province = make_user(Role.PROVINCE_OFFICER, "22")
    township = make_user(Role.TOWNSHIP_OFFICER, HERE[:9])
    far = make_user(Role.COUNTY_OFFICER, "220204")
    for i, village in enumerate([HERE, HERE, FAR, FAR, "220102002001"]):
        people_services.person_register(
            actor=province,
            data=person_input(village, name="王秀兰", birth=date(1945, 1, 2), seq=60 + i),
        )
    # 南关区: one group of three (two in 南岭, one in another township); 船营区: one group.
    assert people.duplicate_group_count(user=township) == 1
    assert people.duplicate_group_count(user=far) == 1
    assert people.duplicate_group_count(user=province) == 2
    for status in (BatchStatus.VALIDATED, BatchStatus.UPLOADED, BatchStatus.COMMITTED):
        ImportBatch.objects.create(
            created_by=township,
            file_name="台账.xlsx",
            file_kind="xlsx",
            status=status,
            reference_date=date(2026, 11, 1),
        )
    ImportBatch.objects.create(
        created_by=far, file_name="台账.xlsx", file_kind="xlsx", reference_date=date(2026, 11, 1)
    )
    assert imports.waiting_count(user=township) == Todo(2)
    page = _client(township).get("/").content.decode()
    assert "疑似重复待核对" in page and "/people/duplicates/" in page


def test_security_admin_and_auditor(regions: None, make_user: Callable[..., Any]) -> None:
    sec1 = make_user(Role.SECURITY_ADMIN, "22", mode="stats", username="sec1")
    sec2 = make_user(Role.SECURITY_ADMIN, "22", mode="stats", username="sec2")
    AccountChange.objects.create(kind=ChangeKind.CREATE, target_username="new1", requested_by=sec1)
    assert accounts.changes_to_approve(user=sec2) == Todo(1)
    assert accounts.changes_to_approve(user=sec1) == Todo(0)  # nobody approves their own
    now = timezone.now()
    for name, fails, when in (
        ("locked1", 5, now),
        ("tried", 2, now),
        ("old", 9, now - timedelta(hours=2)),
    ):
        AccessAttempt.objects.create(
            username=name,
            ip_address="10.0.0.1",
            user_agent="t",
            failures_since_start=fails,
            attempt_time=when,
            get_data="",
            post_data="",
            http_accept="",
            path_info="/",
        )
    # attempt_time is set on creation: age the old one by hand.
    AccessAttempt.objects.filter(username="old").update(attempt_time=now - timedelta(hours=2))
    assert accounts.locked_accounts(now=now) == Todo(1)
    assert "被锁定的账号" in _client(sec2).get("/").content.decode()

    auditor = make_user(Role.AUDITOR, "220102", mode="stats")
    officer = make_user(Role.COUNTY_OFFICER, "220102")
    from django.db import transaction

    with transaction.atomic():
        for region in ("220102001001", "220102001001", "220204001001"):
            audit(
                actor=officer, action=Action.PERSON_REVEAL, object_type="person", region_code=region
            )
        audit(
            actor=officer,
            action=Action.PERSON_EXPORT,
            object_type="person",
            region_code="220102000000",
        )
    today = timezone.localdate()
    reads = accounts.recent_reads(user=auditor, today=today)
    assert reads == [
        (Action.PERSON_REVEAL, "查看完整号码", 2),  # not 船营区's
        (Action.PERSON_EXPORT, "导出名单", 1),
    ]
    page = _client(auditor).get("/").content.decode()
    assert "近7天：查看完整号码" in page and "action=person.reveal_identifier" in page


def test_provider_staff_and_county_lines(regions: None, make_user: Callable[..., Any]) -> None:
    """A provider's staff see their dispatched orders; the county its open alarms and
    settlements; another county's officer counts none of them."""
    from yanglao.community import services as cs
    from yanglao.community.testing import make_world

    w = make_world(make_user)
    order = cs.order_request(actor=w.county, person=w.person, item=w.item, source="window")
    cs.order_agree(actor=w.county, order=order)
    cs.order_dispatch(actor=w.county, order=order, provider=w.provider, worker=w.worker)
    today = timezone.localdate()
    lines = {i.label: i.todo.total for i in workbench.todo_items(w.worker, today)}
    assert lines["待上门的服务工单"] == 1
    assert lines["待老人确认的服务"] == 0
    far = make_user(Role.PROVIDER_WORKER, "220204", mode="stats")
    assert {i.label: i.todo.total for i in workbench.todo_items(far, today)}[
        "待上门的服务工单"
    ] == 0
    county_lines = {i.label for i in workbench.todo_items(w.county, today)}
    assert {"紧急呼叫未办结", "待审核的服务结算单"} <= county_lines
    body = _client(w.worker).get("/").content.decode()
    assert "待上门的服务工单" in body and "打开上门服务" in body
