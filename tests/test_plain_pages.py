"""Every page of every role speaks plain Chinese (issue 14, “Done means”).

The walk of tests/test_scope_walk.py, but as the in-scope user of each role over the same
world (a person with visits, an assessment, benefits, a disability, an institution, a
spot check …): every page without parameters, and every detail page of a real object,
rendered and read as a person reads it (tags, scripts and attributes stripped). It fails on
a raw enumeration value (“visit_worker”, “minimum_living”), a Python repr (“{'”, “None”,
“True”, “False”, “[]”) or a 12-digit region code standing alone where a name belongs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from tests.test_scope_walk import all_patterns, county_a_world, fill  # noqa: F401
from yanglao.accounts.roles import Role
from yanglao.core.visible import raw_values, visible_text

pytestmark = pytest.mark.django_db

# Downloads, actions that change or end something, and the JSON endpoints: not pages.
SKIP = re.compile(
    r"(export|\.xlsx|\.csv|\.pdf|/photo|/document|/evidence|logout|/revoke|/unlock|"
    r"otp-reset|/decide|/approve|/stop|/close|/run|/draw|/cancel|/commit|/errors|"
    r"rule-preview|accounts/regions/|/sync|/queue|healthz|/print)"
)


def enum_values() -> frozenset[str]:
    """Stored enumeration values that are identifiers, not words a person writes."""
    out: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("yanglao."):
            continue
        for f in model._meta.get_fields():
            for value, _ in getattr(f, "flatchoices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_]*[a-z0-9]", value):
                    out.add(value)
    from yanglao.accounts.roles import Role as R

    out |= {r.value for r in R}
    return frozenset(out)


def _users(world: dict[str, str], make_user: Any) -> dict[str, Any]:
    from yanglao.accounts.models import User
    from yanglao.institutions.models import Institution

    home = Institution.objects.get(public_id=world["institution_id"])
    inspector = User.objects.filter(role=Role.INSPECTOR).order_by("pk").first()
    return {
        "county": make_user(Role.COUNTY_OFFICER, "220102", username="plain_county"),
        "township": make_user(Role.TOWNSHIP_OFFICER, "220102001", username="plain_township"),
        "village": make_user(Role.VISIT_WORKER, "220102001001", username="plain_village"),
        "city": make_user(Role.CITY_OFFICER, "2201", username="plain_city"),
        "province": make_user(Role.PROVINCE_OFFICER, "22", username="plain_province"),
        "assessor": make_user(Role.ASSESSOR, "220102", mode="search", username="plain_assessor"),
        "auditor": make_user(Role.AUDITOR, "22", mode="stats", username="plain_auditor"),
        "security": make_user(Role.SECURITY_ADMIN, "22", mode="stats", username="plain_sec"),
        "sysadmin": make_user(Role.SYSTEM_ADMIN, "22", mode="stats", username="plain_sys"),
        "operator": home.operators.first(),
        "inspector": inspector,
    }


def _body(response: Any) -> str | None:
    if response.status_code != 200 or response.streaming:
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    return str(response.content.decode(errors="replace"))


def test_every_page_of_every_role_is_plain_chinese(county_a_world, make_user) -> None:  # noqa: F811
    users = _users(county_a_world, make_user)
    enums = enum_values()
    found: list[str] = []
    pages = 0
    for who, user in users.items():
        assert user is not None, who
        client = Client()
        client.force_login(user)
        for route, _ in all_patterns():
            if SKIP.search(route) or route.startswith("api/"):
                continue
            url = fill(route, county_a_world)
            html = _body(client.get(url))
            if html is None:
                continue
            pages += 1
            text = visible_text(html, options=True)
            for raw in raw_values(text, enums):
                at = text.find(raw)
                context = " ".join(text[max(0, at - 30) : at + len(raw) + 30].split())
                found.append(f"{who} {url}: {raw!r} in “{context}”")
    if out := os.environ.get("PLAIN_WALK_OUT"):  # for a developer reading the whole list
        Path(out).write_text("\n".join(sorted(set(found))), encoding="utf-8")
    assert pages >= 150
    assert found == [], "\n".join(sorted(set(found)))


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("辖区：220102000000", ["220102000000"]),
        ("{'all': []}", ["{'", "[]"]),
        ("状态：None", ["None"]),
        ("可自动判定：True", ["True"]),
        ("巡访方式：home_visit", ["home_visit"]),
        ("身份证 220102194501011234", []),
        ("220102********1234", []),
        ("NoneSuch Truest", []),
        ("2026-11-30 共 12 人", []),
    ],
)
def test_raw_values_finds_only_raw_values(text: str, raw: list[str]) -> None:
    assert raw_values(text, frozenset({"home_visit"})) == raw


def test_visible_text_skips_tags_scripts_and_attributes() -> None:
    html = (
        '<p title="None">张三<script>var x = {"a": true};</script>'
        '<input value="220102000000"><select><option value="edit">办理</option></select></p>'
    )
    assert visible_text(html).strip() == "张三"
