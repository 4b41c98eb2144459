"""The periodic jobs (issue #10): one table drives the in-process scheduler, the start-up
catch-up, the cron lines and the systemd timers; every job is idempotent."""

from __future__ import annotations

import json
from datetime import date, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler
from django.apps import apps
from django.core.management import call_command, get_commands, load_command_class

from yanglao.accounts.roles import Role
from yanglao.core import schedule
from yanglao.core.models import AuditEvent
from yanglao.core.schedule import SCHEDULE, Job, State, catch_up, is_due, on_calendar

SH = ZoneInfo("Asia/Shanghai")
JOBS = schedule.by_name(SCHEDULE)
# Commands that are run by people, not on a clock. A new command must be put in the
# table or here: this is what keeps a periodic job from being forgotten again.
NOT_PERIODIC = {
    "demo",
    "ledger_file",
    "regions",
    "min_age_policy",
    "benefits_catalog",
    "scheduler",
    "keys_rotate",
    "worker",
    "audit_export",  # its destination is the deployment's: a cron line in docs/audit-log.md
    "accounts_init",  # once, on a new site (docs/deployment.md §5)
}


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SH)


def test_table_covers_every_periodic_command() -> None:
    ours = {name for name, app in get_commands().items() if app.startswith("yanglao.")}
    assert {j.command for j in SCHEDULE} == ours - NOT_PERIODIC
    assert len(JOBS) == len(SCHEDULE)  # names unique: they are job ids and unit names


@pytest.mark.parametrize("job", SCHEDULE, ids=lambda j: j.name)
def test_each_job_is_a_command_whose_arguments_parse(job: Job) -> None:
    app = get_commands()[job.command]
    parser = load_command_class(app, job.command).create_parser("yanglao", job.command)
    parser.parse_args(list(job.args))  # exits on an unknown argument
    assert job.description and job.trigger()  # a valid cron expression


# --- is_due and the catch-up, on a fake clock --------------------------------------------


@pytest.mark.parametrize(
    ("name", "last", "now", "due"),
    [
        ("visits-tick", None, at(2026, 11, 30, 0, 0), True),  # never run
        ("visits-tick", at(2026, 11, 29, 0, 15), at(2026, 11, 29, 23, 59), False),
        ("visits-tick", at(2026, 11, 29, 0, 15), at(2026, 11, 30, 0, 14, 59), False),
        ("visits-tick", at(2026, 11, 29, 0, 15), at(2026, 11, 30, 0, 15), True),
        ("visits-tick", at(2026, 11, 29, 0, 14, 59), at(2026, 11, 29, 0, 15), True),
        ("visits-tick", at(2026, 11, 20, 9, 0), at(2026, 11, 29, 9, 0), True),  # off for days
        ("benefits-roll", at(2026, 11, 1, 3, 0), at(2026, 11, 30, 23, 0), False),
        ("benefits-roll", at(2026, 11, 1, 3, 0), at(2026, 12, 1, 2, 59), False),
        ("benefits-roll", at(2026, 11, 1, 3, 0), at(2026, 12, 1, 3, 0), True),
        ("benefits-roll", at(2026, 10, 31, 23, 0), at(2026, 11, 2, 8, 0), True),
    ],
)
def test_is_due_at_the_boundaries(name: str, last: datetime, now: datetime, due: bool) -> None:
    assert is_due(JOBS[name], last, now) is due


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_catch_up_runs_due_jobs_once_on_a_fake_clock(tmp_path: Path) -> None:
    state, ran, clock = State(tmp_path / "scheduler.json"), [], FakeClock(at(2026, 11, 29, 9, 0))

    def run(job: Job) -> None:
        ran.append(job.name)

    # First start: nothing has ever run, so everything runs, in table order.
    assert catch_up(SCHEDULE, run, state, clock) == [j.name for j in SCHEDULE] == ran
    # A restart an hour later: only the every-ten-minutes import recovery is due.
    clock.now = at(2026, 11, 29, 10, 0)
    assert catch_up(SCHEDULE, run, state, clock) == ["imports-recover"]
    # Stopped overnight until 00:30: the two visit jobs and the community orders (00:25)
    # fell due, not the 01:00 nightly.
    clock.now = at(2026, 11, 30, 0, 30)
    assert catch_up(SCHEDULE, run, state, clock) == [
        "visits-generate",
        "visits-tick",
        "imports-recover",
        "community-orders",
    ]
    # The 1st at 08:00: every daily job and the monthly roll.
    clock.now = at(2026, 12, 1, 8, 0)
    assert set(catch_up(SCHEDULE, run, state, clock)) == set(JOBS)
    recorded = json.loads((tmp_path / "scheduler.json").read_text())
    assert recorded["benefits-roll"] == "2026-12-01T08:00:00+08:00"


