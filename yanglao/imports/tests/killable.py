"""Run by test_interrupted_commit in a separate process: `python -m ... prepare|commit|check`.

Uses the database named by the environment (its own SQLite file, or its own PostgreSQL
database), never the test run's.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yanglao.settings")
os.environ["YANGLAO_TASKS"] = "immediate"


def _say(*parts: object) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


def main(mode: str) -> None:
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.utils import timezone

    from conftest import TEST_COUNTIES, slice_csv
    from yanglao.imports import services
    from yanglao.imports.ledgerfile import ledger_rows, write_ledger
    from yanglao.imports.models import ImportBatch
    from yanglao.people.generator import load_villages
    from yanglao.people.models import Person
    from yanglao.regions.services import regions_load

    if mode == "prepare":
        call_command("migrate", verbosity=0)
        regions_load(text=slice_csv(TEST_COUNTIES), actor=None)
        from yanglao.accounts.services import user_create

        user = user_create(
            actor=None,
            username="importer",
            password="Kill-Test-2026-x",
            role="township_officer",
            full_name="测试",
            jurisdictions=[("220102001", "edit")],
        )
        villages = [v for v in load_villages() if v.code.startswith("220102001")]
        path = os.path.join(os.environ["YANGLAO_DATA_DIR"], "ledger.csv")
        from pathlib import Path

        write_ledger(Path(path), ledger_rows(villages, 600, seed=7, today=timezone.localdate()))
        with open(path, "rb") as f:
            batch = services.batch_upload(
                actor=user, upload=SimpleUploadedFile("ledger.csv", f.read())
            )
        mapping = {int(i): k for i, k in batch.mapping.items()}
        from django.db import transaction

        with transaction.atomic():
            services.batch_map(actor=user, batch=batch, mapping=mapping)
        batch.refresh_from_db()
        _say("PREPARED", batch.pk, user.pk, batch.counts.get("new"))
    elif mode == "commit":
        batch_id, user_id = int(sys.argv[2]), int(sys.argv[3])

        def on_step(name: str) -> None:
            _say("STEP", name)
            if name == "new" and not os.environ.get("KILL_TEST_NO_PAUSE"):
                time.sleep(60)  # the test kills the process here

        services.batch_commit(batch_id, user_id, on_step=on_step)
        _say("COMMITTED")
    elif mode == "check":
        batch = ImportBatch.objects.get(pk=int(sys.argv[2]))
        _say("CHECK", Person.objects.count(), batch.status)


if __name__ == "__main__":
    main(sys.argv[1])
