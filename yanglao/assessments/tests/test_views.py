"""Pages: history, form with running score, report, PDF, overview; scope is a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yanglao.accounts.roles import Role
from yanglao.assessments import services
from yanglao.assessments.tests.conftest import FULL
from yanglao.assessments.tests.test_services import complete
from yanglao.people.models import Person

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_and_pdf(
    assessor_a: Any, assessor_b: Any, officer: Any, person: Person, tmp_path: Any
) -> None:
    a = complete(assessor_a, assessor_b, person, timezone.localdate(), 30)
    c = login(officer)
    assert "中度" in c.get(f"/assessments/person/{person.public_id}/").content.decode()
    assert c.get(f"/assessments/{a.public_id}/").status_code == 200
    r = c.get(f"/assessments/{a.public_id}/report.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(r.content)
    import os

    from yanglao.core.pdf_fonts import FONT_CANDIDATES

    if any(os.path.exists(f) for f in FONT_CANDIDATES) or os.environ.get("CI") == "true":
        # The CJK font from Debian's registry is embedded (a subset), not left to the reader.
        assert b"FontFile2" in r.content and b"STSong-Light" not in r.content
    else:
        assert b"STSong-Light" in r.content
    page = c.get("/assessments/").content.decode()
    assert "能力中度受损（中度失能）" in page


def test_form_saves_and_previews(assessor_a: Any, person: Person) -> None:
    a = services.assessment_start(
        actor=assessor_a, person=person, reason="first", assessment_date=timezone.localdate()
    )
    c = login(assessor_a)
    page = c.get(f"/assessments/{a.public_id}/").content.decode()
    assert "B.4.5 社会交往能力" in page and "还有 26 项未填写" in page
    post = {k: str(v) for k, v in FULL.items()} | {"standard": "GB/T 42195-2022"}
    r = c.post("/assessments/preview/", post)
    assert "能力完好" in r.content.decode()
    c.post(
        f"/assessments/{a.public_id}/save/",
        {**post, "provider_name": "本人", "provider_relation": "self", "action": "submit"},
    )
    a.refresh_from_db()
    assert a.status == "submitted" and a.total == 90


def test_other_county_is_404(
    assessor_a: Any, person: Person, make_user: Callable[..., Any]
) -> None:
    a = services.assessment_start(
        actor=assessor_a, person=person, reason="first", assessment_date=timezone.localdate()
    )
    other = login(make_user(Role.ASSESSOR, "220204", mode="search"))
    assert other.get(f"/assessments/{a.public_id}/").status_code == 404
    assert other.post(f"/assessments/{a.public_id}/confirm/").status_code == 404
    worker = login(make_user(Role.VISIT_WORKER, "220102001001"))
    assert worker.get("/assessments/").status_code == 403


def test_overview_narrows_to_a_region_and_refuses_bad_codes(
    assessor_a: Any, assessor_b: Any, officer: Any, person: Person
) -> None:
    # The statistics pages link each assessment figure here with ?region= of the node.
    complete(assessor_a, assessor_b, person, timezone.localdate(), 30)
    c = login(officer)
    village = person.region_id
    here = c.get(f"/assessments/?region={village}").content.decode()
    assert 'id="region-filter"' in here and "查看全部辖区" in here
    assert "<th>已评估合计</th><td>1</td>" in here
    other = "220204" if not village.startswith("220204") else "220102"
    there = c.get(f"/assessments/?region={other}").content.decode()
    assert "<th>已评估合计</th><td>0</td>" in there  # narrows, never widens
    assert c.get("/assessments/", {"region": "\x00"}).status_code == 200  # NUL is cleaned
    for bad in ("abc", "٢٢٠١٠٢", "22010"):
        r = c.get("/assessments/", {"region": bad})
        assert r.status_code == 200
        assert "区划代码应为2、4、6、9或12位数字" in r.content.decode()
        assert "<th>已评估合计</th><td>1</td>" in r.content.decode()
