"""Names with rare characters (GB 18030-2022: CJK Ext. B and beyond, 〇) print in the PDF."""

from __future__ import annotations

import os
import zlib
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yanglao.assessments.tests.test_services import complete
from yanglao.core import pdf_fonts as pdf
from yanglao.people import services as people_services
from yanglao.people.testing import person_input

pytestmark = pytest.mark.django_db

RARE_NAME = "𠀀王〇"  # U+20000 (Ext. B), a common character, U+3007


def test_markup_sets_missing_characters_in_the_fallback_font() -> None:
    text = pdf.markup("王<b>&𠀀")
    assert text.startswith("王&lt;b&gt;&amp;")  # escaped: a value is never markup
    if pdf.fonts()[2]:
        assert f'<font name="{pdf.FALLBACK}">𠀀</font>' in text
    # A character in no installed font is printed as its code, never dropped or as a box.
    assert pdf.markup("\U000323af") in (
        "[U+323AF]",
        f'<font name="{pdf.FALLBACK}">\U000323af</font>',
    )
    assert pdf.markup("\U0010fffd") == "[U+10FFFD]"


def test_without_the_truetype_fonts_the_cid_font_prints_and_ext_b_shows_its_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server without fonts-wqy-zenhei / fonts-babelstone-han: the built-in CID font (BMP),
    and each character beyond it printed as its code, not a crash."""
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ())
    monkeypatch.setattr(pdf, "FALLBACK_CANDIDATES", ())
    monkeypatch.delenv("YANGLAO_PDF_FONT", raising=False)
    monkeypatch.delenv("YANGLAO_PDF_FALLBACK_FONT", raising=False)
    pdf.cjk_font.cache_clear()
    pdf.fonts.cache_clear()
    try:
        assert pdf.fonts() == (pdf.CID_FONT, None, frozenset())
        assert pdf.markup("王〇<𠀀") == "王〇&lt;[U+20000]"
    finally:
        pdf.cjk_font.cache_clear()
        pdf.fonts.cache_clear()


@pytest.mark.skipif(
    not any(os.path.exists(f) for f in pdf.FALLBACK_CANDIDATES) and os.environ.get("CI") != "true",
    reason="no Ext. B font installed (CI installs fonts-babelstone-han)",
)
def test_report_of_a_person_with_an_ext_b_name_embeds_the_fallback_font(
    officer: Any, assessor_a: Any, assessor_b: Any
) -> None:
    person, _ = people_services.person_register(
        actor=officer, data=person_input("220102001001", name=RARE_NAME, seq=41)
    )
    a = complete(assessor_a, assessor_b, person, timezone.localdate(), 30)
    a.provider_name = "𪚥丽"
    a.save(update_fields=["provider_name"])
    c = Client()
    c.force_login(officer)
    r = c.get(f"/assessments/{a.public_id}/report.pdf")
    assert r.status_code == 200
    assert b"BabelStone" in r.content or b"HanaMin" in r.content  # the fallback subset
    # The glyphs are in the text: reportlab maps each subset's codes back to Unicode in a
    # ToUnicode CMap (U+20000 and U+2A6A5 from the fallback font, 〇 from the report font).
    streams = r.content.split(b"stream\r\n")[1:] + r.content.split(b"stream\n")[1:]
    text = b"".join(_inflate(s.split(b"endstream")[0]) for s in streams)
    assert b"<20000>" in text and b"<2A6A5>" in text and b"<3007>" in text


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data.strip())
    except zlib.error:
        return b""
