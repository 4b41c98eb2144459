"""Demo 双随机一公开 (called by `yanglao demo` after the demo homes): the 南关区 directory with
the demo inspector and a 消防 colleague, this year's plan drawn at 100% of the three demo
homes, one home inspected and published with no finding, the operator's home inspected with
two findings (one answered and waiting for re-check, one serious and overdue), and one task
still to do for `inspector_nanguan`. Idempotent; everything is marked 演示."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any, Protocol

from django.db import transaction

from yanglao.accounts.models import User
from yanglao.institutions import supervision
from yanglao.institutions.models import Institution, SpotCheckPlan
from yanglao.regions import codes

PLAN_SUFFIX = "（演示）"


class Out(Protocol):
    def write(self, msg: str, /) -> Any: ...


def load(out: Out, *, today: date) -> None:
    if SpotCheckPlan.objects.filter(name__endswith=PLAN_SUFFIX).exists():
        return
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "county_nanguan",
                "inspector_nanguan",
                "inspector_nanguan_fire",
                "institution_nanguan",
            ]
        )
    }
    county, inspector = users.get("county_nanguan"), users.get("inspector_nanguan")
    fire, operator = users.get("inspector_nanguan_fire"), users.get("institution_nanguan")
    low, high = codes.subtree_range("220102000000")
    homes = {
        i.name: i
        for i in Institution.objects.filter(
            region_id__gte=low, region_id__lte=high, name__endswith="（演示）"
        )
    }
    if None in (county, inspector, fire) or len(homes) < 3:
        return
    assert county is not None and inspector is not None and fire is not None
    with transaction.atomic():
        supervision.inspector_add(
            actor=county,
            user=inspector,
            organisation="civil",
            region_code="220102",
            certificate_no="吉民执22010200001（演示）",
        )
        supervision.inspector_add(
            actor=county,
            user=fire,
            organisation="fire",
            region_code="220102",
            certificate_no="吉消执22010200007（演示）",
        )
        plan = supervision.plan_create(
            actor=county,
            data=supervision.PlanInput(
                region_code="220102",
                year=today.year,
                name=f"南关区{today.year}年养老机构双随机抽查{PLAN_SUFFIX}",
                ratio="100%",
                ratio_document="演示数据：比例为示例，待核实",
                ratio_unconfirmed=True,
                item_codes=["YL-01", "YL-02"],
            ),
        )
        draw = supervision.draw_run(actor=county, plan=plan)
        tasks = {t.institution.name: t for t in draw.tasks.select_related("institution")}
        # Published, nothing found (inspected six weeks ago).
        welfare = tasks.get("南关区社会福利中心（演示）")
        if welfare is not None:
            on = today - timedelta(days=42)
            supervision.inspection_record(
                actor=inspector,
                task=welfare,
                client_uuid=uuid.uuid4(),
                inspected_on=on,
                lines=supervision.conforming_lines(welfare, {}),
                today=on,
                summary="演示检查",
            )
            supervision.result_publish(actor=county, task=welfare, today=on + timedelta(days=9))
        # The operator's home: two findings ten days ago.
        home = tasks.get("南岭颐养院（演示）")
        if home is not None:
            on = today - timedelta(days=10)
            bad = {
                "FIRE-1.2": supervision.LineInput(
                    "FIRE-1.2",
                    "nonconform",
                    note="二楼东侧疏散通道堆放杂物（演示）",
                    deadline=on + timedelta(days=30),
                ),
                "GB38600-6.6": supervision.LineInput(
                    "GB38600-6.6",
                    "nonconform",
                    note="卫生间未设扶手，地面湿滑（演示）",
                    deadline=on + timedelta(days=7),
                    serious=True,
                ),
            }
            rec = supervision.inspection_record(
                actor=inspector,
                task=home,
                client_uuid=uuid.uuid4(),
                inspected_on=on,
                lines=supervision.conforming_lines(home, bad),
                today=on,
                summary="演示检查",
            ).inspection
            if operator is not None:
                answered = rec.findings.get(clause="FIRE-1.2")
                supervision.finding_answer(
                    actor=operator, finding=answered, note="杂物已清走，通道畅通（演示）"
                )
    out.write(
        f"双随机抽查演示数据：计划 1 个，抽中 {len(tasks)} 家，随机种子 {draw.seed}；"
        "inspector_nanguan 有 1 个待检查任务和 1 项待复查的整改。"
    )
