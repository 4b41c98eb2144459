"""Services, selectors and pages of 意见建议反馈: public submission with captcha and rate limit,
the inbox (overdue first), answer, forward, audited reveal, public lookup, scope (404)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.http import Http404
from django.test import Client
from django.utils import timezone

from yanglao.accounts.roles import Role
from yanglao.core.models import AuditEvent
from yanglao.feedback import captcha, selectors, services
from yanglao.feedback.choices import Status
from yanglao.feedback.models import Feedback

pytestmark = pytest.mark.django_db

VILLAGE = "220102001001"  # 华阳社区, 南岭街道
TOWNSHIP = "220102001000"
PHONE = "13812345678"


def data(**overrides: str) -> services.FeedbackInput:
    base = {
        "kind": "complaint",
        "topic": "institution",
        "region_code": VILLAGE,
        "content": "社区助餐点饭菜偏咸，希望改进。",
        "name": "张大爷",
        "phone": PHONE,
    }
    return services.FeedbackInput(**(base | overrides))


@pytest.fixture
def world(regions: None, make_user: Any) -> dict[str, Any]:
    return {
        "township": make_user(Role.TOWNSHIP_OFFICER, "220102001"),
        "county": make_user(Role.COUNTY_OFFICER, "220102"),
        "other": make_user(Role.COUNTY_OFFICER, "220204"),
    }


def test_submit_routes_to_the_township_with_deadline_and_encrypted_phone(world: Any) -> None:
    with time_machine.travel("2026-11-30 10:00 +0800", tick=False):
        fb = services.feedback_submit(data=data(), address="10.0.0.1")
    assert fb.region_id == TOWNSHIP and fb.about_region_id == VILLAGE
    assert fb.due_on == date(2026, 12, 21)  # 15 working days
    assert fb.phone == PHONE and PHONE not in fb.phone_cipher
    assert fb.phone_masked == "138****5678"
    assert fb.address_hash and "10.0.0.1" not in fb.address_hash
    event = AuditEvent.objects.get(action="feedback.submit")
    assert event.actor is None and event.region_code == TOWNSHIP
    county_fb = services.feedback_submit(data=data(region_code="220102000000"), address="x")
    assert county_fb.region_id == "220102000000"


def test_rate_limit_per_address(world: Any) -> None:
    for _ in range(5):
        services.feedback_submit(data=data(), address="10.0.0.2")
    with pytest.raises(services.RateLimited):
        services.feedback_submit(data=data(), address="10.0.0.2")
    services.feedback_submit(data=data(), address="10.0.0.3")  # another address
    later = timezone.now() + timedelta(minutes=61)
    services.feedback_submit(data=data(), address="10.0.0.2", now=later)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind": "x"}, "kind", "请选择类型"),
        ({"topic": ""}, "topic", "请选择所涉事项"),
        ({"region_code": "220102"}, "region", "请从列表中选择"),
        ({"region_code": "220000000000"}, "region", "请从列表中选择"),  # the province
        ({"content": "差"}, "content", "至少5个字"),
        ({"content": "好" * 5000}, "content", "不能超过2000个字"),
        ({"content": "\x00\x00\x00\x00\x00\x00"}, "content", "至少5个字"),  # NUL removed
        ({"phone": "123"}, "phone", "手机号码应为11位"),
        ({"phone": "abc"}, "phone", "电话号码格式不正确"),
        ({"name": "张" * 31}, "name", "不能超过30个字"),
    ],
)
def test_hostile_input_refused_in_chinese(
    world: Any, overrides: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(services.FeedbackInvalid) as exc:
        services.feedback_submit(data=data(**overrides), address="10.0.0.4")
    assert message in exc.value.errors[field][0]
    assert not Feedback.objects.exists()


def test_rare_characters_and_full_width_phone_accepted(world: Any) -> None:
    fb = services.feedback_submit(
        data=data(name="𠀀王〇", phone="１３８１２３４５６７８", content="𠀀字老人反映\x00情况"),
        address="10.0.0.5",
    )
    assert fb.name == "𠀀王〇" and fb.phone == PHONE and fb.content == "𠀀字老人反映情况"


def test_inbox_overdue_first_answer_and_public_lookup(world: Any) -> None:
    with time_machine.travel("2026-10-01 10:00 +0800", tick=False):
        old = services.feedback_submit(data=data(content="十月份的投诉内容"), address="a")
    with time_machine.travel("2026-11-02 10:00 +0800", tick=False):
        mid = services.feedback_submit(data=data(content="十一月初的投诉内容"), address="a")
    new = services.feedback_submit(data=data(content="今天的建议内容", phone=""), address="a")
    today = date(2026, 11, 30)
    rows = selectors.inbox(world["township"], Status.OPEN, today)
    assert [r.fb.pk for r in rows] == [old.pk, mid.pk, new.pk]
    assert rows[0].overdue == (today - old.due_on).days > rows[1].overdue
    assert selectors.counts(world["township"], today) == {"open": 3, "overdue": 2}
    assert selectors.inbox(world["other"], Status.OPEN, today) == []
    services.feedback_answer(
        actor=world["township"], feedback=old, answer="已约谈助餐点负责人，整改。"
    )
    assert selectors.public_lookup(old.reference, "")[0] is None  # has a phone: last 4 needed
    found, _ = selectors.public_lookup(old.reference.lower(), "５６７８")
    assert found is not None and found.answer.startswith("已约谈")
    assert selectors.public_lookup(new.reference, "")[0] is not None  # no phone: ref alone
    assert "格式不对" in selectors.public_lookup("FK12", "")[1]
    assert "没有查到" in selectors.public_lookup("FK2611AAAAAAAA", "")[1]


def test_answer_deadline_counts_the_spring_festival(world: Any) -> None:
    # Arrived Tuesday 10 February 2026: 15 working days on the seeded calendar skip 春节
    # (16–20, 23 February) and count the 调休 Saturdays 14 and 28 February → due Monday 9 March
    # (weekends only: Tuesday 3 March).
    with time_machine.travel("2026-02-10 10:00 +0800", tick=False):
        fb = services.feedback_submit(data=data(), address="c")
    assert fb.due_on == date(2026, 3, 9)
    assert selectors.counts(world["township"], date(2026, 3, 9)) == {"open": 1, "overdue": 0}
    assert selectors.counts(world["township"], date(2026, 3, 10)) == {"open": 1, "overdue": 1}
    [row] = selectors.inbox(world["township"], Status.OPEN, date(2026, 3, 10))
    assert row.overdue == 1


def test_forward_and_scope(world: Any) -> None:
    fb = services.feedback_submit(data=data(), address="b")
    with pytest.raises(Http404):
        selectors.feedback_for(world["other"], fb.public_id)
    with pytest.raises(Http404):
        services.feedback_answer(actor=world["other"], feedback=fb, answer="越权的答复内容")
    with pytest.raises(Http404):
        services.phone_reveal(actor=world["other"], feedback=fb)
    targets = [r.code for r in services.forward_targets(fb)]
    assert targets[0] == "220102000000" and TOWNSHIP not in targets
    assert all(t.startswith("220102") for t in targets)
    with pytest.raises(services.FeedbackInvalid):
        services.feedback_forward(
            actor=world["township"], feedback=fb, to_code="220204001000", reason="不属本辖区"
        )
    moved = services.feedback_forward(
        actor=world["township"], feedback=fb, to_code="220102000000", reason="涉及区级养老机构"
    )
    assert moved.region_id == "220102000000" and moved.due_on == fb.due_on
    with pytest.raises(Http404):
        selectors.feedback_for(world["township"], fb.public_id)  # now the county's
    assert selectors.feedback_for(world["county"], fb.public_id).forwards.count() == 1


def test_reveal_is_audited(world: Any) -> None:
    fb = services.feedback_submit(data=data(), address="c")
    assert services.phone_reveal(actor=world["township"], feedback=fb) == PHONE
    assert AuditEvent.objects.filter(action="feedback.reveal", actor=world["township"]).count() == 1


def test_public_pages_captcha_and_lookup(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(captcha, "draw_answer", lambda: "2345")
    public = Client()
    page = public.get("/public/feedback/")
    assert page.status_code == 200 and "data:image/png;base64," in page.content.decode()
    form = {
        "kind": "complaint",
        "topic": "meals",
        "region_name": "长春市南关区南岭街道华阳社区",
        "content": "助餐点饭菜偏咸，希望改进。",
        "phone": PHONE,
        "captcha": "9999",
    }
    r = public.post("/public/feedback/", form)
    assert r.status_code == 200 and "验证码不对" in r.content.decode()
    public.get("/public/feedback/")
    r = public.post("/public/feedback/", form | {"captcha": "２３４５"})
    assert r.status_code == 302 and r["Location"] == "/public/feedback/done/"
    fb = Feedback.objects.get()
    assert fb.about_region_id == VILLAGE
    done = public.get("/public/feedback/done/").content.decode()
    assert fb.reference in done
    assert fb.reference not in Client().get("/public/feedback/done/").content.decode()
    # The captcha is good once only.
    assert (
        "验证码已失效"
        in public.post("/public/feedback/", form | {"captcha": "2345"}).content.decode()
    )
    services.feedback_answer(actor=world["township"], feedback=fb, answer="已督促助餐点调整口味。")
    body = Client().get(f"/public/feedback/lookup/?ref={fb.reference}&phone4=5678").content.decode()
    assert "已督促助餐点调整口味" in body and PHONE not in body
    body = Client().get(f"/public/feedback/lookup/?ref={fb.reference}&phone4=0000").content.decode()
    assert "没有查到" in body and "已督促" not in body
    hostile = Client().get("/public/feedback/lookup/?ref=%00%F0%A0%80%80" + "x" * 5000)
    assert hostile.status_code == 200


def test_region_type_ahead_shows_names_never_codes(world: Any) -> None:
    body = Client().get("/public/feedback/regions/?region_name=南岭").content.decode()
    assert "长春市南关区南岭街道" in body
    assert "220102" not in body
    assert Client().get("/public/feedback/regions/?region_name=" + "南" * 500).status_code == 200
    region, problem = selectors.resolve_region("华阳社区")
    assert region is not None and region.code == VILLAGE and not problem
    assert selectors.resolve_region("不存在的社区")[0] is None


def test_officer_pages(world: Any) -> None:
    fb = services.feedback_submit(data=data(), address="d")
    township, other = Client(), Client()
    township.force_login(world["township"])
    other.force_login(world["other"])
    inbox = township.get("/feedback/").content.decode()
    assert fb.reference in inbox and PHONE not in inbox
    url = f"/feedback/{fb.public_id}/"
    page = township.get(url).content.decode()
    assert "138****5678" in page and PHONE not in page
    assert PHONE in township.post(url + "reveal/").content.decode()
    for path in ("", "answer/", "forward/", "reveal/"):
        assert other.post(url + path).status_code in (404, 405)
    assert other.get(url).status_code == 404
    r = township.post(url + "answer/", {"answer": "已答复的内容如下", "version": fb.version})
    assert r.status_code == 302
    assert Feedback.objects.get().status == Status.ANSWERED
