"""Statistical region codes (统计用区划代码) as a materialised path. Pure functions.

2/4/6/9/12 digits for province/city/county/township/village, zero-padded to 12 on the
right. A node's subtree is the contiguous code range [prefix000…, prefix999…], which one
B-tree index serves on SQLite and PostgreSQL alike (DESIGN principle 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE = 1, 2, 3, 4, 5
PREFIX_LEN = {PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12}
LEVEL_BY_LEN = {v: k for k, v in PREFIX_LEN.items()}
LEVEL_NAMES = {
    "province": PROVINCE,
    "city": CITY,
    "county": COUNTY,
    "township": TOWNSHIP,
    "village": VILLAGE,
}

# Village names carry many official suffixes (村委会, 社区居民委员会 …); users want the short name.
_SUFFIXES = ("社区居民委员会", "社区居委会", "村民委员会", "居民委员会", "村委会", "居委会")


def pad(code: str) -> str:
    """'2201' -> '220100000000'."""
    code = code.strip()
    # isascii: str.isdigit() also accepts Arabic-Indic, full-width and other digits.
    if not (code.isascii() and code.isdigit()) or len(code) not in LEVEL_BY_LEN:
        raise ValueError(f"不是有效的统计用区划代码：{code!r}")
    return code.ljust(12, "0")


def level_of(code12: str) -> int:
    """Level of a padded code, read from where the trailing zeros start."""
    for level in (VILLAGE, TOWNSHIP, COUNTY, CITY):
        length = PREFIX_LEN[level]
        if code12[PREFIX_LEN[level - 1] : length].strip("0"):
            return level
    return PROVINCE


def prefix(code12: str, level: int | None = None) -> str:
    return code12[: PREFIX_LEN[level or level_of(code12)]]


def subtree_range(code12: str, level: int | None = None) -> tuple[str, str]:
    """Inclusive [low, high] of every code under (and including) this node."""
    p = prefix(code12, level)
    return p.ljust(12, "0"), p.ljust(12, "9")


def subtree_runs(
    chosen: Iterable[str], universe: Sequence[str], level: int
) -> list[tuple[str, str]]:
    """Inclusive [low, high] ranges covering the subtrees of `chosen` nodes (all of `level`),
    one per run of nodes consecutive in `universe` (every node of that level, sorted): the
    same people as one range per node, in as few comparisons as the runs. A node of the
    universe not chosen ends a run, so no unchosen subtree falls inside a range (a gap
    between two consecutive nodes of one level holds no code of that level's subtrees)."""
    wanted = set(chosen)
    runs: list[tuple[str, str]] = []
    start: str | None = None
    last: str | None = None
    for node in sorted(set(universe) | wanted):
        if node in wanted:
            start = start or node
            last = node
        elif start is not None and last is not None:
            runs.append((subtree_range(start, level)[0], subtree_range(last, level)[1]))
            start = last = None
    if start is not None and last is not None:
        runs.append((subtree_range(start, level)[0], subtree_range(last, level)[1]))
    return runs


def contains(ancestor12: str, code12: str, ancestor_level: int | None = None) -> bool:
    low, high = subtree_range(ancestor12, ancestor_level)
    return low <= code12 <= high


def ancestor_codes(code12: str, level: int | None = None) -> list[str]:
    """Padded codes of the province … parent of this node, top first."""
    lvl = level or level_of(code12)
    return [code12[: PREFIX_LEN[i]].ljust(12, "0") for i in range(PROVINCE, lvl)]


def short_name(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name
