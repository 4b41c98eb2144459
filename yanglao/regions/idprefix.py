"""Which 6-digit address codes may start an ID number (GB 11643-1999 §6.1).

Current county codes nationwide, the city-level codes and their 市辖区 (XXXX01) forms that
early numbers carry, and the retired codes we know of. Unknown is a warning, never a
rejection, because the list of retired codes is incomplete.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from yanglao.regions.services import BUNDLED


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    known: set[str] = set()
    for name in ("china-counties.csv", "jilin.csv", "historical-id-prefixes.csv"):
        with (BUNDLED / name).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                code = row["code"].strip()
                if len(code) == 6:
                    known.add(code)
                elif len(code) == 4:  # a city: XXXX00 and its 市辖区 XXXX01
                    known.update({code + "00", code + "01"})
                elif len(code) == 2:
                    known.add(code + "0000")
    # Residence permits of Hong Kong, Macao and Taiwan residents (GB 11643 style numbers).
    known.update({"810000", "820000", "830000"})
    return frozenset(known)


def is_known_prefix(prefix6: str) -> bool:
    return prefix6 in _known()
