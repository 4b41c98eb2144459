"""Fixtures for the accounts tests: API clients that log in for a bearer token."""

from yanglao.api.tests.conftest import api_client, token_for  # noqa: F401 (fixtures)
