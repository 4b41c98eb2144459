"""Test helpers of 双随机 and inspection: two inspectors of 南关区 in the directory, a plan
over 南关区 at 100% (every home drawn, both inspectors on every task), and a checklist
upload with one 不符合."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from yanglao.accounts.roles import Role
from yanglao.institutions import supervision
from yanglao.institutions.models import Draw, Inspection, SpotCheckPlan, SpotCheckTask

PNG = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n0000").decode()
FIRE_ONLY = ["YL-02"]


@pytest.fixture
def sup(world: Any, make_user: Callable[..., Any], settings: Any, tmp_path: Any) -> Supervision:
    """The supervision world over the institutions `world` fixture (photos to tmp_path)."""
    settings.MEDIA_ROOT = tmp_path
    return make_supervision(world.county, make_user)


@dataclass
class Supervision:
    inspector: Any
    inspector2: Any
    plan: SpotCheckPlan
    draw: Draw

    def task(self, institution: Any) -> SpotCheckTask:
        return self.draw.tasks.get(institution=institution)


def make_supervision(
    county: Any,
    make_user: Callable[..., Any],
    *,
    county_code: str = "220102",
    items: list[str] | None = None,
) -> Supervision:
    one = make_user(Role.INSPECTOR, county_code, mode="stats")
    two = make_user(Role.INSPECTOR, county_code, mode="stats")
    supervision.inspector_add(actor=county, user=one, organisation="civil", region_code=county_code)
    supervision.inspector_add(actor=county, user=two, organisation="fire", region_code=county_code)
    plan = supervision.plan_create(
        actor=county,
        data=supervision.PlanInput(
            region_code=county_code,
            year=2026,
            name="2026年养老机构双随机抽查",
            ratio="100%",
            ratio_document="测试文号",
            item_codes=items or FIRE_ONLY,
        ),
    )
    return Supervision(one, two, plan, supervision.draw_run(actor=county, plan=plan))


def lines(
    task: SpotCheckTask, *, bad: str = "FIRE-1.2", photos: list[str] | None = None, **extra: Any
) -> list[supervision.LineInput]:
    """Every clause of the task's checklists 符合, except `bad` 不符合 with a deadline."""
    finding = supervision.LineInput(
        bad,
        "nonconform",
        note="疏散通道堆放杂物",
        photos=photos if photos is not None else [PNG],
        deadline=extra.pop("deadline", date(2026, 12, 30)),
        **extra,
    )
    return supervision.conforming_lines(task, {bad: finding})


def inspect(
    task: SpotCheckTask, inspector: Any, *, on: date = date(2026, 11, 2), **kw: Any
) -> Inspection:
    return supervision.inspection_record(
        actor=inspector,
        task=task,
        client_uuid=uuid.uuid4(),
        inspected_on=on,
        lines=lines(task, **kw),
        today=on + timedelta(days=1),
    ).inspection


def payload(task: SpotCheckTask, on: str = "2026-11-02") -> dict[str, Any]:
    """The JSON the phone app uploads for `lines(task)`."""
    return {
        "client_uuid": str(uuid.uuid4()),
        "task": str(task.public_id),
        "inspected_on": on,
        "lines": [
            {
                "clause": ln.clause,
                "verdict": ln.verdict,
                "note": ln.note,
                "photos": ln.photos,
                "deadline": str(ln.deadline) if ln.deadline else None,
            }
            for ln in lines(task)
        ],
    }
