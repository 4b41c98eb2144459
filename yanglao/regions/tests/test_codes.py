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


UNIVERSE = ["220102", "220103", "220104", "220184", "220202", "220203"]


@pytest.mark.parametrize(
    ("chosen", "runs"),
    [
        ([], []),
        (["220103"], [("220103000000", "220103999999")]),
        (
            ["220102", "220103", "220104", "220202", "220203"],  # all but 220184
            [("220102000000", "220104999999"), ("220202000000", "220203999999")],
        ),
        (UNIVERSE, [("220102000000", "220203999999")]),
        (
            ["220102", "220104"],  # 220103 between them is not chosen
            [("220102000000", "220102999999"), ("220104000000", "220104999999")],
        ),
        (
            ["220203", "220102"],
            [("220102000000", "220102999999"), ("220203000000", "220203999999")],
        ),
        # A chosen node missing from the universe still counts (never silently dropped).
        (["220105"], [("220105000000", "220105999999")]),
    ],
)
def test_subtree_runs(chosen: list[str], runs: list[tuple[str, str]]) -> None:
    assert codes.subtree_runs(chosen, UNIVERSE, codes.COUNTY) == runs


def test_subtree_runs_cover_exactly_the_chosen_subtrees() -> None:
    chosen = ["220102", "220104", "220184", "220202"]
    runs = codes.subtree_runs(chosen, UNIVERSE, codes.COUNTY)
    for county in UNIVERSE:
        for village in (county + "001001", county + "999999"):
            inside = any(low <= village <= high for low, high in runs)
            assert inside is (county in chosen), village
