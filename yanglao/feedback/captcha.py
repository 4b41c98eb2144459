"""An image captcha that needs no network (the `captcha` library draws it with its bundled
fonts; the image is inlined as a data: URI, so there is no extra URL to scope or walk).

The answer lives in the session, is good for one check only and for CAPTCHA_TTL seconds.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from typing import Any

from captcha.image import ImageCaptcha

SESSION_KEY = "feedback_captcha"
CAPTCHA_TTL = 10 * 60
DIGITS = "23456789"  # no 0/1: nothing to confuse with O and l


def draw_answer() -> str:
    return "".join(secrets.choice(DIGITS) for _ in range(4))


def new_challenge(session: Any) -> str:
    """A fresh challenge in the session; returns the image as a data: URI."""
    answer = draw_answer()
    session[SESSION_KEY] = {"answer": answer, "at": int(time.time())}
    png = ImageCaptcha(width=160, height=60).generate(answer).getvalue()
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _ascii(raw: str) -> str:
    return "".join(
        chr(ord(c) - 0xFEE0) if 0xFF10 <= ord(c) <= 0xFF19 else c for c in raw[:10] if c.strip()
    )


def check(session: Any, typed: str) -> str | None:
    """None when `typed` answers the session's challenge (which is used up either way), else
    the Chinese reason."""
    stored = session.pop(SESSION_KEY, None)
    if not isinstance(stored, dict) or "answer" not in stored:
        return "验证码已失效，请看新的图片重新输入"
    if time.time() - int(stored.get("at", 0)) > CAPTCHA_TTL:
        return "验证码已过期，请看新的图片重新输入"
    if not hmac.compare_digest(_ascii(typed).encode(), str(stored["answer"]).encode()):
        return "验证码不对，请看新的图片重新输入"
    return None
