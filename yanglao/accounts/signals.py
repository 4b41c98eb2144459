"""Security events (等保 2.0: login success and failure are audited)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from yanglao.core.audit import Action, audit


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit(
        actor=user,
        action=Action.LOGIN,
        object_type="user",
        object_id=str(user.pk),
        object_label=user.username,
    )


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit(actor=None, action=Action.LOGIN_FAILED, object_type="user", object_label=username)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit(
            actor=user,
            action=Action.LOGOUT,
            object_type="user",
            object_id=str(user.pk),
            object_label=user.username,
        )


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: Any = None, username: str | None = None, **kwargs: Any
) -> None:
    # 等保: a lock ends the account's API tokens too (they would otherwise outlive it).
    if username:
        from yanglao.accounts.services import tokens_end_on_lockout

        tokens_end_on_lockout(username=str(username))
