import pytest

from yanglao.regions import codes


@pytest.mark.parametrize(
    ("code", "padded", "level"),
    [
        ("22", "220000000000", codes.PROVINCE),
        ("2201", "220100000000", codes.CITY),
        ("220102", "220102000000", codes.COUNTY),
        ("220102001", "220102001000", codes.TOWNSHIP),
        ("220102001001", "220102001001", codes.VILLAGE),
        ("220171", "220171000000", codes.COUNTY),  # NBS development zone
    ],
)
def test_pad_and_level(code: str, padded: str, level: int) -> None:
    assert codes.pad(code) == padded
    assert codes.level_of(padded) == level


@pytest.mark.parametrize("bad", ["", "2", "22010", "2201020011", "abc", "22010200100a"])
def test_pad_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="区划代码"):
        codes.pad(bad)


def test_subtree_is_a_contiguous_range() -> None:
    low, high = codes.subtree_range("220102000000")
    assert (low, high) == ("220102000000", "220102999999")
    assert codes.contains("220102000000", "220102001001")
    assert not codes.contains("220102000000", "220103001001")
    # A township with code 100 must not swallow township 010's neighbours by prefix mistakes.
    assert codes.subtree_range("220102010000", codes.TOWNSHIP) == ("220102010000", "220102010999")


def test_level_given_explicitly_for_zero_ending_codes() -> None:
    # Village 220102001000 does not exist in NBS data, but a township whose code ends in 0
    # (…010) needs the level to be known rather than guessed.
    assert codes.prefix("220102010000", codes.TOWNSHIP) == "220102010"


def test_ancestors_and_short_names() -> None:
    assert codes.ancestor_codes("220102001001") == [
        "220000000000",
        "220100000000",
        "220102000000",
        "220102001000",
    ]
    assert codes.short_name("华阳社区居民委员会") == "华阳"
    assert codes.short_name("永安村村委会") == "永安村"
    assert codes.short_name("村委会") == "村委会"
