"""Loading the region tree from a statistical-code CSV; idempotent, audited."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from yanglao.core.audit import Action, audit
from yanglao.regions import codes
from yanglao.regions.models import Region

if TYPE_CHECKING:
    from yanglao.accounts.models import User

BUNDLED = Path(__file__).resolve().parent / "data"
JILIN_CSV = BUNDLED / "jilin.csv"


@dataclass
class LoadReport:
    added: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        return (
            f"新增 {len(self.added)}，更名 {len(self.renamed)}，停用 {len(self.retired)}，"
            f"恢复 {len(self.restored)}，未变 {self.unchanged}"
        )


class RegionFileError(ValueError):
    pass


def parse_region_csv(text: str) -> list[tuple[str, str, int, str | None]]:
    """Rows of (code12, name, level, parent12) with every rule checked; raises on the first bad row."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "name", "level", "parent_code"} - set(reader.fieldnames or [])
    if missing:
        raise RegionFileError(f"缺少列：{', '.join(sorted(missing))}")
    rows: list[tuple[str, str, int, str | None]] = []
    seen: set[str] = set()
    for lineno, row in enumerate(reader, start=2):
        try:
            code12 = codes.pad(row["code"])
        except ValueError as exc:
            raise RegionFileError(f"第{lineno}行：{exc}") from exc
        level = codes.LEVEL_NAMES.get((row["level"] or "").strip())
        if level is None:
            raise RegionFileError(f"第{lineno}行：未知层级 {row['level']!r}")
        if len(row["code"].strip()) != codes.PREFIX_LEN[level]:
            raise RegionFileError(f"第{lineno}行：代码长度与层级不符")
        parent = row["parent_code"].strip()
        parent12 = codes.pad(parent) if parent else None
        if level > codes.PROVINCE and (parent12 is None or parent12 not in seen):
            raise RegionFileError(f"第{lineno}行：上级 {parent!r} 必须在本行之前出现")
        if parent12 is not None and not codes.contains(parent12, code12):
            raise RegionFileError(f"第{lineno}行：代码不以上级代码开头")
        name = (row["name"] or "").strip()
        if not name:
            raise RegionFileError(f"第{lineno}行：名称为空")
        if code12 in seen:
            raise RegionFileError(f"第{lineno}行：代码重复 {row['code']}")
        seen.add(code12)
        rows.append((code12, name, level, parent12))
    return rows


def regions_load(*, text: str, actor: User | None, today: date | None = None) -> LoadReport:
    """Upsert a province's tree: add new codes, rename changed ones, retire vanished ones.

    Codes are never deleted: people, visits and figures keep pointing at retired codes.
    """
    rows = parse_region_csv(text)
    today = today or timezone.localdate()
    report = LoadReport()
    provinces = {r[0][:2] for r in rows}
    with transaction.atomic():
        existing = {r.code: r for p in provinces for r in Region.objects.filter(code__startswith=p)}
        to_create: list[Region] = []
        to_update: list[Region] = []
        for code12, name, level, parent12 in rows:
            current = existing.get(code12)
            if current is None:
                to_create.append(
                    Region(
                        code=code12,
                        name=name,
                        short_name=codes.short_name(name),
                        level=level,
                        parent_id=parent12,
                        valid_from=today,
                    )
                )
                report.added.append(code12)
                continue
            changed = False
            if current.name != name:
                report.renamed.append((code12, current.name, name))
                current.name, current.short_name = name, codes.short_name(name)
                changed = True
            if current.valid_to is not None:
                current.valid_to = None
                report.restored.append(code12)
                changed = True
            if current.parent_id != parent12:
                current.parent_id = parent12
                changed = True
            if changed:
                to_update.append(current)
            else:
                report.unchanged += 1
        in_file = {r[0] for r in rows}
        for code12, region in existing.items():
            if code12 not in in_file and region.valid_to is None:
                region.valid_to = today
                to_update.append(region)
                report.retired.append(code12)
        Region.objects.bulk_create(to_create, batch_size=2000)
        Region.objects.bulk_update(
            to_update, ["name", "short_name", "valid_to", "parent"], batch_size=2000
        )
        audit(
            actor=actor,
            action=Action.REGIONS_LOAD,
            object_type="region",
            object_id=",".join(sorted(provinces)),
            object_label=report.summary(),
            changes={
                "added": len(report.added),
                "renamed": report.renamed[:200],
                "retired": report.retired[:200],
                "restored": report.restored[:200],
            },
        )
    return report


def regions_load_bundled(*, actor: User | None = None) -> LoadReport:
    return regions_load(text=JILIN_CSV.read_text(encoding="utf-8"), actor=actor)
