"""The demo: 南关区 providers, a centre and a canteen, orders in every state, last month
settled by one officer and approved by another; the bound worker sees only the provider's
orders; loading twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.utils import timezone

from yanglao.accounts.roles import Role
from yanglao.community import demo, selectors
from yanglao.community.choices import OrderStatus, SettlementStatus
from yanglao.community.models import Facility, Provider, ServiceOrder, Settlement
from yanglao.people import services as people
from yanglao.people.testing import person_input

pytestmark = pytest.mark.django_db


def test_demo_community(regions: None, make_user: Callable[..., Any]) -> None:
    county = make_user(Role.COUNTY_OFFICER, "220102", username="county_nanguan")
    make_user(Role.COUNTY_OFFICER, "220102", username="county_nanguan_finance")
    make_user(Role.PROVIDER_MANAGER, "220102", "stats", username="provider_nanguan")
    worker = make_user(Role.PROVIDER_WORKER, "220102", "stats", username="provider_worker_nanguan")
    for seq in range(1, 13):
        people.person_register(actor=county, data=person_input("220102001001", seq=seq))
    out = StringIO()
    today = timezone.localdate()
    demo.load(out, today=today)
    assert "3 家服务商" in out.getvalue()
    assert Provider.objects.count() == 3 and Facility.objects.count() == 2
    states = set(ServiceOrder.objects.values_list("status", flat=True))
    assert states == set(OrderStatus.values)
    s = Settlement.objects.get()
    assert s.status == SettlementStatus.APPROVED and s.approved_by_id != s.created_by_id
    assert s.total_entitlement > 0 and s.lines_refused == 1
    mine = selectors.orders(worker)
    assert mine.exists() and {o.provider.name for o in mine if o.provider} == {
        "南关区安康居家养老服务中心（演示）"
    }
    demo.load(StringIO(), today=today)
    assert Provider.objects.count() == 3
