"""The rows the migrations seeded survive the flush that ends every transactional test."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from yanglao.community.models import CatalogueItem
from yanglao.feedback.models import ResponsePolicy
from yanglao.reporting.models import DataSet
from yanglao.visits.models import FrequencyRule

SEEDED_MODELS = (FrequencyRule, CatalogueItem, ResponsePolicy, DataSet)


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in SEEDED_MODELS}


@pytest.mark.django_db(transaction=True)
def test_flush_then_restore_puts_back_every_seeded_row(request: pytest.FixtureRequest) -> None:
    from django.db import connection

    from conftest import SEEDED

    before = _counts()
    assert all(before.values()), before  # the migrations seeded each of them
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
    assert not any(_counts().values())
    connection.creation.deserialize_db_from_string(SEEDED["default"])
    assert _counts() == before


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_may_empty_the_seeds() -> None:
    FrequencyRule.objects.all().delete()  # the flush at its end does the same


@pytest.mark.django_db
def test_seeds_are_there_for_every_later_test() -> None:
    # Whatever ran before (in random order, often a transactional or browser test), the
    # national visit frequencies and the catalogues are in place.
    assert FrequencyRule.objects.filter(region=None).exists()
    assert CatalogueItem.objects.exists()
    assert DataSet.objects.exists()
