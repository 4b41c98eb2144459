import pytest

from yanglao.community.catalogue import CATALOGUE
from yanglao.community.choices import ServiceCategory, Unit
from yanglao.community.models import CatalogueItem

pytestmark = pytest.mark.django_db


def test_catalogue_is_seeded_with_every_gbt43153_category() -> None:
    assert CatalogueItem.objects.count() == len(CATALOGUE)
    seen = set(CatalogueItem.objects.values_list("category", flat=True))
    assert seen == set(ServiceCategory.values)


def test_seed_uses_only_known_units_and_unique_codes() -> None:
    assert {s.unit for s in CATALOGUE} <= set(Unit.values)
    assert len({s.code for s in CATALOGUE}) == len(CATALOGUE)
