"""The response bodies every app's API shares (errors, conflicts): one shape for the client."""

from __future__ import annotations

from ninja import Schema


class Message(Schema):
    detail: str


class ValidationOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class ConflictOut(Schema):
    detail: str
    current_version: int
