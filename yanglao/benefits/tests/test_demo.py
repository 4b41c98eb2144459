"""The benefits demo data (`yanglao demo`): every entitlement has a plausible payment
account, so the demo's draft roll can be approved and exported (issue #10 part 3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.utils import timezone

from yanglao.accounts.roles import Role
from yanglao.benefits import demo, services
from yanglao.benefits.models import Entitlement, Roll
from yanglao.core import crypto
from yanglao.people.models import Person

pytestmark = pytest.mark.django_db


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


@pytest.mark.parametrize("n", [0, 1, 7, 99, 123_456, 999_999_999_999])
def test_demo_account_is_a_plausible_card_number(n: int) -> None:
    account = demo.demo_account(n)
    assert len(account) == 19 and account.startswith("621700") and luhn_ok(account)
    assert demo.demo_account(n) != demo.demo_account(n + 1)


def test_demo_roll_can_be_approved(
    regions: None, make_user: Callable[..., Any], make_person: Callable[..., Person]
) -> None:
    make_user(Role.COUNTY_OFFICER, "220102", username="county_nanguan")
    make_user(Role.TOWNSHIP_OFFICER, "220102001", username="township_nanling")
    make_user(Role.VISIT_WORKER, "220102001001", username="village_nanling")
    for i in range(6):  # receiving (another village) and applying (the worker's village)
        make_person(date(1935, 1, 1 + i), village="220102001002", name="高龄甲")
        make_person(date(1936, 2, 1 + i), village="220102001001", name="高龄乙")
    out = StringIO()
    demo.load(out)
    assert "名册草稿" in out.getvalue()
    ents = list(Entitlement.objects.all())
    assert len(ents) >= 5
    for e in ents:
        account = crypto.decrypt(e.account_cipher)
        assert luhn_ok(account) and e.account_masked == f"{account[:4]}****{account[-4:]}"
    month = timezone.localdate().replace(day=1)
    draft = Roll.objects.get(month=month)
    county = make_user(Role.COUNTY_OFFICER, "220102", username="county_check")
    approved = services.roll_approve(actor=county, roll=draft)
    assert approved.status == "approved"
    sheet = services.roll_export_rows(actor=county, roll=approved)
    assert sheet.rows and all(row[3] for row in sheet.rows)
