"""`yanglao min_age_policy REGION AGE --from YYYY-MM-DD --doc 文号`."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yanglao.people.policy import PolicyInvalid, min_age_policy_set


class Command(BaseCommand):
    help = "设置某区划的老年人登记起始年龄（默认60周岁；地方政策可降低）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("region", help="区划代码，如 220102")
        parser.add_argument("age", type=int, help="登记起始年龄（40–60）")
        parser.add_argument("--from", dest="start", required=True, help="生效日期 YYYY-MM-DD")
        parser.add_argument("--doc", required=True, help="政策文号")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            start = date.fromisoformat(o["start"])
            p = min_age_policy_set(
                actor=None,
                region_code=o["region"],
                min_age=o["age"],
                effective_from=start,
                document_no=o["doc"],
            )
        except (ValueError, PolicyInvalid) as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            f"已设置：{p.region_id} 自 {p.effective_from} 起 {p.min_age} 周岁（{p.document_no}）"
        )
