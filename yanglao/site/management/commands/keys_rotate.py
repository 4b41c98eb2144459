"""`yanglao keys_rotate`: re-encrypt every encrypted column under the active key, and re-hash
every lookup hash with the active hash algorithm (密评: key rotation, AES → SM4, SHA-256 → SM3).

Batches of rows in primary-key order, each batch locked, rewritten and its progress saved in
one transaction (core.KeyRotation), so a killed run resumes where it stopped. Reads go on
during the run: every ciphertext names its key, and all keys in DATA_KEYS decrypt. Lookups by
hash try the previous algorithm too while LOOKUP_HASH_PREVIOUS is set.

This command lives in the `site` app because it sees every app's tables; `ENCRYPTED` lists
them, and a test fails on any `*_cipher` column missing from it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from yanglao.core import crypto
from yanglao.core.audit import Action, audit
from yanglao.core.models import KeyRotation


@dataclass(frozen=True)
class Encrypted:
    model: str  # "app_label.Model"
    ciphers: tuple[str, ...]
    hashes: dict[str, str] = field(default_factory=dict)  # hash column -> its cipher column
    # Keyed columns derived by the model's set_search_columns() (the blind tail index, people
    # .models.tail_index), recomputed with the hashes, and the plain columns they read.
    derived: tuple[str, ...] = ()
    derived_from: tuple[str, ...] = ()


ENCRYPTED: tuple[Encrypted, ...] = (
    Encrypted(
        "people.Person",
        ("id_number_cipher", "phone_cipher"),
        {"id_number_hash": "id_number_cipher", "phone_hash": "phone_cipher"},
        ("search_keys", "id_tail", "phone_tail"),
        ("name", "id_number_masked", "phone_masked"),
    ),
    Encrypted("people.EmergencyContact", ("phone_cipher",)),
    Encrypted("people.Disability", ("certificate_cipher",)),
    Encrypted("assessments.Assessment", ("contact_phone_cipher",)),
    Encrypted("benefits.Application", ("account_cipher",)),
    Encrypted("benefits.Entitlement", ("account_cipher",)),
    Encrypted("feedback.Feedback", ("phone_cipher",)),
    Encrypted(
        "imports.ImportRow",
        ("raw_cipher", "id_number_cipher", "phone_cipher", "c1_phone_cipher", "c2_phone_cipher"),
        {"id_number_hash": "id_number_cipher", "phone_hash": "phone_cipher"},
    ),
)


def target() -> str:
    return f"{crypto.active_key_id()}/{crypto.hash_algorithm()}"


def rotate_batch(spec: Encrypted, rows: list[Any]) -> list[Any]:
    """Rewrite the rows' ciphertexts under the active key and their hashes with the active
    algorithm; returns the rows that changed."""
    changed = []
    for row in rows:
        dirty = False
        plain: dict[str, str] = {}
        for name in spec.ciphers:
            token = getattr(row, name)
            if spec.hashes and name in spec.hashes.values():
                plain[name] = crypto.decrypt(token)
            new = crypto.reencrypt(token)
            if new != token:
                setattr(row, name, new)
                dirty = True
        for hash_name, cipher_name in spec.hashes.items():
            value = crypto.lookup_hash(plain[cipher_name])
            if value != getattr(row, hash_name):
                setattr(row, hash_name, value)
                dirty = True
        if spec.derived:
            before = [getattr(row, f) for f in spec.derived]
            row.set_search_columns()
            dirty = dirty or before != [getattr(row, f) for f in spec.derived]
        if dirty:
            changed.append(row)
    return changed


class Command(BaseCommand):
    help = "把所有加密字段改用当前密钥加密，并按当前算法重算查找哈希（可中断后续做）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000, help="每批行数（默认1000）")
        parser.add_argument("--table", action="append", help="只处理这些表（如 people.Person）")
        parser.add_argument("--restart", action="store_true", help="不续做，从头开始")
        parser.add_argument(
            "--max-batches", type=int, default=0, help="处理这么多批后停止（测试与分段执行）"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        crypto.clear_caches()
        goal = target()
        specs = [s for s in ENCRYPTED if not opts["table"] or s.model in opts["table"]]
        if opts["table"] and len(specs) != len(opts["table"]):
            raise CommandError(f"未知的表：{opts['table']}（可选：{[s.model for s in ENCRYPTED]}）")
        self.stdout.write(
            f"目标：密钥 {crypto.active_key_id()}，查找哈希 {crypto.hash_algorithm()}"
        )
        budget = opts["max_batches"] or None
        for spec in specs:
            budget = self._rotate(spec, goal, opts["batch_size"], opts["restart"], budget)
            if budget == 0:
                self.stdout.write("已达到 --max-batches，停止；再次运行将从断点继续")
                return
        previous = crypto.previous_hash_algorithm()
        self.stdout.write(
            "全部完成。"
            + ("现在可以从 DATA_KEYS 中删除旧密钥" if not previous else "")
            + (f"，并删除 LOOKUP_HASH_PREVIOUS（{previous}）后重启" if previous else "")
        )

    def _rotate(
        self, spec: Encrypted, goal: str, size: int, restart: bool, budget: int | None
    ) -> int | None:
        model = apps.get_model(spec.model)
        progress, _ = KeyRotation.objects.get_or_create(table=spec.model, defaults={"target": goal})
        if restart or progress.target != goal:
            progress.target, progress.last_pk, progress.rows_changed, progress.done = (
                goal,
                0,
                0,
                False,
            )
            progress.save()
        if progress.done:
            self.stdout.write(f"{spec.model}：已完成（{progress.rows_changed} 行已改写）")
            return budget
        total = model.objects.count()
        seen = model.objects.filter(pk__lte=progress.last_pk).count()
        fields = [*spec.ciphers, *spec.hashes, *spec.derived]
        started, processed = time.monotonic(), 0
        while budget is None or budget > 0:
            with transaction.atomic():
                rows = list(
                    model.objects.select_for_update()
                    .filter(pk__gt=progress.last_pk)
                    .order_by("pk")
                    .only("pk", *fields, *spec.derived_from)[:size]
                )
                if not rows:
                    progress.done = True
                    progress.save()
                    audit(
                        actor=None,
                        action=Action.KEYS_ROTATE,
                        object_type="table",
                        object_id=spec.model,
                        object_label=spec.model,
                        changes={"target": goal, "rows_changed": progress.rows_changed},
                    )
                    break
                changed = rotate_batch(spec, rows)
                if changed:
                    model.objects.bulk_update(changed, fields)
                progress.last_pk = rows[-1].pk
                progress.rows_changed += len(changed)
                progress.save()
            seen += len(rows)
            processed += len(rows)
            if budget is not None:
                budget -= 1
            rate = processed / max(time.monotonic() - started, 1e-6)
            self.stdout.write(
                f"{spec.model}：{seen}/{total} 行（{100 * seen // max(total, 1)}%），"
                f"已改写 {progress.rows_changed} 行，约 {rate:,.0f} 行/秒"
            )
        if progress.done:
            self.stdout.write(f"{spec.model}：完成，共改写 {progress.rows_changed} 行")
        return budget
