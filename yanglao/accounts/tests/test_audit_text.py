"""The audit log read as sentences (issue 14 part 2)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from yanglao.accounts import audit_text
from yanglao.accounts.roles import Role
from yanglao.core.audit import audit, diff
from yanglao.core.models import AuditEvent
from yanglao.core.visible import raw_values, visible_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "object_type", "lines"),
    [
        (
            diff({"life_status": "alive"}, {"life_status": "deceased"}),
            "person",
            [("状态", "在世", "死亡")],
        ),
        (
            {
                "changed": {
                    "dwelling": ["home", "institution"],
                    "region_code": ["220102001001", "220204001001"],
                }
            },
            "person",
            [("居住方式", "居家", "养老机构"), ("居住村（社区）", "华阳社区", "永前社区")],
        ),
        ({"role": "county_officer"}, "user", [("角色", None, "县（区）民政工作人员")]),
        (
            {"jurisdictions": ["220102000000:search"]},
            "user",
            [("辖区授权", None, "南关区（查询）")],
        ),
        (
            {"visit_worker_otp": [False, True]},
            "security_policy",
            [("村（社区）巡访员须使用动态验证码", "否", "是")],
        ),
        (
            {"rows": 3, "filters": {}},
            "person_list",
            [("行数", None, "3"), ("筛选条件", None, "无")],
        ),
        ({"warnings": [], "note": None}, "x", [("提示", None, "无"), ("说明", None, "（空）")]),
        (
            {
                "path": "/people/",
                "method": "GET",
                "status": 404,
                "reason": "Http404: 不存在",
                "view": "people:detail",
            },
            "request",
            [
                ("页面地址", None, "/people/"),
                ("请求方式", None, "打开页面"),
                ("结果", None, "不存在或不在管辖范围"),
                ("原因", None, "不存在"),
            ],
        ),
        (
            {
                "rule": {"all": [{"kind": "age", "min": 80}]},
                "standard": [{"band": "每人", "when": None, "value": "100"}],
            },
            "service_item",
            [("对象条件（规则）", None, "80周岁及以上"), ("服务标准（分档）", None, "每人：100")],
        ),
        (
            {"task": "7f77b389-fc11-4402-a9b2-78232f18100f"},
            "inspection",
            [("检查任务", None, "编号7f77b389")],
        ),
    ],
)
def test_lines(regions: None, changes: Any, object_type: str, lines: list[tuple[Any, ...]]) -> None:
    got = [(ln.label, ln.old, ln.new) for ln in audit_text.lines(changes, object_type)]
    assert got == lines


def test_audit_page_reads_as_sentences_and_fits_a_phone(regions: None, make_user: Any) -> None:
    officer = make_user(Role.COUNTY_OFFICER, "220102", username="officer_s")
    with transaction.atomic():
        audit(
            actor=officer,
            action="person.update",
            object_type="person",
            object_label="王丽英",
            region_code="220102001001",
            changes={"changed": {"dwelling": ["home", "institution"]}, "via": "form"},
        )
    auditor = make_user(Role.AUDITOR, "22", mode="stats")
    c = Client()
    c.force_login(auditor)
    html = c.get("/audit/", {"action": "person.", "region": "南关区"}).content.decode()
    text = visible_text(html)
    assert "修改老年人信息：王丽英" in text and "居住方式：居家 → 养老机构" in text
    assert "途径：表单" in text and "华阳社区" in text
    assert raw_values(text) == [] and "{'" not in text and "person.update" not in text
    assert '<select name="action"' in html and "data-region-picker" in html
    assert "<table" not in html.split("audit-log")[1]  # a list of sentences, not a wide table
    # A wrong region: a Chinese message beside the picker, no raw field name.
    bad = visible_text(c.get("/audit/", {"region": "火星"}).content.decode())
    assert "没有找到名为“火星”的区划" in bad and "region" not in bad
    # Another county's region is not offered to a county auditor.
    county_auditor = make_user(Role.AUDITOR, "220204", mode="stats")
    c.force_login(county_auditor)
    assert "王丽英" not in c.get("/audit/").content.decode()
    assert AuditEvent.objects.filter(object_label="王丽英").exists()