def test_a_failing_job_is_retried_and_does_not_stop_the_others(tmp_path: Path) -> None:
    state, clock = State(tmp_path / "scheduler.json"), FakeClock(at(2026, 11, 29, 9, 0))

    def run(job: Job) -> None:
        if job.name == "visits-tick":
            raise RuntimeError("database locked")

    ran = catch_up(SCHEDULE, run, state, clock)
    assert "visits-tick" not in ran and len(ran) == len(SCHEDULE) - 1
    assert catch_up(SCHEDULE, lambda job: None, state, clock) == ["visits-tick"]


def test_state_file_damage_means_run_again(tmp_path: Path) -> None:
    path = tmp_path / "scheduler.json"
    for junk in ["", "not json", "[1, 2]", '{"visits-tick": 5}', '{"visits-tick": "x"}']:
        path.write_text(junk)
        assert State(path).load() == {}


def test_scheduler_registers_every_job_with_its_cron(tmp_path: Path) -> None:
    scheduler = BackgroundScheduler(timezone=schedule.TZ)
    schedule.register(
        scheduler, SCHEDULE, lambda job: None, State(tmp_path / "s.json"), FakeClock(at(2026, 1, 1))
    )
    jobs = {j.id: j for j in scheduler.get_jobs()}
    assert set(jobs) == set(JOBS)
    for name, job in JOBS.items():
        trigger = jobs[name].trigger
        assert str(trigger) == str(job.trigger())
        assert jobs[name].max_instances == 1 and jobs[name].coalesce
    nxt = jobs["benefits-roll"].trigger.get_next_fire_time(None, at(2026, 11, 29, 9, 0))
    assert nxt == at(2026, 12, 1, 3, 0)


# --- production configuration from the same table ----------------------------------------


@pytest.mark.parametrize(
    ("cron", "calendar"),
    [
        ("5 0 * * *", "*-*-* 00:05:00 Asia/Shanghai"),
        ("0 3 1 * *", "*-*-01 03:00:00 Asia/Shanghai"),
        ("30 2 * 1,7 *", "*-01,07-* 02:30:00 Asia/Shanghai"),
        ("0 6 * * 1,5", "Mon,Fri *-*-* 06:00:00 Asia/Shanghai"),
    ],
)
def test_on_calendar(cron: str, calendar: str) -> None:
    assert on_calendar(cron) == calendar


def test_on_calendar_refuses_what_it_cannot_translate() -> None:
    with pytest.raises(ValueError, match="不支持"):
        on_calendar("*/5 * * * *")


def _out(*args: str) -> str:
    out = StringIO()
    call_command("scheduler", *args, stdout=out)
    return out.getvalue()


def test_print_cron_and_systemd_come_from_the_table() -> None:
    cron = _out("--print-cron", "--bin", "/opt/y/bin/yanglao")
    systemd = _out("--print-systemd", "--bin", "/opt/y/bin/yanglao")
    for job in SCHEDULE:
        line = f"{job.cron} set -a && . /etc/yanglao/env && set +a && /opt/y/bin/yanglao {' '.join(job.argv)}"
        assert line in cron.splitlines()
        assert f"ExecStart=/opt/y/bin/yanglao {' '.join(job.argv)}" in systemd
        assert f"# ---- /etc/systemd/system/yanglao-{job.name}.timer ----" in systemd
        assert f"OnCalendar={on_calendar(job.cron)}" in systemd
    assert systemd.count("Persistent=true") == len(SCHEDULE)


# --- the real jobs: catch-up at start-up, then idempotent --------------------------------


def _snapshot() -> dict[str, list[str]]:
    """Every row of every table but the audit log (a second run may log that it ran) and the
    statistics snapshot of the open month, which each run recomputes by design (a new row
    with its own timing); its idempotence is checked apart, by period and version."""
    from yanglao.statistics.models import Snapshot, SnapshotValue

    skip = {AuditEvent, Snapshot, SnapshotValue}
    return {
        m._meta.label: sorted(repr(row) for row in m._default_manager.values_list())
        for m in apps.get_models()
        if m not in skip and m._meta.managed
    }


