"""An import uploaded just after local midnight computes ages on the local day.

At 2026-11-30 16:30 UTC it is 2026-12-01 00:30 in Beijing. Born 1966-12-01: 60 on the local
day (may be registered); born 1966-12-02: 59 (rejected), and only that line is in the errors
workbook."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yanglao.core import sheets
from yanglao.imports import services
from yanglao.imports.models import RowStatus
from yanglao.imports.tests.conftest import csv_bytes, line

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 2026-12-01 00:30 Asia/Shanghai


def test_reference_day_and_errors_workbook_are_local(township: Any) -> None:
    data = csv_bytes(
        [
            line("周桂珍", birth=date(1966, 12, 1), seq=1),
            line("吴秀云", birth=date(1966, 12, 2), seq=2),
        ]
    )
    with time_machine.travel(AT, tick=False):
        batch = services.batch_upload(
            actor=township, upload=SimpleUploadedFile("台账.csv", data), reference_date=None
        )
        mapping = {int(i): k for i, k in batch.mapping.items()}
        services.batch_map(actor=township, batch=batch, mapping=mapping)
        batch.refresh_from_db()
        c = Client()
        c.force_login(township)
        r = c.get(f"/imports/{batch.public_id}/errors.xlsx")
        page = c.get(f"/imports/{batch.public_id}/").content.decode()
    assert batch.reference_date == date(2026, 12, 1)
    assert batch.counts[RowStatus.NEW] == 1 and batch.counts[RowStatus.REJECTED] == 1
    rows = sheets.read_xlsx_bytes(b"".join(r.streaming_content))  # type: ignore[attr-defined]
    assert [row[0] for row in rows[1:]] == ["吴秀云"]
    assert "未满60周岁" in rows[1][-2]
    assert "年龄按 2026-12-01 计算" in page  # dates shown one way (issue 14)
