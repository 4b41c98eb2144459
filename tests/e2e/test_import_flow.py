"""A township officer imports a ledger with errors in headless Chromium: upload, map, preview,
download the bad rows, fix them in the downloaded workbook, upload only those, commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_ledger_flow import login
from yanglao.accounts.roles import Role
from yanglao.core.sheets import read_xlsx_bytes, write_xlsx
from yanglao.imports.tests.conftest import csv_bytes, line
from yanglao.people.models import Person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_import_with_errors_fix_and_reupload(
    live_server, page: Page, offline_guard: list[str], regions, make_user, tmp_path: Path
) -> None:
    make_user(Role.TOWNSHIP_OFFICER, "220102001", username="nanling")
    bad_digit = line(seq=4, name="赵淑芬")
    bad_digit[1] = bad_digit[1][:-1] + ("0" if bad_digit[1][-1] != "0" else "1")
    bad_phone = line(seq=5, name="钱秀兰", phone="139123")
    rows = [
        line(seq=1),
        line(seq=2, name="李秀英"),
        bad_digit,
        line(seq=3, name="王淑珍"),
        bad_phone,
    ]
    upload = tmp_path / "华阳社区台账.csv"
    upload.write_bytes(csv_bytes(rows))
    page.on("dialog", lambda dialog: dialog.accept())

    login(page, live_server.url, "nanling")
    page.click("text=台账导入")
    page.set_input_files("input[name=file]", str(upload))
    page.click("button:has-text('上传并识别表头')")
    expect(page.locator("h2")).to_contain_text("确认列的对应关系")
    expect(page.locator("select[name=col1]")).to_have_value("id_number")
    page.click("button:has-text('开始校验')")

    expect(page.locator("#count-new")).to_have_text("3")
    expect(page.locator("#count-rejected")).to_have_text("2")
    expect(page.locator("#rows")).to_contain_text("校验位不正确")
    expect(page.locator("#rows")).to_contain_text("手机号码应为11位")

    with page.expect_download() as info:
        page.click("#download-errors")
    data = Path(info.value.path()).read_bytes()
    sheet = read_xlsx_bytes(data)
    header, bad = sheet[0], sheet[1:]
    assert header[-2:] == ["错误原因", "原行号"] and len(bad) == 2
    assert "校验位" in bad[0][-2] and bad[0][-1] == "4"

    page.click("#commit")
    expect(page.locator("#batch-status")).to_have_text("已导入")
    assert Person.objects.count() == 3

    # Fix only the two bad rows in the downloaded workbook and upload it again.
    fixed_rows = [list(r) for r in bad]
    fixed_rows[0][1] = line(seq=4)[1]
    fixed_rows[1][5] = "13912345670"
    fixed = tmp_path / "错误行-已改.xlsx"
    write_xlsx(str(fixed), header, fixed_rows)
    page.click("text=台账导入")
    page.set_input_files("input[name=file]", str(fixed))
    page.click("button:has-text('上传并识别表头')")
    expect(page.locator("select[name=col6]")).to_have_value("ignore")  # 错误原因
    page.click("button:has-text('开始校验')")
    expect(page.locator("#count-new")).to_have_text("2")
    expect(page.locator("#count-rejected")).to_have_text("0")
    page.click("#commit")
    expect(page.locator("#batch-status")).to_have_text("已导入")
    assert Person.objects.count() == 5
    assert offline_guard == []