def _figures() -> list[tuple[object, ...]]:
    """The statistics snapshots as (period, version, status) and their figures, ids aside."""
    from yanglao.statistics.models import Snapshot, SnapshotValue

    snaps = sorted(Snapshot.objects.values_list("period", "version", "status"))
    values = sorted(
        SnapshotValue.objects.values_list(
            "snapshot__period", "indicator", "region_code", "breakdown", "numerator", "denominator"
        )
    )
    return [*snaps, *values]


@pytest.fixture
def ledger(regions, make_user, settings, tmp_path: Path) -> None:
    """A county with one person living alone since 2024, October's visit tasks left open,
    and October's roll approved."""
    from yanglao.benefits import services as benefits
    from yanglao.people import services as people
    from yanglao.people.testing import person_input
    from yanglao.visits import services as visits

    settings.DATA_DIR = tmp_path
    county = make_user(Role.COUNTY_OFFICER, "220102")
    with time_machine.travel(at(2026, 10, 2, 9, 0), tick=False):
        person, _ = people.person_register(actor=county, data=person_input("220102001001", seq=1))
        people.person_category_add(
            actor=county, person=person, category="living_alone", start=date(2024, 1, 1)
        )
        visits.tasks_generate(month=date(2026, 10, 1))
        roll = benefits.roll_generate(actor=county, county_code="220102", month=date(2026, 10, 1))
        benefits.roll_approve(actor=county, roll=roll)


def test_start_up_catch_up_runs_the_real_jobs_then_they_are_idempotent(ledger, tmp_path) -> None:
    from yanglao.benefits.models import Roll
    from yanglao.visits.models import VisitTask

    with time_machine.travel(at(2026, 11, 29, 9, 0), tick=False):
        out = _out("--once")
        assert "启动补做：" + "、".join(j.name for j in SCHEDULE) in out
        statuses = dict(VisitTask.objects.values_list("period_start", "status"))
        assert statuses[date(2026, 10, 1)] == "missed"  # October closed unvisited
        assert statuses[date(2026, 11, 1)] == "pending"  # November's task generated
        assert Roll.objects.filter(month=date(2026, 11, 1), status="draft").exists()
        before = _snapshot()
        figures_before = _figures()
        # Every job run by hand again (as two timers firing would): nothing changes.
        for job in SCHEDULE:
            call_command(*job.argv, stdout=StringIO(), stderr=StringIO())
        assert _snapshot() == before
        assert _figures() == figures_before
        assert "无到期任务" in _out("--once")
    assert set(json.loads((tmp_path / "scheduler.json").read_text())) == set(JOBS)


def test_readme_shows_the_schedule_as_printed() -> None:
    """The production schedule in README is the table's output, not a copy that drifts."""
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    lines = {line.strip() for line in readme.splitlines()}
    defaults = {"bin": "/srv/yanglao/.venv/bin/yanglao", "env_file": "/etc/yanglao/env"}
    for line in schedule.cron_lines(SCHEDULE, **defaults):
        assert line in lines, line
    units = schedule.systemd_units(SCHEDULE, user="yanglao", workdir="/srv/yanglao", **defaults)
    for name in ("yanglao-visits-tick.service", "yanglao-visits-tick.timer"):
        for line in units[name].splitlines():
            assert line in lines, line


def test_roll_auto_skips_a_county_whose_officer_left(ledger) -> None:
    from django.core.management import CommandError

    from yanglao.accounts.models import User
    from yanglao.benefits.models import Roll

    User.objects.filter(role=Role.COUNTY_OFFICER).update(is_active=False)
    out, err = StringIO(), StringIO()
    with time_machine.travel(at(2026, 11, 1, 3, 0), tick=False):
        call_command("benefits_roll", "--auto", stdout=out, stderr=err)
    assert "新生成名册草稿 0 份" in out.getvalue()
    assert "220102000000：上月名册的经办账号已停用，请人工生成" in err.getvalue()
    assert not Roll.objects.filter(month=date(2026, 11, 1)).exists()
    with pytest.raises(CommandError, match="--auto"):
        call_command("benefits_roll", "--county", "220102")
