from __future__ import annotations

from typing import Any

import pytest

from yanglao.api.tests.conftest import api_client, token_for  # noqa: F401 (fixtures)
from yanglao.community.testing import CommunityWorld, make_world


@pytest.fixture
def world(regions: None, make_user: Any, settings: Any) -> CommunityWorld:
    settings.YANGLAO_SETTLE_CURRENT_MONTH = False
    return make_world(make_user)
