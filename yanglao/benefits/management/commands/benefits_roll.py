"""`yanglao benefits_roll --county 220102 --month 2026-12 --user county_nanguan`: generate
(or re-generate the draft of) a county's monthly roll on the 1st; approval stays a person's
act on the roll page. Refused for an approved month."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from yanglao.accounts.models import User
from yanglao.benefits import services


class Command(BaseCommand):
    help = "生成县（区）月度发放名册草稿"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--county", required=True, help="县（区）代码，如 220102")
        parser.add_argument("--month", required=True, help="月份 YYYY-MM")
        parser.add_argument("--user", required=True, help="以哪个县级账号的名义生成（留痕）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = date.fromisoformat(f"{options['month']}-01")
        except ValueError as exc:
            raise CommandError("月份格式应为 YYYY-MM") from exc
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"没有账号 {options['user']}")
        try:
            roll = services.roll_generate(actor=user, county_code=options["county"], month=month)
        except services.BenefitInvalid as exc:
            raise CommandError("；".join(m for ms in exc.errors.values() for m in ms)) from exc
        except (services.NotPermitted, Http404) as exc:
            raise CommandError("该账号不能生成此县（区）的名册") from exc
        t = roll.totals
        self.stdout.write(
            f"{month:%Y年%m月} 名册（草稿）：{t['persons']:,} 人，{t['lines']:,} 行，合计 {t['amount']} 元"
        )
