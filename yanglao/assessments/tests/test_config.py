"""LTC-2021 bands/matrix versions: the system administrator publishes, scoring follows."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yanglao.accounts.roles import Role
from yanglao.assessments import ltc, services
from yanglao.assessments.choices import ConfigStatus, Standard
from yanglao.assessments.models import Assessment, ScoringConfig
from yanglao.assessments.services import AssessmentInvalid, NotPermitted
from yanglao.assessments.tests.test_services import data
from yanglao.core.models import AuditEvent
from yanglao.people.models import Person

pytestmark = pytest.mark.django_db

SHIPPED = "2021-candidate-1"
# Every item at its best: every dimension 能力完好, so the grade is matrix[0][0].
BEST = {i.code: max(i.allowed) for i in ltc.ITEMS}


@pytest.fixture
def sysadmin(regions: None, make_user: Callable[..., Any]) -> Any:
    return make_user(Role.SYSTEM_ADMIN, "22", mode="stats")


def new_config() -> dict[str, Any]:
    cfg = {k: copy.deepcopy(v) for k, v in ltc.DEFAULT_CONFIG.items() if k in ("bands", "matrix")}
    cfg["matrix"][0][0] = 1  # 能力完好 everywhere becomes 轻度失能: the grade visibly changes
    return cfg


def ltc_assessment(a_user: Any, b_user: Any, person: Person, on: date) -> Assessment:
    a = services.assessment_start(
        actor=a_user, person=person, reason="first", assessment_date=on, standard=Standard.LTC_2021
    )
    a = services.assessment_save(
        actor=a_user, assessment=a, data=data(items=dict(BEST), b39_state="")
    )
    a = services.assessment_submit(actor=a_user, assessment=a)
    return services.assessment_confirm(actor=b_user, assessment=a)


def test_publish_is_audited_and_scores_from_its_effective_date(
    sysadmin: Any, assessor_a: Any, assessor_b: Any, person: Person
) -> None:
    today = timezone.localdate()
    assert services.ltc_config(today).version == SHIPPED  # type: ignore[union-attr]
    cfg = services.ltc_config_publish(
        actor=sysadmin,
        version="2021-official-1",
        data=new_config(),
        effective_from=today,
        confirmed=True,
        note="按官方附表核对",
    )
    assert cfg.status == ConfigStatus.CONFIRMED and cfg.created_by == sysadmin
    assert cfg.data["version"] == "2021-official-1"
    event = AuditEvent.objects.get(action=services.Action.CONFIG)
    assert event.object_id == str(cfg.pk) and event.changes["status"] == "confirmed"
    assert services.ltc_config(today) == cfg
    assert services.ltc_config(today - timedelta(days=1)).version == SHIPPED  # type: ignore[union-attr]

    before = ltc_assessment(assessor_a, assessor_b, person, today - timedelta(days=1))
    assert (before.final_grade, before.config_version) == (0, SHIPPED)
    after = ltc_assessment(assessor_a, assessor_b, person, today)
    assert (after.final_grade, after.config_version) == (1, "2021-official-1")


def test_unconfirmed_version_is_trial(sysadmin: Any) -> None:
    cfg = services.ltc_config_publish(
        actor=sysadmin,
        version="trial-2",
        data=new_config(),
        effective_from=timezone.localdate(),
        confirmed=False,
    )
    assert cfg.status == ConfigStatus.TRIAL


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c["matrix"].pop(),  # 3 rows
        lambda c: c["matrix"][1].__setitem__(2, 6),  # grade out of range
        lambda c: c["bands"]["adl"].__setitem__(3, [5, 3]),  # lowest band not 0
        lambda c: c["bands"]["cognition"].reverse(),  # ascending
        lambda c: c["bands"].pop("sensory"),
        lambda c: c["bands"]["adl"].__setitem__(1, ["65", 1]),  # text, not a number
        lambda c: c["bands"]["adl"].__setitem__(1, [65]),  # not a pair
    ],
)
def test_invalid_config_is_refused_and_nothing_written(
    sysadmin: Any, mutate: Callable[[dict[str, Any]], Any]
) -> None:
    cfg = new_config()
    mutate(cfg)
    with pytest.raises(AssessmentInvalid) as exc:
        services.ltc_config_publish(
            actor=sysadmin,
            version="bad-1",
            data=cfg,
            effective_from=timezone.localdate(),
            confirmed=False,
        )
    assert list(exc.value.errors) == ["data"]
    assert list(ScoringConfig.objects.values_list("version", flat=True)) == [SHIPPED]
    assert not AuditEvent.objects.filter(action=services.Action.CONFIG).exists()


def test_duplicate_version_is_refused(sysadmin: Any) -> None:
    with pytest.raises(AssessmentInvalid, match="该版本已存在") as exc:
        services.ltc_config_publish(
            actor=sysadmin,
            version=SHIPPED,
            data=new_config(),
            effective_from=timezone.localdate(),
            confirmed=True,
        )
    assert list(exc.value.errors) == ["version"]
    assert ScoringConfig.objects.count() == 1


@pytest.mark.parametrize("role,region", [(Role.COUNTY_OFFICER, "220102"), (Role.AUDITOR, "22")])
def test_others_may_not_publish_or_see_the_page(
    regions: None, make_user: Callable[..., Any], role: str, region: str
) -> None:
    user = make_user(role, region, mode="stats" if role == Role.AUDITOR else "edit")
    with pytest.raises(NotPermitted):
        services.ltc_config_publish(
            actor=user,
            version="x-1",
            data=new_config(),
            effective_from=timezone.localdate(),
            confirmed=True,
        )
    c = Client()
    c.force_login(user)
    assert c.get("/assessments/config/").status_code == 403
    post = {"version": "x-1", "effective_from": "2030-01-01", "config": json.dumps(new_config())}
    assert c.post("/assessments/config/", post).status_code == 403
    assert ScoringConfig.objects.count() == 1
    assert 'href="/assessments/config/"' not in c.get("/", follow=True).content.decode()


def test_page_lists_and_publishes(sysadmin: Any) -> None:
    c = Client()
    c.force_login(sysadmin)
    # The workbench offers the system administrator's desk.
    assert 'href="/assessments/config/"' in c.get("/").content.decode()
    page = c.get("/assessments/config/").content.decode()
    assert SHIPPED in page and "试行/待核" in page and "现行" in page
    assert 'href="/assessments/config/">评分配置</a>' in page  # the nav link
    assert "&quot;matrix&quot;" in page  # the JSON box is pre-filled with the current data

    tomorrow = timezone.localdate() + timedelta(days=1)
    post = {
        "version": "2021-official-1",
        "effective_from": tomorrow.isoformat(),
        "confirmed": "on",
        "note": "官方附表",
        "config": json.dumps(new_config()),
    }
    r = c.post("/assessments/config/", post)
    assert r.status_code == 302 and r.url == "/assessments/config/"  # type: ignore[attr-defined]
    cfg = ScoringConfig.objects.get(version="2021-official-1")
    assert cfg.status == ConfigStatus.CONFIRMED and cfg.effective_from == tomorrow
    assert cfg.data["matrix"][0][0] == 1 and cfg.note == "官方附表"
    page = c.get("/assessments/config/").content.decode()
    assert "已发布评分配置 2021-official-1" in page and "待生效" in page and "已核对" in page
    assert services.ltc_config(tomorrow) == cfg


@pytest.mark.parametrize(
    "config,message",
    [
        ("{not json", "不是有效的 JSON"),
        ("[1, 2]", "配置须为 JSON 对象"),
        (json.dumps({"bands": {}, "matrix": []}), "配置结构不完整"),
        (json.dumps({**new_config(), "matrix": [[0] * 4] * 3}), "组合表须为 4×4"),
    ],
)
def test_page_shows_errors_and_writes_nothing(sysadmin: Any, config: str, message: str) -> None:
    c = Client()
    c.force_login(sysadmin)
    post = {"version": "bad-1", "effective_from": "2030-01-01", "config": config}
    r = c.post("/assessments/config/", post)
    assert r.status_code == 200 and message in r.content.decode()
    assert ScoringConfig.objects.count() == 1


def test_page_refuses_a_duplicate_version(sysadmin: Any) -> None:
    c = Client()
    c.force_login(sysadmin)
    post = {"version": SHIPPED, "effective_from": "2030-01-01", "config": json.dumps(new_config())}
    r = c.post("/assessments/config/", post)
    assert r.status_code == 200 and "该版本已存在" in r.content.decode()
    assert ScoringConfig.objects.count() == 1
