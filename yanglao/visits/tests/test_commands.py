"""The periodic jobs as management commands: idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yanglao.visits.models import VisitTask

from .conftest import World

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_generate_then_tick_twice(world: World) -> None:
    world.person(name="甲")
    assert "新生成巡访任务 1 条" in run("visits_generate", "--month", "2026-06")
    assert "新生成巡访任务 0 条" in run("visits_generate", "--month", "2026-06")
    assert "逾期 1 条" in run("visits_tick", "--today", "2026-07-01")
    assert "逾期 0 条" in run("visits_tick", "--today", "2026-07-01")
    assert "未访 1 条" in run("visits_tick", "--today", "2026-07-06")
    assert VisitTask.objects.get().status == "missed"


def test_bad_arguments_are_refused_in_chinese(world: World) -> None:
    with pytest.raises(CommandError, match="格式"):
        run("visits_generate", "--month", "June")
    with pytest.raises(CommandError, match="格式"):
        run("visits_tick", "--today", "x")
