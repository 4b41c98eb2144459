"""Writes of the statistics module besides the snapshot job: bulletins (issue 13 part 5).

A bulletin is drafted by an officer of the region (county, city or province) from a FROZEN
snapshot version and becomes public only when ANOTHER officer of that region or above approves
it (发布): the drafter cannot approve their own bulletin (four eyes, as for account changes). A published bulletin can be withdrawn; its snapshot version stays, so what was
published remains traceable.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from yanglao.accounts.models import User
from yanglao.accounts.scoping import READ_FIGURES, require_in_scope
from yanglao.core.audit import audit
from yanglao.regions import codes
from yanglao.regions.models import Region
from yanglao.statistics import publication, rules
from yanglao.statistics.models import (
    Bulletin,
    BulletinKind,
    BulletinStatus,
    Snapshot,
    SnapshotStatus,
)

PUBLISHING_LEVELS = (codes.PROVINCE, codes.CITY, codes.COUNTY)


class BulletinInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _quarter_sources(snapshot: Snapshot, errors: dict[str, list[str]]) -> list[int]:
    """The latest frozen version of each month of the quarter ending with `snapshot`."""
    if snapshot.period.month % 3:
        errors.setdefault("period", []).append("季报请选择季度的最后一个月（3、6、9、12月）")
        return []
    ids = []
    for back in (2, 1):
        month = rules.add_months(snapshot.period, -back)
        earlier = (
            Snapshot.objects.filter(period=month, status=SnapshotStatus.FROZEN)
            .order_by("-version")
            .first()
        )
        if earlier is None:
            errors.setdefault("period", []).append(
                f"{month.year}年{month.month}月的统计快照尚未冻结，不能生成本季度季报"
            )
        else:
            ids.append(earlier.pk)
    return [*ids, snapshot.pk]


def bulletin_create(
    *, actor: User, region: Region, snapshot: Snapshot, kind: str = BulletinKind.MONTH
) -> Bulletin:
    require_in_scope(actor, region.code, READ_FIGURES)
    errors: dict[str, list[str]] = {}
    if kind not in BulletinKind.values:
        errors.setdefault("kind", []).append("请选择月报或季报")
    if region.level not in PUBLISHING_LEVELS:
        errors.setdefault("region", []).append("统计月报由县（区）及以上民政部门发布")
    if snapshot.status != SnapshotStatus.FROZEN:
        errors.setdefault("period", []).append("只能用已结束并冻结的月份生成月报")
    sources = [snapshot.pk]
    if kind == BulletinKind.QUARTER and not errors:
        sources = _quarter_sources(snapshot, errors)
    if errors:
        raise BulletinInvalid(errors)
    try:
        with transaction.atomic():
            b = Bulletin.objects.create(
                region=region,
                snapshot=snapshot,
                kind=kind,
                sources=sources,
                title=publication.title_of(region, snapshot, kind),
                created_by=actor,
            )
            audit(
                actor=actor,
                action="stats.bulletin_create",
                object_type="bulletin",
                object_id=str(b.pk),
                object_label=b.title,
                region_code=region.code,
                changes={
                    "类型": BulletinKind(kind).label,
                    "版本": f"{snapshot.period:%Y-%m} 第{snapshot.version}版",
                },
            )
    except IntegrityError as exc:
        raise BulletinInvalid({"period": ["该月份该版本的月报（季报）已经生成"]}) from exc
    return b


def bulletin_publish(*, actor: User, bulletin: Bulletin) -> Bulletin:
    require_in_scope(actor, bulletin.region_id, READ_FIGURES)
    with transaction.atomic():
        b = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if b.status != BulletinStatus.DRAFT:
            raise BulletinInvalid({"status": ["只有待审核的月报可以发布"]})
        if b.created_by_id == actor.pk:
            raise BulletinInvalid({"status": ["月报须由生成人以外的另一名工作人员审核发布"]})
        b.status = BulletinStatus.PUBLISHED
        b.approved_by = actor
        b.published_at = timezone.now()
        b.save(update_fields=["status", "approved_by", "published_at"])
        audit(
            actor=actor,
            action="stats.bulletin_publish",
            object_type="bulletin",
            object_id=str(b.pk),
            object_label=b.title,
            region_code=b.region_id,
            changes={"生成人": b.created_by.username if b.created_by else "—"},
        )
    return b


def bulletin_withdraw(*, actor: User, bulletin: Bulletin) -> Bulletin:
    require_in_scope(actor, bulletin.region_id, READ_FIGURES)
    with transaction.atomic():
        b = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if b.status == BulletinStatus.WITHDRAWN:
            raise BulletinInvalid({"status": ["该月报已撤回"]})
        b.status = BulletinStatus.WITHDRAWN
        b.save(update_fields=["status"])
        audit(
            actor=actor,
            action="stats.bulletin_withdraw",
            object_type="bulletin",
            object_id=str(b.pk),
            object_label=b.title,
            region_code=b.region_id,
        )
    return b
