"""`yanglao benefits_roll --county 220102 --month 2026-12 --user county_nanguan`: generate
(or re-generate the draft of) a county's monthly roll on the 1st; approval stays a person's
act on the roll page. Refused for an approved month.

`yanglao benefits_roll --auto` (scheduled on the 1st, see core.schedule): for every county
that had a roll last month and has none this month, generate this month's draft in the
name of the officer who approved (else generated) last month's. Idempotent: a county that
already has this month's roll — draft or approved — is left alone."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.benefits import rules, services
from yanglao.benefits.models import Roll


class Command(BaseCommand):
    help = "生成县（区）月度发放名册草稿（--auto：为上月使用名册的县（区）生成本月草稿）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--county", help="县（区）代码，如 220102")
        parser.add_argument("--month", help="月份 YYYY-MM（--auto 时默认本月）")
        parser.add_argument("--user", help="以哪个县级账号的名义生成（留痕）")
        parser.add_argument("--auto", action="store_true", help="每月1日的定时任务")

    def handle(self, *args: Any, **options: Any) -> None:
        month = _month(options["month"]) if options["month"] else None
        if options["auto"]:
            self._auto(month or rules.month_start(timezone.localdate()))
            return
        if not (options["county"] and month and options["user"]):
            raise CommandError("请指定 --county、--month 和 --user，或使用 --auto")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"没有账号 {options['user']}")
        roll = _generate(user, options["county"], month)
        t = roll.totals
        self.stdout.write(
            f"{month:%Y年%m月} 名册（草稿）：{t['persons']:,} 人，{t['lines']:,} 行，合计 {t['amount']} 元"
        )

    def _auto(self, month: date) -> None:
        previous = rules.add_months(month, -1)
        done = set(Roll.objects.filter(month=month).values_list("county_id", flat=True))
        made = 0
        for prev in (
            Roll.objects.filter(month=previous)
            .exclude(county_id__in=done)
            .select_related("approved_by", "generated_by")
            .order_by("county_id")
        ):
            actor = prev.approved_by or prev.generated_by
            if actor is None or not actor.is_active:
                self.stderr.write(f"{prev.county_id}：上月名册的经办账号已停用，请人工生成")
                continue
            try:
                _generate(actor, prev.county_id, month)
            except CommandError as exc:
                self.stderr.write(f"{prev.county_id}：{exc}")
                continue
            made += 1
        self.stdout.write(f"{month:%Y年%m月}：新生成名册草稿 {made} 份")


def _month(raw: str) -> date:
    try:
        return date.fromisoformat(f"{raw}-01")
    except ValueError as exc:
        raise CommandError("月份格式应为 YYYY-MM") from exc


def _generate(user: User, county: str, month: date) -> Roll:
    try:
        return services.roll_generate(actor=user, county_code=county, month=month)
    except services.BenefitInvalid as exc:
        raise CommandError("；".join(m for ms in exc.errors.values() for m in ms)) from exc
    except (services.NotPermitted, Http404) as exc:
        raise CommandError("该账号不能生成此县（区）的名册") from exc
