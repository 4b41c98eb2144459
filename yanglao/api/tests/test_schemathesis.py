"""Schemathesis against /api/openapi.json (issue 15): every operation, as three roles, bounded
(20 examples per operation, derandomised), answers no 5xx and only status codes it documents."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from yanglao.accounts.roles import Role
from yanglao.api.api import api
from yanglao.wsgi import application

pytestmark = pytest.mark.django_db


# The document /api/openapi.json serves, built without a request (collection has no database);
# the cases are then sent through the WSGI app in-process.
document = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/"), default=str))
schema = schemathesis.openapi.from_dict(document)
schema.app = application


@contextmanager
def _keep_the_test_connection() -> Iterator[None]:
    """As Django's test client does: a request through the WSGI app must not close the
    connection that holds the test's transaction (PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _bearer(token: str) -> dict[str, str]:
    # Host fixed: a generated `Host: -` header is Django's DisallowedHost (400), not the API's.
    return {"Authorization": f"Bearer {token}", "Host": "localhost"}


@pytest.fixture
def officer_bearer(regions, make_user, token_for: Callable[[Any], str]) -> dict[str, str]:
    return _bearer(token_for(make_user(Role.COUNTY_OFFICER, "220102")))


@pytest.fixture
def worker_bearer(regions, make_user, token_for: Callable[[Any], str]) -> dict[str, str]:
    return _bearer(token_for(make_user(Role.VISIT_WORKER, "220102001001")))


@pytest.fixture
def auditor_bearer(regions, make_user, token_for: Callable[[Any], str]) -> dict[str, str]:
    # No data access at all (三权分立): every data operation must answer a documented 403.
    bearer = _bearer(token_for(make_user(Role.AUDITOR, "22", mode="stats")))
    from django.test import Client

    assert Client().get("/api/v1/persons", headers=bearer).status_code == 403  # not 401
    return bearer


BOUNDED = settings(
    max_examples=20, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
)
CHECKS = [not_a_server_error, status_code_conformance]


@schema.parametrize()
@BOUNDED
def test_api_as_county_officer(case: Any, officer_bearer: dict[str, str]) -> None:
    with _keep_the_test_connection():
        case.call_and_validate(headers=officer_bearer, checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_api_as_village_worker(case: Any, worker_bearer: dict[str, str]) -> None:
    with _keep_the_test_connection():
        case.call_and_validate(headers=worker_bearer, checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_api_as_auditor(case: Any, auditor_bearer: dict[str, str]) -> None:
    with _keep_the_test_connection():
        case.call_and_validate(headers=auditor_bearer, checks=CHECKS)


def test_the_document_tested_is_the_one_served(client) -> None:
    served = client.get("/api/openapi.json").json()
    assert served == document
    persons = served["paths"]["/api/v1/persons"]
    assert {"401", "422"} <= set(persons["get"]["responses"])
    assert {"400", "401", "422"} <= set(persons["post"]["responses"])
