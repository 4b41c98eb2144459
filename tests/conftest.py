"""Fixtures shared by the cross-app tests in this folder."""

from yanglao.api.tests.conftest import api_client, token_for  # noqa: F401 (fixtures)
