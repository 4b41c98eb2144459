"""`yanglao benefits_catalog`: load the shipped service list and overlap rules (idempotent).

Needs the region table (the Jilin rows are set by 220000). `yanglao demo` runs it too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yanglao.benefits import catalog
from yanglao.benefits.models import OverlapRule, ServiceItem
from yanglao.regions.models import Region


class Command(BaseCommand):
    help = "加载随附的基本养老服务清单（国家16项、吉林两项补贴）与衔接规则（待核实）"

    def handle(self, *args: Any, **options: Any) -> None:
        if not Region.objects.filter(code=catalog.JILIN).exists():
            raise CommandError("区划表中没有吉林省（220000），请先加载区划")
        added = catalog.seed(ServiceItem, OverlapRule)
        self.stdout.write(f"已加载 {added} 条（已有的不重复加载）")
