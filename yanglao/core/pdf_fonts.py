"""CJK fonts for every PDF the platform prints (assessment report, statistics bulletin).

A CJK TrueType font installed from Debian's registry (`fonts-wqy-zenhei`, which `.ci/run`
installs; override with YANGLAO_PDF_FONT=/path/to/font.ttf|ttc) is embedded as a subset, so
the PDF prints the same on any reader. Nothing is downloaded at run time. Where no such font
is installed, reportlab's built-in CID font STSong-Light is named instead and the reader
supplies the glyphs (poppler needs poppler-data).

Rare characters (GB 18030-2022: CJK Extension B and beyond, such as 𠀀, common in older
people's names) are missing from WenQuanYi and Noto CJK. Each character the main font lacks
is set in a fallback font that has it (`fonts-babelstone-han`; override with
YANGLAO_PDF_FALLBACK_FONT), also embedded as a subset. A character no installed font has is
printed as its code point in brackets, e.g. [U+2B81D], so a name is never silently wrong
(documented limitation, docs/security-input.md).
"""

from __future__ import annotations

import os
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

CID_FONT = "STSong-Light"
EMBEDDED = "YanglaoCJK"
FALLBACK = "YanglaoCJKExt"
FALLBACK_CANDIDATES = (
    "/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
)
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register the report font once; an embedded TrueType font when one is installed."""
    configured = os.environ.get("YANGLAO_PDF_FONT")
    for path in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if path and os.path.exists(path):
            pdfmetrics.registerFont(TTFont(EMBEDDED, path, subfontIndex=0))
            return EMBEDDED
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _coverage(name: str) -> frozenset[int] | None:
    """Code points a registered TrueType font has; None for the CID font (BMP assumed)."""
    # The CID font's face has no charToGlyph (a server without the TrueType fonts crashed here).
    cmap = getattr(getattr(pdfmetrics.getFont(name), "face", None), "charToGlyph", None)
    return frozenset(cmap) if cmap is not None else None


@lru_cache(maxsize=1)
def fonts() -> tuple[str, frozenset[int] | None, frozenset[int]]:
    """(report font, its code points, the fallback font's code points)."""
    main = cjk_font()
    configured = os.environ.get("YANGLAO_PDF_FALLBACK_FONT")
    for path in ([configured] if configured else []) + list(FALLBACK_CANDIDATES):
        if path and os.path.exists(path):
            pdfmetrics.registerFont(TTFont(FALLBACK, path))
            return main, _coverage(main), _coverage(FALLBACK) or frozenset()
    return main, _coverage(main), frozenset()


def markup(text: str) -> str:
    """Paragraph markup for a value: escaped, with each character the report font lacks set in
    the fallback font, and one no installed font has printed as [U+XXXX]."""
    _, main, fallback = fonts()
    out: list[str] = []
    for ch in str(text):
        cp = ord(ch)
        if (main is None and cp < 0x10000) or (main is not None and cp in main) or ch in "\n\t":
            out.append(escape(ch))
        elif cp in fallback:
            out.append(f'<font name="{FALLBACK}">{escape(ch)}</font>')
        else:
            out.append(f"[U+{cp:04X}]")
    return "".join(out)


def needs_markup(text: str) -> bool:
    _, main, _ = fonts()
    return any(
        (ord(ch) >= 0x10000) if main is None else (ord(ch) not in main and ch not in "\n\t")
        for ch in text
    )
