"""Per-request context (request id, client IP) read by the audit writer."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None


current: ContextVar[RequestContext] = ContextVar("yanglao_request", default=RequestContext())  # noqa: B039 (frozen)
