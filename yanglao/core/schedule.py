"""The periodic jobs, defined once: the in-process scheduler (`yanglao scheduler`, started
by `make run`), the cron lines and the systemd timers of a production server are all
generated from SCHEDULE, so development and production never drift.

Every job is an idempotent management command, so running one again (a catch-up after a
restart, two timers firing) changes nothing. Times are Asia/Shanghai.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

TZ = "Asia/Shanghai"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str  # also the APScheduler job id and the systemd unit name (yanglao-<name>)
    command: str  # a `yanglao <command>` management command
    args: tuple[str, ...]
    cron: str  # minute hour day-of-month month day-of-week, Asia/Shanghai
    description: str

    @property
    def argv(self) -> list[str]:
        return [self.command, *self.args]

    def trigger(self) -> CronTrigger:
        return CronTrigger.from_crontab(self.cron, timezone=ZoneInfo(TZ))


SCHEDULE: tuple[Job, ...] = (
    Job(
        "visits-generate",
        "visits_generate",
        (),
        "5 0 * * *",
        "生成本月巡访任务（每天补生成新纳入的老人）",
    ),
    Job("visits-tick", "visits_tick", (), "15 0 * * *", "标记逾期和周期结束未访的巡访任务"),
    Job(
        "benefits-nightly",
        "benefits_nightly",
        (),
        "0 1 * * *",
        "夜间资格排查：应保未保名单与复核任务",
    ),
    Job(
        "stats-snapshot",
        "stats_snapshot",
        (),
        "30 1 * * *",
        "计算统计快照：本月及未结束的上月；月份结束后冻结",
    ),
    Job(
        "imports-expire",
        "imports_expire",
        ("--days", "7"),
        "30 2 * * *",
        "取消7天未提交的导入，删除上传文件与暂存数据",
    ),
    Job(
        "benefits-roll",
        "benefits_roll",
        ("--auto",),
        "0 3 1 * *",
        "每月1日为上月使用名册的县（区）生成本月发放名册草稿",
    ),
    Job(
        "imports-recover",
        "imports_recover",
        ("--minutes", "10"),
        "7,17,27,37,47,57 * * * *",
        "恢复处理进程停止后仍为“提交中”“校验中”的导入批次",
    ),
    # Audit log tamper evidence (docs/audit-log.md): a broken chain fails the job, naming the
    # first bad row.
    Job(
        "community-orders",
        "community_orders",
        (),
        "25 0 * * *",
        "按待遇生成本月居家上门服务工单（每天补生成新享受待遇的老人）",
    ),
    Job(
        "audit-verify",
        "audit_verify",
        (),
        "45 3 * * *",
        "校验审计日志链式哈希（断开时任务失败，输出第一条不符记录）",
    ),
)


# --- catch-up at start-up ------------------------------------------------------------------


def is_due(job: Job, last_run: datetime | None, now: datetime) -> bool:
    """Missed since the last run: a fire time fell in (last_run, now]. Never run → due."""
    if last_run is None:
        return True
    # The first fire time strictly after the last run (APScheduler rounds up to the second).
    nxt = job.trigger().get_next_fire_time(None, last_run + timedelta(microseconds=1))
    return nxt is not None and nxt <= now


class State:
    """Last successful run of each job, in DATA_DIR/scheduler.json (one scheduler per site)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, datetime]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        out: dict[str, datetime] = {}
        for name, value in raw.items() if isinstance(raw, dict) else ():
            try:
                out[name] = datetime.fromisoformat(value)
            except (TypeError, ValueError):
                continue
        return out

    def record(self, name: str, when: datetime) -> None:
        data = {k: v.isoformat() for k, v in self.load().items()}
        data[name] = when.isoformat()
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)


Runner = Callable[[Job], None]


def run_job(job: Job, run: Runner, state: State, clock: Callable[[], datetime]) -> None:
    """Run one job and record it; a failing job is not recorded, so it is retried."""
    started = clock()
    run(job)
    state.record(job.name, started)


def catch_up(
    jobs: Iterable[Job], run: Runner, state: State, clock: Callable[[], datetime]
) -> list[str]:
    """Run, in table order, every job that is due (missed or never run); return their names."""
    last = state.load()
    now = clock()
    ran = []
    for job in jobs:
        if is_due(job, last.get(job.name), now):
            try:
                run_job(job, run, state, clock)
            except Exception:  # one failing job must not keep the others from running
                log.exception("定时任务 %s 失败，按计划重试", job.name)
                continue
            ran.append(job.name)
    return ran


def register(
    scheduler: BaseScheduler,
    jobs: Iterable[Job],
    run: Runner,
    state: State,
    clock: Callable[[], datetime],
) -> None:
    for job in jobs:
        scheduler.add_job(
            run_job,
            trigger=job.trigger(),
            args=(job, run, state, clock),
            id=job.name,
            name=job.description,
            coalesce=True,  # several missed fire times → one run
            max_instances=1,
            misfire_grace_time=3600,
            replace_existing=True,
        )


# --- production: cron lines and systemd timers from the same table -------------------------


def cron_lines(jobs: Iterable[Job], *, bin: str, env_file: str = "") -> list[str]:
    prefix = f"set -a && . {shlex.quote(env_file)} && set +a && " if env_file else ""
    lines = [
        f"# 养老服务平台定时任务（由 `yanglao scheduler --print-cron` 生成；时区 {TZ}）",
        f"CRON_TZ={TZ}",
    ]
    for job in jobs:
        cmd = " ".join(shlex.quote(a) for a in [bin, *job.argv])
        lines.append(f"# {job.description}")
        lines.append(f"{job.cron} {prefix}{cmd}")
    return lines


def on_calendar(cron: str) -> str:
    """A five-field cron expression of numbers, lists and '*' as a systemd OnCalendar."""
    minute, hour, dom, month, dow = cron.split()
    names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    def field(value: str, width: int = 2) -> str:
        if value == "*":
            return "*"
        if not all(p.isdigit() for p in value.split(",")):
            raise ValueError(f"不支持的 cron 字段：{value}")
        return ",".join(p.zfill(width) for p in value.split(","))

    days = "" if dow == "*" else ",".join(names[int(d)] for d in dow.split(",")) + " "
    return f"{days}*-{field(month)}-{field(dom)} {field(hour)}:{field(minute)}:00 {TZ}"


def systemd_units(
    jobs: Iterable[Job], *, bin: str, env_file: str, user: str, workdir: str
) -> dict[str, str]:
    units: dict[str, str] = {}
    for job in jobs:
        unit = f"yanglao-{job.name}"
        cmd = " ".join(shlex.quote(a) for a in [bin, *job.argv])
        units[f"{unit}.service"] = "\n".join(
            [
                "[Unit]",
                f"Description=养老服务平台：{job.description}",
                "",
                "[Service]",
                "Type=oneshot",
                f"User={user}",
                f"WorkingDirectory={workdir}",
                f"EnvironmentFile={env_file}",
                f"ExecStart={cmd}",
                "",
            ]
        )
        units[f"{unit}.timer"] = "\n".join(
            [
                "[Unit]",
                f"Description=养老服务平台：{job.description}（定时）",
                "",
                "[Timer]",
                f"OnCalendar={on_calendar(job.cron)}",
                "Persistent=true",  # a run missed while the server was off happens at boot
                "",
                "[Install]",
                "WantedBy=timers.target",
                "",
            ]
        )
    return units


def by_name(jobs: Iterable[Job]) -> Mapping[str, Job]:
    return {j.name: j for j in jobs}
