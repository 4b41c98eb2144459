"""Deterministic synthetic older population for demos and benchmarks.

Two halves:

* `PopulationGenerator` is pure Python (no ORM): from a list of villages, a seed and a
  reference date it yields `PersonRow`s in plain text. The same seed, villages and date give
  the same people, names, ID numbers and tags.
* `write_population` encrypts the identifiers exactly as `people.services` does and writes the
  rows in batches (COPY on PostgreSQL, executemany on SQLite), one transaction per batch; the
  crypto runs once per batch over lists (`crypto.encrypt_many`, `lookup_hash_many`). On
  PostgreSQL the rows are formatted as COPY text here (`core.bulk.CopyText`), all but the
  audit rows, which `core.chain` hashes from their values.
* `write_population_parallel` (PostgreSQL, from PARALLEL_FROM people: the bench and large
  demos) splits the people by ID area code (`plan_chunks`), each chunk with its own seed, and
  runs the chunks in several processes, each COPYing its own rows over its own connection;
  into empty tables it drops the secondary indexes and constraints first and builds them once
  at the end (`deferred_indexes`). Deterministic given seed, villages and date whatever the
  number of processes (not the same people as the one-stream `people()` for the same seed).

Shapes used (all approximate; sources in /work/shared/data/census/jilin-2020.json):

* 60+ by city: Jilin 7th census, 60+ = 23.06% of 24,073,453; 长春 20.85% and 白山 25.33%
  (secondary sources); the other cities share the remainder (≈24.3%).
* Age: 60–64 ≈ 32.3% of the 60+ (65+ = 15.61% of the population, i.e. 67.7% of the 60+);
  80+ ≈ 13.6% of the 60+ (national stand-in; Jilin figure not found). The split inside
  65–79 and 80+ follows national 2020 census proportions as recalled (unconfirmed).
* Sex: women ≈ half at 60–64, an increasing majority after 75 (no Jilin figure by age found).
* Urban/rural: about 55–60% of the older people assumed to live in urban communities
  (社区/居委会); Jilin's urban share was 62.64% (unconfirmed) and rural areas are older.
* Ethnicity: 朝鲜族 concentrated in 延边 (2224) and 长白 (220623), 满族 in 伊通 (220323),
  蒙古族 in 前郭 (220721); province minorities 8.67% of all ages (confirmed).

Everything else (education, marital status, living arrangement, category tags) is a
plausible guess tuned to the proportions in the demo brief, not a statistic.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from faker.providers.person.zh_CN import Provider as _FakerZhCN

from yanglao.core.bulk import BackgroundWriter, CopyText, adapt
from yanglao.core.idnumber import CHECK_CHARS, WEIGHTS
from yanglao.people.choices import (
    Category,
    Education,
    IncomeSource,
    LifeStatus,
    LivingArrangement,
    MaritalStatus,
    MedicalPayment,
    Relation,
    Sex,
    TagSource,
)
from yanglao.people.rules import age_on, birth_range_for_age, years_before
from yanglao.regions import codes

# ---------------------------------------------------------------------------------------------
# Reference shapes
# ---------------------------------------------------------------------------------------------

PROVINCE_TOTAL = 24_073_453
PROVINCE_60_PLUS = 5_551_338  # 23.06%
# Resident population by city (7th census, secondary sources). 梅河口 (220581, reported
# separately) is coded under 通化 2205, so it is added there.
CITY_TOTAL: dict[str, int] = {
    "2201": 9_066_906,
    "2202": 3_623_713,
    "2203": 1_814_733,
    "2204": 996_903,
    "2205": 1_302_778 + 509_336,
    "2206": 951_866,
    "2207": 2_252_994,
    "2208": 1_551_378,
    "2224": 1_941_700,
}
CITY_60_PLUS_KNOWN: dict[str, int] = {"2201": 1_890_450, "2206": 241_108}


def _city_60_plus() -> dict[str, float]:
    rest_total = PROVINCE_TOTAL - sum(CITY_TOTAL[c] for c in CITY_60_PLUS_KNOWN)
    rest_old = PROVINCE_60_PLUS - sum(CITY_60_PLUS_KNOWN.values())
    share = rest_old / rest_total  # ≈ 0.243
    return {c: float(CITY_60_PLUS_KNOWN.get(c, t * share)) for c, t in CITY_TOTAL.items()}


CITY_60_PLUS = _city_60_plus()
# Share of a city's older people living in urban communities (assumption, see module doc).
URBAN_SHARE = {"2201": 0.60}
URBAN_SHARE_DEFAULT = 0.55

# Share of the 60+ by five-year band (see module doc); sums to 100.
AGE_BAND_SHARE: list[tuple[int, int, float]] = [
    (60, 64, 32.3),
    (65, 69, 26.0),
    (70, 74, 16.9),
    (75, 79, 11.2),
    (80, 84, 7.7),
    (85, 89, 4.2),
    (90, 94, 1.35),
    (95, 99, 0.30),
    (100, 105, 0.05),
]
FEMALE_SHARE: list[tuple[int, float]] = [  # (from age, share of women)
    (60, 0.495),
    (65, 0.505),
    (70, 0.515),
    (75, 0.535),
    (80, 0.565),
    (85, 0.61),
    (90, 0.67),
    (95, 0.73),
    (100, 0.78),
]
MAX_AGE = 105
PINNED_PER_VILLAGE = 30
DEFAULT_SEED = 20260101


# Couples registered together add a spouse of the other sex, usually 2–3 years apart, which
# pulls each age band's sex ratio towards 1:1. People are therefore drawn from the shares
# below, calibrated by simulation (200,000 people, three rounds) so that the population
# *including* the added spouses matches AGE_BAND_SHARE and FEMALE_SHARE.
AGE_DRAW_SHARE: list[tuple[int, int, float]] = [
    (60, 64, 33.375),
    (65, 69, 25.28),
    (70, 74, 16.258),
    (75, 79, 10.953),
    (80, 84, 7.869),
    (85, 89, 4.442),
    (90, 94, 1.453),
    (95, 99, 0.318),
    (100, 105, 0.051),
]
FEMALE_DRAW_SHARE: list[tuple[int, float]] = [
    (60, 0.47),
    (65, 0.521),
    (70, 0.543),
    (75, 0.567),
    (80, 0.605),
    (85, 0.651),
    (90, 0.742),
    (95, 0.801),
    (100, 0.906),
]


def single_year_weights(bands: Sequence[tuple[int, int, float]]) -> list[tuple[int, float]]:
    """Per-year weights: each band declines geometrically towards the next one's level."""
    out: list[tuple[int, float]] = []
    for i, (low, high, share) in enumerate(bands):
        years = high - low + 1
        nxt = bands[i + 1][2] if i + 1 < len(bands) else share * 0.2
        ratio = (nxt / share) ** (1 / years)
        raw = [ratio**k for k in range(years)]
        total = sum(raw)
        out.extend((low + k, share * r / total) for k, r in enumerate(raw))
    return out


def _band(age: int) -> int:
    """0: 60–69, 1: 70–79, 2: 80–89, 3: 90+."""
    return min((age - 60) // 10, 3)


# Ethnicity code weights by area; the first matching prefix wins.
ETHNICITY_BY_AREA: list[tuple[str, dict[str, float]]] = [
    ("2224", {"10": 0.33, "11": 0.015, "03": 0.003}),  # 延边朝鲜族自治州
    ("220623", {"10": 0.14, "11": 0.03}),  # 长白朝鲜族自治县
    ("220323", {"11": 0.38, "10": 0.004, "03": 0.004}),  # 伊通满族自治县
    ("220721", {"02": 0.08, "11": 0.02, "03": 0.008, "10": 0.004}),  # 前郭尔罗斯蒙古族自治县
    ("2207", {"02": 0.015, "11": 0.015, "03": 0.006, "10": 0.006}),
    ("2208", {"02": 0.015, "11": 0.015, "03": 0.006, "10": 0.006}),
    ("2205", {"11": 0.03, "10": 0.015, "03": 0.004}),
    ("2206", {"11": 0.03, "10": 0.02, "03": 0.003}),
    ("", {"11": 0.013, "10": 0.009, "02": 0.004, "03": 0.005}),
]

# ---------------------------------------------------------------------------------------------
# Names. Surname frequencies come from Faker's zh_CN table; Faker's given names are those of
# people born after 1970 (婷婷, 鑫 …) and its name_male() mixes in women's names, so older
# people get given names of their generation below and Faker's serve for their children.
# ---------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


# North-east China has more 于, 孙, 赵, 姜, 高 … than the national table suggests.
_NE_BOOST = {
    "于": 3.0,
    "孙": 1.6,
    "赵": 1.5,
    "姜": 2.0,
    "高": 1.3,
    "徐": 1.3,
    "马": 1.2,
    "董": 1.4,
    "曲": 4.0,
    "关": 3.0,
    "佟": 5.0,
    "隋": 4.0,
    "鞠": 4.0,
    "王": 1.2,
}
HAN_SURNAMES: list[tuple[str, float]] = [
    (s, w * _NE_BOOST.get(s, 1.0)) for s, w in _FakerZhCN.last_names.items()
]
OLD_MALE_GIVEN = _words(
    "建国 建华 建军 建平 建民 国华 国庆 国强 国栋 国良 志强 志刚 志明 志国 德明 德才 德胜 德福 "
    "宝山 宝林 宝华 宝贵 振华 振国 振江 长林 长海 长春 长福 长山 玉林 玉山 玉成 玉明 文华 文明 "
    "文斌 金山 金良 金生 凤山 凤林 凤岐 永福 永生 永祥 永贵 永发 殿臣 殿文 殿武 树林 树森 树华 "
    "树山 庆林 庆祥 庆云 学文 学良 春生 春林 春山 福林 福山 福全 广德 广才 广林 洪涛 海山 海林 "
    "贵 福 明 军 华 林 成 文 东 平 刚 强 忠 海 山 发 财 义 和 正 兴 仁 久 立 彬 武 斌 勇 杰 "
    "景山 景林 景文 连生 连成 铁军 铁柱 有才 有福 万福 万山 占山 占林 守信 守仁 继红 继东 卫东 "
    "卫国 向东 跃进 胜利 援朝 抗美 亚军 红军 立新 立国 新民 维民 士杰 世昌 中华 汉臣 恩普"
)
OLD_FEMALE_GIVEN = _words(
    "秀英 秀兰 桂英 玉兰 桂兰 秀珍 玉梅 玉珍 凤英 玉英 兰英 淑珍 春梅 冬梅 秀荣 桂珍 秀云 桂荣 "
    "秀梅 玉华 淑兰 秀芳 淑英 桂芳 丽华 桂香 淑华 秀华 桂芝 金凤 桂花 凤兰 淑琴 淑芬 淑芳 淑贤 "
    "玉芝 玉凤 玉霞 凤芝 凤琴 凤霞 素珍 素芬 素梅 翠兰 翠英 翠芝 亚琴 丽君 秀琴 桂琴 金兰 金英 "
    "春兰 春华 艳华 凤云 玉清 玉洁 淑清 淑云 淑杰 淑敏 淑娟 淑霞 秀芝 秀清 秀娟 桂云 桂霞 桂梅 "
    "凤珍 凤芹 凤霞 玉琴 玉香 玉荣 玉芬 丽娟 丽英 彩霞 彩云 美兰 美华 美玲 红 英 华 珍 兰 芬 "
    "琴 霞 荣 萍 敏 杰 云 香 兰芝 兰香 书琴 素云 素华 雅芹 亚芬 桂荣 德兰 德珍 国英 国华 秀娥"
)
KOREAN_SURNAMES: list[tuple[str, float]] = [
    ("金", 22),
    ("李", 15),
    ("朴", 12),
    ("崔", 8),
    ("郑", 5),
    ("姜", 4),
    ("赵", 3),
    ("尹", 3),
    ("张", 3),
    ("韩", 3),
    ("申", 2),
    ("吴", 2),
    ("权", 2),
    ("许", 2),
    ("黄", 2),
    ("安", 2),
    ("宋", 2),
    ("全", 2),
    ("洪", 2),
    ("柳", 1),
    ("南", 1),
    ("玄", 1),
    ("俞", 1),
    ("千", 1),
    ("池", 1),
    ("方", 1),
    ("文", 1),
    ("徐", 1),
    ("林", 1),
    ("孔", 1),
]
KOREAN_MALE_GIVEN = _words(
    "哲洙 成哲 永哲 明哲 光浩 龙洙 昌浩 承范 东哲 京浩 相浩 永植 龙日 昌植 万洙 正浩 英哲 钟元 "
    "虎林 春植 光哲 成浩 基哲 泰洙 明洙 光日 英男 东植 昌洙 在浩"
)
KOREAN_FEMALE_GIVEN = _words(
    "顺子 英子 玉顺 贞淑 英淑 顺姬 贞子 春子 明淑 花子 顺玉 今顺 福子 善花 玉子 英爱 贞爱 明花 "
    "京子 春花 英顺 顺女 福顺 贞顺 明子 玉淑 英姬 善子 今子 春姬"
)
MONGOL_MALE = _words(
    "巴特尔 乌力吉 巴图 额尔敦 朝鲁 布和 宝音 那顺 吉日嘎拉 满都拉 白音 孟和 阿拉坦 特木尔"
)
MONGOL_FEMALE = _words(
    "其其格 萨仁 乌云 托娅 高娃 斯琴高娃 娜仁 图雅 苏日娜 塔娜 乌兰 格日勒 萨仁高娃"
)
MONGOL_SURNAMES: list[tuple[str, float]] = [
    ("包", 5),
    ("白", 4),
    ("鲍", 2),
    ("韩", 2),
    ("吴", 2),
    ("陈", 1),
    ("何", 1),
    ("金", 1),
]
HUI_SURNAMES: list[tuple[str, float]] = [
    ("马", 35),
    ("杨", 8),
    ("白", 6),
    ("李", 6),
    ("王", 6),
    ("张", 6),
    ("刘", 5),
    ("金", 5),
    ("丁", 4),
    ("哈", 2),
    ("沙", 2),
    ("回", 2),
    ("穆", 2),
    ("米", 1),
]
MANCHU_SURNAMES: list[tuple[str, float]] = [
    ("关", 8),
    ("佟", 6),
    ("那", 5),
    ("赵", 6),
    ("富", 3),
    ("金", 4),
    ("肖", 4),
    ("罗", 3),
    ("白", 3),
    ("付", 4),
    ("何", 3),
    ("唐", 3),
    ("依", 2),
    ("鄂", 2),
    ("洪", 2),
]
CHILD_MALE_GIVEN: list[str] = list(_FakerZhCN.first_names_male)
CHILD_FEMALE_GIVEN: list[str] = list(_FakerZhCN.first_names_female)

# Mobile number blocks of the three carriers.
MOBILE_PREFIXES = _words(
    "130 131 132 133 134 135 136 137 138 139 145 147 150 151 152 153 155 156 157 158 159 166 "
    "173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 198 199"
)
COMPOUNDS = _words(
    "幸福小区 阳光小区 和平小区 建设小区 民主小区 新华小区 胜利小区 东盛小区 兴华小区 铁路小区 "
    "电力小区 教师公寓 锦绣家园 阳光花园 盛世名城 万科城 御景园 丽景花园 南湖小区 光明小区 "
    "红旗小区 工农小区 永安小区 富民小区 春城家园 江南小区 北山小区 朝阳小区 长青小区 龙园小区"
)
DISABILITY_GRADES: list[tuple[str, float]] = [
    ("轻度", 0.45),
    ("中度", 0.28),
    ("重度", 0.17),
    ("完全", 0.10),
]
# Certified disabilities (残疾人证) of older people: kind (GB/T 26341 digit) and grade (1–4).
# Plausible shares (physical, hearing and visual dominate among older people); illustrative.
CERTIFIED_KINDS: list[tuple[str, float]] = [
    ("4", 0.42),  # 肢体
    ("2", 0.20),  # 听力
    ("1", 0.16),  # 视力
    ("7", 0.10),  # 多重
    ("6", 0.06),  # 精神
    ("5", 0.04),  # 智力
    ("3", 0.02),  # 言语
]
CERTIFIED_GRADES: list[tuple[str, float]] = [("1", 0.12), ("2", 0.20), ("3", 0.30), ("4", 0.38)]

# ---------------------------------------------------------------------------------------------
# Villages
# ---------------------------------------------------------------------------------------------

_PARENS = re.compile(r"（[^）]*）|\([^)]*\)")
_URBAN_SUFFIXES = ("社区", "居委会", "居民委员会")
_PLACE_ENDINGS = ("村", "屯", "区", "场", "站", "队", "所", "点", "局", "会")


@dataclass(frozen=True, slots=True)
class Village:
    """A current level-5 region as the generator needs it."""

    code: str
    label: str  # short name as used in addresses
    township: str  # township name as used in addresses
    urban: bool
    estate: bool  # forestry or farm living area (生活区)
    weight: float


def is_urban(name: str) -> bool:
    return _PARENS.sub("", name).endswith(_URBAN_SUFFIXES)


def id_area_code(village_code: str) -> str:
    """The 6-digit ID address code of a village: its county, or for the NBS development zones
    (5th digit 7, e.g. 220171, not a GB/T 2260 code) the city's 市辖区 code XXXX01."""
    county = village_code[:6]
    if county[4] == "7":
        return county[:4] + "01"
    return county


def make_villages(
    rows: Iterable[tuple[str, str, str]], *, seed: int = DEFAULT_SEED
) -> list[Village]:
    """Villages with sampling weights from (code12, name, township name) rows.

    Each city's 60+ count is split between urban communities and rural villages by
    URBAN_SHARE, equally within each kind, times a seeded size factor so villages differ.
    """
    raw = sorted(rows)
    size_rng = random.Random(f"{seed}:village-size")
    counts: dict[tuple[str, bool], int] = {}
    for code, name, _ in raw:
        key = (code[:4], is_urban(name))
        counts[key] = counts.get(key, 0) + 1
    out: list[Village] = []
    for code, name, township in raw:
        city, urban = code[:4], is_urban(name)
        old = CITY_60_PLUS.get(city, min(CITY_60_PLUS.values()))
        share = URBAN_SHARE.get(city, URBAN_SHARE_DEFAULT)
        has_both = counts.get((city, not urban), 0) > 0
        part = (share if urban else 1 - share) if has_both else 1.0
        weight = old * part / counts[(city, urban)] * size_rng.lognormvariate(0, 0.35)
        clean = _PARENS.sub("", name)
        label = codes.short_name(clean)
        estate = label.endswith("生活区")
        if not urban and not label.endswith(_PLACE_ENDINGS):
            label += "村"
        out.append(
            Village(
                code=code,
                label=label,
                township=_PARENS.sub("", township),
                urban=urban,
                estate=estate,
                weight=weight,
            )
        )
    return out


def load_villages(*, seed: int = DEFAULT_SEED) -> list[Village]:
    """All current villages in the database."""
    from yanglao.regions.models import Region

    rows = Region.objects.filter(level=codes.VILLAGE, valid_to__isnull=True).values_list(
        "code", "name", "parent__name"
    )
    return make_villages(((c, n, t or "") for c, n, t in rows), seed=seed)


# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class HouseholdRow:
    index: int  # 0-based within this run; the writer maps it to a database id
    public_id: uuid.UUID
    region_id: str
    household_no: str
    address: str


@dataclass(slots=True)
class TagRow:
    category: str
    start_date: date
    grade: str = ""


@dataclass(slots=True)
class DisabilityRow:
    kind: str
    grade: str
    issue_date: date


@dataclass(slots=True)
class ContactRow:
    name: str
    relation: str
    phone: str


@dataclass(slots=True)
class PersonRow:
    """One person in clear text; the writer encrypts id_number and phones."""

    index: int
    public_id: uuid.UUID
    name: str
    sex: str
    birth_date: date
    ethnicity: str
    id_number: str
    education: str
    living_arrangement: list[str]
    marital_status: str
    medical_payment: list[str]
    income_sources: list[str]
    region_id: str
    address: str
    phone: str
    household: HouseholdRow | None = None
    tags: list[TagRow] = field(default_factory=list)
    contacts: list[ContactRow] = field(default_factory=list)
    household_region_id: str = ""  # 户籍地; blank = region_id
    dwelling: str = "home"
    disability: DisabilityRow | None = None
    dementia_on: date | None = None  # 失智 diagnosed (医院诊断)


def _plain(choices: type[Any]) -> Any:
    """Member values as plain str: rows carry no enum objects into the database drivers."""
    return SimpleNamespace(**{m.name: str(m.value) for m in choices})


_C, _E, _Inc, _L = (
    _plain(Category),
    _plain(Education),
    _plain(IncomeSource),
    _plain(LivingArrangement),
)
_M, _MS, _R, _S = _plain(MedicalPayment), _plain(MaritalStatus), _plain(Relation), _plain(Sex)


_FLOORS = (1, 2, 3, 4, 5, 6, 7)
_FLOOR_CUM = list(itertools.accumulate((18, 18, 17, 16, 14, 12, 5)))


def _choice(rng: random.Random, seq: Sequence[Any]) -> Any:
    """rng.choice without its bit draws (random() scaled: the same distribution)."""
    return seq[int(rng.random() * len(seq))]


def _birth_part(birth: date) -> tuple[str, int, int]:
    """(YYYYMMDD, ordinal, its share of the GB 11643 check sum: positions 7–14)."""
    text = f"{birth:%Y%m%d}"
    return (
        text,
        birth.toordinal(),
        sum(int(d) * w for d, w in zip(text, WEIGHTS[6:14], strict=True)),
    )


WeightTable = tuple[tuple[tuple[str, float], ...], float]


def _items(weights: dict[str, float]) -> WeightTable:
    """A weight table for PopulationGenerator._weighted_items: (key, weight) pairs in order
    and their sum (summed in the same order as _weighted's sum(weights.values()))."""
    return tuple(weights.items()), sum(weights.values())


def _cum(weights: Sequence[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    items = [k for k, _ in weights]
    return items, list(itertools.accumulate(w for _, w in weights))


class PopulationGenerator:
    """Builds people one by one from a seeded random.Random; no database access."""

    def __init__(
        self,
        villages: Sequence[Village],
        *,
        seed: int,
        today: date,
        pinned: Sequence[str] = (),
        pinned_per_village: int = PINNED_PER_VILLAGE,
        couple_share: float = 0.30,
        residence: Sequence[Village] | None = None,
    ) -> None:
        """`residence`: the villages people live in (default all); 户籍 elsewhere is drawn
        from all `villages` (a chunk of a parallel run lives in one ID area code)."""
        if not villages:
            raise ValueError("没有可用的村（社区）")
        self.villages = list(villages)
        self.by_code = {v.code: v for v in self.villages}
        missing = [c for c in pinned if c not in self.by_code]
        if missing:
            raise ValueError(f"指定的村（社区）不存在：{', '.join(missing)}")
        self.pinned = list(pinned)
        self.pinned_per_village = pinned_per_village
        self.couple_share = couple_share
        self.today = today
        self.rng = random.Random(seed)
        self._village_cum = list(itertools.accumulate(v.weight for v in self.villages))
        self.residence = list(residence) if residence else self.villages
        self._residence_cum = list(itertools.accumulate(v.weight for v in self.residence))
        self._birth_spans: dict[int, tuple[int, int]] = {}
        self._id_birth: dict[date, tuple[str, int, int]] = {}
        self._id_area: dict[str, tuple[int, int]] = {}
        self._ages, self._age_cum = _cum(single_year_weights(AGE_DRAW_SHARE))
        self._female = [  # by age: the share of the last band starting at or below it
            next(s for low, s in reversed(FEMALE_DRAW_SHARE) if low <= max(a, 60))
            for a in range(MAX_AGE + 1)
        ]
        self._han = _cum(HAN_SURNAMES)
        self._korean = _cum(KOREAN_SURNAMES)
        self._mongol = _cum(MONGOL_SURNAMES)
        self._hui = _cum(HUI_SURNAMES)
        self._manchu = _cum(MANCHU_SURNAMES)
        self._grades = _cum(DISABILITY_GRADES)
        self._certified_kinds = _cum(CERTIFIED_KINDS)
        self._certified_grades = _cum(CERTIFIED_GRADES)
        self._ethnicity_cache: dict[str, tuple[list[str], list[float]]] = {}
        self._minority_surnames = {"02": self._mongol, "03": self._hui, "11": self._manchu}
        self._living_tables: dict[tuple[bool, bool, bool], WeightTable] = {}
        self._education_tables: dict[tuple[float, ...], WeightTable] = {}
        self._compounds: dict[str, list[str]] = {}
        self._used_ids: set[int] = set()
        self._household_no: dict[str, int] = {}
        self._households = 0

    # -- small helpers -------------------------------------------------------------------

    def _pick(self, table: tuple[list[Any], list[float]]) -> Any:
        items, cum = table
        return items[bisect.bisect_right(cum, self.rng.random() * cum[-1])]

    def _weighted(self, weights: dict[str, float]) -> str:
        return self._weighted_items(_items(weights))

    def _weighted_items(self, table: WeightTable) -> str:
        items, total = table
        r = self.rng.random() * total
        for key, w in items:
            r -= w
            if r < 0:
                return key
        return key

    def _village(self) -> Village:
        cum = self._village_cum
        return self.villages[bisect.bisect_right(cum, self.rng.random() * cum[-1])]

    def _residence_village(self) -> Village:
        cum = self._residence_cum
        return self.residence[bisect.bisect_right(cum, self.rng.random() * cum[-1])]

    def _int(self, low: int, high: int) -> int:
        """A uniform integer in low..high (random() is faster than randint's bit draws)."""
        return low + int(self.rng.random() * (high - low + 1))

    def _age(self) -> int:
        return int(self._pick((self._ages, self._age_cum)))

    def _birth_date(self, age: int) -> date:
        span = self._birth_spans.get(age)
        if span is None:
            earliest, latest = birth_range_for_age(age, age, self.today)
            assert earliest is not None
            span = (earliest.toordinal(), latest.toordinal())
            self._birth_spans[age] = span
        return date.fromordinal(self._int(*span))

    def _ethnicity(self, code: str) -> str:
        table = self._ethnicity_cache.get(code[:6])
        if table is None:
            weights = next(w for prefix, w in ETHNICITY_BY_AREA if code.startswith(prefix))
            full = {"01": 1.0 - sum(weights.values()), **weights}
            table = _cum(list(full.items()))
            self._ethnicity_cache[code[:6]] = table
        return str(self._pick(table))

    def _name(self, sex: str, ethnicity: str) -> str:
        rng = self.rng
        male = sex == _S.MALE
        if ethnicity == "10":
            given = KOREAN_MALE_GIVEN if male else KOREAN_FEMALE_GIVEN
            return str(self._pick(self._korean)) + _choice(rng, given)
        if ethnicity == "02" and rng.random() < 0.5:
            return _choice(rng, MONGOL_MALE if male else MONGOL_FEMALE)
        table = self._minority_surnames.get(ethnicity)
        if table is None or rng.random() < 0.4:
            table = self._han
        return str(self._pick(table)) + _choice(rng, OLD_MALE_GIVEN if male else OLD_FEMALE_GIVEN)

    def _child_name(self, surname: str, male: bool) -> str:
        return surname + _choice(self.rng, CHILD_MALE_GIVEN if male else CHILD_FEMALE_GIVEN)

    def _mobile(self) -> str:
        rng = self.rng
        return _choice(rng, MOBILE_PREFIXES) + f"{int(rng.random() * 100_000_000):08d}"

    def _id_number(self, area: str, birth: date, sex: str) -> str:
        # As make_id_number: sequence 0..499 with the sex digit, unique within this run; the
        # GB 11643 check sum of the area and the birth date is cached, only the sequence is
        # added per person.
        area_int, area_sum = self._id_area.get(area) or self._id_area.setdefault(
            area, (int(area), sum(int(d) * w for d, w in zip(area, WEIGHTS[:6], strict=True)))
        )
        birth_text, ordinal, birth_sum = self._id_birth.get(birth) or self._id_birth.setdefault(
            birth, _birth_part(birth)
        )
        base = (area_int * 1_000_000 + ordinal) * 1000
        male = 1 if sex == _S.MALE else 0
        while True:
            third = int(self.rng.random() * 500) * 2 + male
            if base + third not in self._used_ids:
                self._used_ids.add(base + third)
                total = (
                    area_sum
                    + birth_sum
                    + (third // 100) * WEIGHTS[14]
                    + (third // 10 % 10) * WEIGHTS[15]
                    + (third % 10) * WEIGHTS[16]
                )
                return f"{area}{birth_text}{third:03d}{CHECK_CHARS[total % 11]}"

    def _address(self, v: Village) -> str:
        rng = self.rng
        if v.urban:
            compounds = self._compounds.get(v.code)
            if compounds is None:
                local = random.Random(v.code)
                compounds = local.sample(COMPOUNDS, 3)
                self._compounds[v.code] = compounds
            floor = _FLOORS[bisect.bisect_right(_FLOOR_CUM, rng.random() * _FLOOR_CUM[-1])]
            r = rng.random  # uniform integers as _int draws them, in the same order
            compound = compounds[int(r() * 3)]
            block, unit = 1 + int(r() * 24), 1 + int(r() * 6)
            return f"{v.label}{compound}{block}栋{unit}单元{floor}{1 + int(r() * 4):02d}室"
        r = rng.random
        row = 1 + int(r() * 12)
        if v.estate:
            return f"{v.township}{v.label}{row}排{1 + int(r() * 30)}号"
        return f"{v.township}{v.label}{row}组{1 + int(r() * 80)}号"

    def _start_date(self, birth: date, *, years_back: int, min_age: int = 60) -> date:
        low = max(years_before(birth, -min_age), years_before(self.today, years_back))
        high = self.today - timedelta(days=30)
        if low >= high:
            return high if high >= birth else self.today
        return date.fromordinal(self._int(low.toordinal(), high.toordinal()))

    # -- attributes -------------------------------------------------------------------------

    def _marital(self, age: int, sex: str, urban: bool) -> str:
        rng = self.rng
        female = sex == _S.FEMALE
        widowed = (
            (0.12, 0.19, 0.32, 0.46, 0.62, 0.75, 0.85)
            if female
            else (0.05, 0.07, 0.12, 0.19, 0.30, 0.42, 0.56)
        )[min((age - 60) // 5, 6)]
        divorced = 0.03 if age < 70 else 0.02 if age < 80 else 0.01
        unmarried = 0.005 if female else (0.025 if urban else 0.045)
        r = rng.random()
        if r < widowed:
            return _MS.WIDOWED
        r -= widowed
        if r < divorced:
            return _MS.DIVORCED
        r -= divorced
        if r < unmarried:
            return _MS.UNMARRIED
        if r - unmarried < 0.004:
            return _MS.UNSTATED
        return _MS.MARRIED

    def _living(self, marital: str, age: int, dependent: bool) -> list[str]:
        rng = self.rng
        L = _L
        if marital == _MS.MARRIED:
            r = rng.random()
            if r < 0.53:
                return [L.SPOUSE]
            if r < 0.94:
                return [L.CHILDREN, L.SPOUSE]
            if r < 0.97:
                return [L.RELATIVES, L.SPOUSE]
            return [L.NON_RELATIVES, L.SPOUSE]
        key = (dependent, age >= 85, marital == _MS.UNMARRIED)
        table = self._living_tables.get(key)
        if table is None:
            alone = 0.0 if dependent else (0.50 if age < 85 else 0.38)
            weights = {
                L.ALONE: alone,
                L.CHILDREN: 0.38,
                L.RELATIVES: 0.04,
                L.SIBLINGS: 0.08 if marital == _MS.UNMARRIED else 0.02,
                L.INSTITUTION: (0.25 if dependent else 0.04) + (0.08 if age >= 85 else 0.0),
                L.NON_RELATIVES: 0.02,
            }
            table = self._living_tables[key] = _items(weights)
        return [self._weighted_items(table)]

    def _education(self, age: int, female: bool, urban: bool) -> str:
        E = _E
        tables = (
            (0.12, 0.30, 0.36, 0.17, 0.02),
            (0.06, 0.20, 0.38, 0.28, 0.05),
            (0.02, 0.10, 0.33, 0.40, 0.12),
            (0.01, 0.05, 0.20, 0.44, 0.27),
            (0.005, 0.02, 0.08, 0.38, 0.49),
        )
        idx = (0 if urban else 1) + (1 if female and age >= 70 else 0) + (age >= 75) + (age >= 85)
        t = tables[min(idx, 4)]
        if self.rng.random() < 0.03:
            return E.UNKNOWN
        table = self._education_tables.get(t)
        if table is None:
            table = self._education_tables[t] = _items(
                {
                    E.COLLEGE: t[0],
                    E.SENIOR: t[1],
                    E.JUNIOR: t[2],
                    E.PRIMARY: t[3],
                    E.ILLITERATE: t[4],
                }
            )
        return self._weighted_items(table)

    def _medical(self, urban: bool, education: str, assisted: bool) -> list[str]:
        rng = self.rng
        M = _M
        out: set[str] = set()
        r = rng.random()
        if urban:
            out.add(
                M.EMPLOYEE_INSURANCE
                if r < 0.55
                else M.RESIDENT_INSURANCE
                if r < 0.98
                else M.SELF_PAID
            )
            if education == _E.COLLEGE and rng.random() < 0.15:
                out.add(M.PUBLIC_MEDICAL)
            elif M.EMPLOYEE_INSURANCE in out and rng.random() < 0.05:
                out.add(
                    M.CIVIL_SERVANT_SUBSIDY if rng.random() < 0.5 else M.ENTERPRISE_SUPPLEMENTARY
                )
        else:
            out.add(
                M.RESIDENT_INSURANCE
                if r < 0.93
                else M.EMPLOYEE_INSURANCE
                if r < 0.98
                else M.SELF_PAID
            )
        if M.SELF_PAID not in out and rng.random() < 0.25:
            out.add(M.CRITICAL_ILLNESS)
        if assisted and rng.random() < 0.8:
            out.add(M.MEDICAL_ASSISTANCE)
        return sorted(out)

    def _income(self, age: int, urban: bool, assisted: bool, with_children: bool) -> list[str]:
        rng = self.rng
        Inc = _Inc
        out: set[str] = set()
        if rng.random() < (0.95 if urban else 0.90):
            out.add(Inc.PENSION)
        if rng.random() < (0.35 if urban else 0.55) + (0.15 if with_children else 0.0):
            out.add(Inc.CHILDREN)
        if assisted or (age >= 80 and rng.random() < 0.9) or rng.random() < 0.04:
            out.add(Inc.STATE_SUBSIDY)
        if rng.random() < (0.35 if urban else 0.15):
            out.add(Inc.SAVINGS)
        if rng.random() < 0.04:
            out.add(Inc.RELATIVES)
        if rng.random() < 0.03 or not out:
            out.add(Inc.OTHER)
        return sorted(out)

    # -- people -----------------------------------------------------------------------------

    def _person(
        self,
        index: int,
        village: Village,
        *,
        age: int | None = None,
        sex: str | None = None,
        spouse_of: PersonRow | None = None,
    ) -> PersonRow:
        rng = self.rng
        C = _C
        if age is None:
            age = self._age()
        if sex is None:
            sex = _S.FEMALE if rng.random() < self._female[age] else _S.MALE
        birth = self._birth_date(age)
        female = sex == _S.FEMALE
        ethnicity = self._ethnicity(village.code)
        if spouse_of is not None and spouse_of.ethnicity != "01" and rng.random() < 0.7:
            ethnicity = spouse_of.ethnicity
        name = self._name(sex, ethnicity)
        tags: list[TagRow] = []

        # 失能 first: it shapes where the person lives.
        band = _band(age)
        disabled = rng.random() < (0.018, 0.045, 0.11, 0.25)[band]
        grade = str(self._pick(self._grades)) if disabled else ""
        dependent = grade in {"重度", "完全"}
        if spouse_of is not None:
            marital = _MS.MARRIED
            living = list(spouse_of.living_arrangement)
        else:
            marital = self._marital(age, sex, village.urban)
            living = self._living(marital, age, dependent)
        with_children = _L.CHILDREN in living

        if disabled:
            tags.append(TagRow(C.DISABLED, self._start_date(birth, years_back=4), grade))
        disability = None
        if rng.random() < 0.03 + (0.08 if disabled else 0.0):
            disability = DisabilityRow(
                str(self._pick(self._certified_kinds)),
                str(self._pick(self._certified_grades)),
                self._start_date(birth, years_back=12),
            )
        dementia_on = None
        if rng.random() < (0.004, 0.015, 0.05, 0.10)[band]:
            dementia_on = self._start_date(birth, years_back=6)
        severe = disability is not None and disability.grade in ("1", "2")
        if living == [_L.ALONE]:
            tags.append(TagRow(C.LIVING_ALONE, self._start_date(birth, years_back=8)))

        inherited = {t.category: t for t in spouse_of.tags} if spouse_of is not None else {}
        household_level = (
            C.EMPTY_NEST,
            C.LEFT_BEHIND,
            C.MINIMUM_LIVING,
            C.MARGINAL_LOW_INCOME,
            C.BEREAVED_FAMILY,
        )
        if spouse_of is not None:
            tags.extend(
                TagRow(c, inherited[c].start_date) for c in household_level if c in inherited
            )
        else:
            if living == [_L.SPOUSE] and rng.random() < 0.60:
                tags.append(TagRow(C.EMPTY_NEST, self._start_date(birth, years_back=10)))
            if not village.urban and not with_children and rng.random() < 0.20:
                tags.append(TagRow(C.LEFT_BEHIND, self._start_date(birth, years_back=6)))
            if age < 85 and not with_children and rng.random() < 0.0085:
                tags.append(
                    TagRow(C.BEREAVED_FAMILY, self._start_date(birth, years_back=10, min_age=49))
                )
        poverty = ""
        if (
            spouse_of is None
            and not with_children
            and marital != _MS.MARRIED
            and (rng.random() < (0.40 if marital == _MS.UNMARRIED else 0.05))
        ):
            poverty = C.EXTREME_POVERTY
        elif spouse_of is not None:
            poverty = next(
                (c for c in (C.MINIMUM_LIVING, C.MARGINAL_LOW_INCOME) if c in inherited), ""
            )
        else:
            factor = 2.0 if disabled or severe else 1.0
            r = rng.random()
            low = (0.022 if village.urban else 0.055) * factor
            if r < low:
                poverty = C.MINIMUM_LIVING
            elif r < low + (0.012 if village.urban else 0.018):
                poverty = C.MARGINAL_LOW_INCOME
        if poverty and spouse_of is None:
            tags.append(TagRow(poverty, self._start_date(birth, years_back=8)))
        assisted = poverty in {C.EXTREME_POVERTY, C.MINIMUM_LIVING}

        education = self._education(age, female, village.urban)
        phone = self._mobile() if rng.random() < (0.92, 0.85, 0.70, 0.50)[band] else ""
        if spouse_of is not None:
            address = spouse_of.address
            household = spouse_of.household
            hukou = spouse_of.household_region_id
        else:
            address = self._address(village)
            household = None
            # 户籍 elsewhere: more common in towns (people who moved to children or for work).
            hukou = ""
            if rng.random() < (0.08 if village.urban else 0.03):
                hukou = self._village().code
        person = PersonRow(
            index=index,
            public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            name=name,
            sex=sex,
            birth_date=birth,
            ethnicity=ethnicity,
            id_number=self._id_number(id_area_code(village.code), birth, sex),
            education=education,
            living_arrangement=sorted(living) if len(living) > 1 else living,
            marital_status=marital,
            medical_payment=self._medical(village.urban, education, assisted),
            income_sources=self._income(age, village.urban, assisted, with_children),
            region_id=village.code,
            address=address,
            phone=phone,
            household=household,
            tags=sorted(tags, key=lambda t: t.category) if len(tags) > 1 else tags,
            household_region_id=hukou,
            dwelling="institution" if _L.INSTITUTION in living else "home",
            disability=disability,
            dementia_on=dementia_on,
        )
        if rng.random() < 0.5:
            person.contacts.append(self._contact(person, spouse_of))
        return person

    def _contact(self, p: PersonRow, spouse: PersonRow | None) -> ContactRow:
        rng = self.rng
        r = rng.random()
        married = p.marital_status == _MS.MARRIED
        if married and r < 0.12:
            if spouse is not None:
                name = spouse.name
            else:
                name = self._name(_S.MALE if p.sex == _S.FEMALE else _S.FEMALE, p.ethnicity)
            return ContactRow(name, _R.SPOUSE, self._mobile())
        if r < 0.80:
            son = rng.random() < 0.55
            surname = (
                p.name[0]
                if (p.sex == _S.MALE and son) or rng.random() < 0.3
                else str(self._pick(self._han))
            )
            return ContactRow(self._child_name(surname, son), _R.CHILD, self._mobile())
        if r < 0.90:
            return ContactRow(
                self._child_name(p.name[0], rng.random() < 0.5), _R.RELATIVE, self._mobile()
            )
        if r < 0.97:
            return ContactRow(
                self._child_name(str(self._pick(self._han)), rng.random() < 0.3),
                _R.COMMITTEE,
                self._mobile(),
            )
        return ContactRow(
            self._child_name(str(self._pick(self._han)), rng.random() < 0.5),
            _R.OTHER,
            self._mobile(),
        )

    def _spouse_age(self, p: PersonRow, age: int) -> int:
        gap = round(self.rng.gauss(2.5, 3.0))
        return age - gap if p.sex == _S.MALE else age + gap

    def people(self, n: int) -> Iterator[PersonRow]:
        """Yield n people: pinned villages first (PINNED_PER_VILLAGE each), then the rest."""
        pinned = [
            self.by_code[c]
            for c in self.pinned
            for _ in range(min(self.pinned_per_village, n // max(len(self.pinned), 1)))
        ]
        index = 0
        while index < n:
            village = pinned[index] if index < len(pinned) else self._residence_village()
            p = self._person(index, village)
            index += 1
            spouse_age = self._spouse_age(p, age_on(p.birth_date, self.today))
            couple = (
                index < n
                and p.marital_status == _MS.MARRIED
                and _L.SPOUSE in p.living_arrangement
                and self.rng.random() < self.couple_share
                and 60 <= spouse_age <= MAX_AGE
            )
            if not couple:
                yield p
                continue
            p.household = self._new_household(village, p.address)
            yield p
            sex = _S.FEMALE if p.sex == _S.MALE else _S.MALE
            yield self._person(index, village, age=spouse_age, sex=sex, spouse_of=p)
            index += 1

    def _new_household(self, village: Village, address: str) -> HouseholdRow:
        number = self._household_no.get(village.code, 0) + 1
        self._household_no[village.code] = number
        row = HouseholdRow(
            index=self._households,
            public_id=uuid.UUID(int=self.rng.getrandbits(128), version=4),
            region_id=village.code,
            household_no=f"{village.code[6:9]}{number:06d}",
            address=address,
        )
        self._households += 1
        return row


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

PERSON_COLUMNS = (
    "id",
    "public_id",
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "id_number_cipher",
    "id_number_hash",
    "id_number_masked",
    "education",
    "living_arrangement",
    "marital_status",
    "medical_payment",
    "income_sources",
    "region_id",
    "address",
    "phone_cipher",
    "phone_hash",
    "phone_masked",
    "household_id",
    "household_region_id",
    "dwelling",
    "life_status",
    "status_date",
    "status_reason",
    "version",
    "created_at",
    "updated_at",
    "created_by_id",
    "search_keys",
    "id_tail",
    "phone_tail",
)
HOUSEHOLD_COLUMNS = ("id", "public_id", "region_id", "household_no", "address")
AUDIT_COLUMNS = (
    "occurred_at",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "region_code",
    "changes",
    "actor_username",
    "request_id",
)
AUDIT_CONSTANT = ('{"via": "generator"}', "", "")

TAG_COLUMNS = (
    "person_id",
    "category",
    "grade",
    "start_date",
    "end_date",
    "source",
    "note",
    "created_at",
    "created_by_id",
)
CONTACT_COLUMNS = ("person_id", "position", "name", "relation", "phone_cipher", "phone_masked")
DISABILITY_COLUMNS = (
    "person_id",
    "kind",
    "grade",
    "certificate_cipher",
    "certificate_masked",
    "issue_date",
    "start_date",
    "end_date",
    "source",
    "note",
    "created_at",
    "created_by_id",
)
DEMENTIA_COLUMNS = (
    "person_id",
    "diagnosed_on",
    "source",
    "reference",
    "end_date",
    "note",
    "created_at",
    "created_by_id",
)
BATCH_SIZE = 20_000


@dataclass
class WriteReport:
    people: int = 0
    households: int = 0
    tags: int = 0
    contacts: int = 0
    disabilities: int = 0
    dementia: int = 0
    tag_counts: dict[str, int] = field(default_factory=dict)
    build_seconds: float = 0.0  # pure generation
    encrypt_seconds: float = 0.0  # AES-GCM, HMAC and masking
    write_seconds: float = 0.0  # database
    index_seconds: float = 0.0  # building the deferred indexes after a parallel load
    worker_cpu_seconds: float = 0.0  # CPU of the worker processes (not PostgreSQL's)
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.people / self.seconds if self.seconds else 0.0


@dataclass
class _Batch:
    """One batch's rows per table: tuples of adapted values, or on PostgreSQL lines of COPY
    text (all but the audit rows, which core.chain hashes from their values)."""

    people: list[Any] = field(default_factory=list)
    households: list[Any] = field(default_factory=list)
    tags: list[Any] = field(default_factory=list)
    contacts: list[Any] = field(default_factory=list)
    audit: list[tuple[Any, ...]] = field(default_factory=list)
    disabilities: list[Any] = field(default_factory=list)
    dementia: list[Any] = field(default_factory=list)


class _Writer:
    def __init__(
        self,
        now: datetime,
        *,
        person_start: int | None = None,
        household_start: int | None = None,
    ) -> None:
        from django.db import connection

        from yanglao.core.models import AuditEvent
        from yanglao.people.models import (
            Dementia,
            Disability,
            EmergencyContact,
            Household,
            Person,
            PersonCategory,
        )

        self.connection = connection
        self.pg = connection.vendor == "postgresql"
        self.tables = {
            "person": Person._meta.db_table,
            "household": Household._meta.db_table,
            "tag": PersonCategory._meta.db_table,
            "contact": EmergencyContact._meta.db_table,
            "audit": AuditEvent._meta.db_table,
            "disability": Disability._meta.db_table,
            "dementia": Dementia._meta.db_table,
        }
        self.models = [Person, Household]
        self.bg = BackgroundWriter()
        self.now: Any = now if self.pg else connection.ops.adapt_datetimefield_value(now)
        if person_start is None or household_start is None:
            person_start, household_start = _next_ids()
        self.person_start, self.household_start = person_start, household_start
        self.seen_households: set[int] = set()
        self.copy_names: dict[str, tuple[str, str]] = {}  # name -> COPY text of it, its keys
        self._tails: dict[str, int | None] = {}

    def uuid(self, value: uuid.UUID) -> Any:
        return adapt(value)

    def date(self, value: date | None) -> Any:
        return adapt(value)

    def tail_index(self, masked: str) -> int | None:
        """people.models.tail_index: it depends only on the last four characters, so at
        most 10,000 keyed hashes per run (cached per writer: the keys do not change)."""
        from yanglao.people.models import tail_index

        tail = masked[-4:] if len(masked) >= 4 else ""
        bucket = self._tails.get(tail, -1)
        if bucket == -1:
            bucket = self._tails[tail] = tail_index(tail)
        return bucket

    def write(self, batch: _Batch) -> None:
        """One transaction per batch; on PostgreSQL in a writer thread, so the next batch
        is generated and encrypted while this one is copied."""
        self.bg.submit(
            *(
                (
                    self.tables[table],
                    columns,
                    _copy_text(rows),
                )
                for table, columns, rows in (
                    ("household", HOUSEHOLD_COLUMNS, batch.households),
                    ("person", PERSON_COLUMNS, batch.people),
                    ("tag", TAG_COLUMNS, batch.tags),
                    ("contact", CONTACT_COLUMNS, batch.contacts),
                    ("audit", AUDIT_COLUMNS, batch.audit),
                    ("disability", DISABILITY_COLUMNS, batch.disabilities),
                    ("dementia", DEMENTIA_COLUMNS, batch.dementia),
                )
                if rows
            )
        )

    def finish(self) -> None:
        """Wait for the writer; move the id sequences past the ids written explicitly."""
        self.bg.close()
        self.reset_sequences()

    def reset_sequences(self) -> None:
        _reset_sequences()


def _copy_text(rows: list[Any]) -> Any:
    """Lines of COPY text (from `_encode` on PostgreSQL) as one CopyText; tuples as given."""
    return CopyText("".join(rows)) if rows and isinstance(rows[0], str) else rows


def _next_ids() -> tuple[int, int]:
    """The first free person and household ids (after the largest written)."""
    from yanglao.people.models import Household, Person

    return (
        (Person.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1,
        (Household.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1,
    )


def _reset_sequences() -> None:
    """Move the id sequences past the ids written explicitly."""
    from django.core.management.color import no_style
    from django.db import connection

    from yanglao.people.models import Household, Person

    statements = connection.ops.sequence_reset_sql(no_style(), [Person, Household])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def write_population(
    people: Iterable[PersonRow],
    *,
    now: datetime,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[WriteReport], None] | None = None,
    person_start: int | None = None,
    household_start: int | None = None,
) -> WriteReport:
    """Encrypt and insert, one transaction per batch. Identifiers are stored exactly as
    people.services stores them (ciphertext, keyed hash, masked form), with the search
    columns of people.search. Crypto runs once per batch over lists (crypto.encrypt_many).
    `person_start`/`household_start`: the first ids (default: after the largest).

    The cyclic garbage collector is paused meanwhile: a batch holds ~10^6 young objects
    (rows, strings, tuples) and no reference cycles, so the collections it would trigger
    free nothing and cost about a quarter of the generation's CPU (measured: 75 µs per
    person generated and encoded with it, 54 without). Memory is freed by reference
    counting as before; the collector is restored (and runs later) afterwards."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        return _write_population(people, now, batch_size, progress, person_start, household_start)
    finally:
        if collecting:
            gc.enable()


def _write_population(
    people: Iterable[PersonRow],
    now: datetime,
    batch_size: int,
    progress: Callable[[WriteReport], None] | None,
    person_start: int | None,
    household_start: int | None,
) -> WriteReport:
    w = _Writer(now, person_start=person_start, household_start=household_start)
    report = WriteReport()
    started = time.perf_counter()
    iterator = iter(people)
    while True:
        t0 = time.perf_counter()
        chunk = list(itertools.islice(iterator, batch_size))
        t1 = time.perf_counter()
        report.build_seconds += t1 - t0
        if not chunk:
            break
        batch = _encode(w, chunk, report)
        report.encrypt_seconds += time.perf_counter() - t1
        _flush(w, batch, report, progress)
    t2 = time.perf_counter()
    w.finish()
    report.write_seconds += time.perf_counter() - t2
    report.seconds = time.perf_counter() - started
    return report


def _secrets(
    chunk: list[PersonRow],
) -> tuple[list[str], list[str], list[str], list[str], Iterator[str], Iterator[str]]:
    """One batch's ciphertexts and keyed hashes, each kind in one call over a list (as
    people.services stores them): ID and phone (cipher, hash), then iterators over the
    contacts' phones and the disability certificates in the order the rows are built."""
    from yanglao.core import crypto

    ids = [p.id_number for p in chunk]
    phones = [p.phone for p in chunk]
    contacts = crypto.encrypt_many([c.phone for p in chunk for c in p.contacts])
    certificates = crypto.encrypt_many(
        [
            f"{p.id_number}{p.disability.kind}{p.disability.grade}"
            for p in chunk
            if p.disability is not None
        ]
    )
    return (
        crypto.encrypt_many(ids),
        crypto.lookup_hash_many(ids),
        crypto.encrypt_many(phones),
        crypto.lookup_hash_many(phones),
        iter(contacts),
        iter(certificates),
    )


def _encode(w: _Writer, chunk: list[PersonRow], report: WriteReport) -> _Batch:
    """The database rows of one batch of people: on PostgreSQL COPY text lines (the audit
    rows stay tuples: core.chain hashes their values), on SQLite tuples (`_encode_rows`).
    The stored values are the same either way, and those of people.services."""
    if not w.pg:
        return _encode_rows(w, chunk, report)
    from yanglao.core import crypto, idnumber
    from yanglao.core.bulk import copy_escape as esc

    batch = _Batch()
    alive, demo = LifeStatus.ALIVE.value, TagSource.DEMO.value
    id_cipher, id_hash, phone_cipher, phone_hash, contact_cipher, cert_cipher = _secrets(chunk)
    mask_phone, mask_id, tail_index, now = crypto.mask_phone, idnumber.mask, w.tail_index, w.now
    now_text, names, lists = now.isoformat(), w.copy_names, _COPY_LISTS
    people, households, tags = batch.people, batch.households, batch.tags
    contacts, audit, seen = batch.contacts, batch.audit, w.seen_households
    tag_counts = report.tag_counts
    person_start, household_start = w.person_start, w.household_start
    for i, p in enumerate(chunk):
        pid = person_start + p.index
        household_id: int | str = "\\N"
        h = p.household
        if h is not None:
            household_id = household_start + h.index
            if h.index not in seen:
                seen.add(h.index)
                households.append(
                    f"{household_id}\t{h.public_id.int:032x}\t{h.region_id}\t"
                    f"{esc(h.household_no)}\t{esc(h.address)}\n"
                )
        name = p.name
        name_text, keys_text = names.get(name) or _copy_name(names, name)
        id_number, phone = p.id_number, p.phone
        id_masked = mask_id(id_number)
        phone_masked = mask_phone(phone) if phone else ""
        living, medical, income = (
            tuple(p.living_arrangement),
            tuple(p.medical_payment),
            tuple(p.income_sources),
        )
        people.append(
            f"{pid}\t{p.public_id.int:032x}\t{name_text}\t{p.sex}\t{p.birth_date}\t"
            f"{p.ethnicity}\t{id_cipher[i]}\t{id_hash[i]}\t{id_masked}\t{p.education}\t"
            f"{lists.get(living) or _copy_list(living)}\t{p.marital_status}\t"
            f"{lists.get(medical) or _copy_list(medical)}\t"
            f"{lists.get(income) or _copy_list(income)}\t{p.region_id}\t{esc(p.address)}\t"
            f"{phone_cipher[i]}\t{phone_hash[i]}\t{phone_masked}\t{household_id}\t"
            f"{p.household_region_id or p.region_id}\t{p.dwelling}\t{alive}\t\\N\t\t1\t"
            f"{now_text}\t{now_text}\t\\N\t{keys_text}\t"
            f"{_copy_int(tail_index(id_masked))}\t{_copy_int(tail_index(phone_masked))}\n"
        )
        for t in p.tags:
            tags.append(
                f"{pid}\t{t.category}\t{esc(t.grade)}\t{t.start_date}\t\\N\t{demo}\t\t"
                f"{now_text}\t\\N\n"
            )
            tag_counts[t.category] = tag_counts.get(t.category, 0) + 1
        d = p.disability
        if d is not None:
            batch.disabilities.append(
                f"{pid}\t{d.kind}\t{d.grade}\t{next(cert_cipher)}\t{id_masked}{d.kind}{d.grade}\t"
                f"{d.issue_date}\t{d.issue_date}\t\\N\t{demo}\t\t{now_text}\t\\N\n"
            )
        if p.dementia_on is not None:
            batch.dementia.append(f"{pid}\t{p.dementia_on}\thospital\t\t\\N\t\t{now_text}\t\\N\n")
        for position, c in enumerate(p.contacts, start=1):
            contacts.append(
                f"{pid}\t{position}\t{esc(c.name)}\t{c.relation}\t{next(contact_cipher)}\t"
                f"{mask_phone(c.phone)}\n"
            )
        # One audit row per person with its own region (DESIGN "One writer per table").
        audit.append(
            (
                now,
                "person.bulk_create",
                "person",
                str(p.public_id),
                name,
                p.region_id,
                *AUDIT_CONSTANT,
            )
        )
    return batch


def _copy_int(value: int | None) -> str:
    return "\\N" if value is None else str(value)


def _copy_name(cache: dict[str, tuple[str, str]], name: str) -> tuple[str, str]:
    """A name and its search keys as COPY text (few distinct names: cached per writer)."""
    from yanglao.core.bulk import copy_escape
    from yanglao.people.search import search_keys

    pair = cache[name] = (copy_escape(name), copy_escape(search_keys(name)))
    return pair


_COPY_LISTS: dict[tuple[str, ...], str] = {}


def _copy_list(values: tuple[str, ...]) -> str:
    """A list of choice values as jsonb COPY text (a few dozen distinct lists: cached)."""
    from yanglao.core.bulk import copy_escape

    text = _COPY_LISTS[values] = copy_escape(json.dumps(list(values)))
    return text


def _encode_rows(w: _Writer, chunk: list[PersonRow], report: WriteReport) -> _Batch:
    """SQLite: the rows of one batch as tuples of adapted values."""
    from yanglao.core import crypto, idnumber
    from yanglao.people.search import search_keys

    tail_index = w.tail_index
    batch = _Batch()
    alive, demo = LifeStatus.ALIVE.value, TagSource.DEMO.value
    id_cipher, id_hash, phone_cipher, phone_hash, contact_cipher, cert_cipher = _secrets(chunk)
    mask_phone, mask_id, uuid_, date_, now = crypto.mask_phone, idnumber.mask, w.uuid, w.date, w.now
    for i, p in enumerate(chunk):
        pid = w.person_start + p.index
        household_id = None
        if p.household is not None:
            h = p.household
            household_id = w.household_start + h.index
            if h.index not in w.seen_households:
                w.seen_households.add(h.index)
                batch.households.append(
                    (household_id, uuid_(h.public_id), h.region_id, h.household_no, h.address)
                )
        id_masked, phone_masked = mask_id(p.id_number), mask_phone(p.phone)
        batch.people.append(
            (
                pid,
                uuid_(p.public_id),
                p.name,
                p.sex,
                date_(p.birth_date),
                p.ethnicity,
                id_cipher[i],
                id_hash[i],
                id_masked,
                p.education,
                _json_list(p.living_arrangement),
                p.marital_status,
                _json_list(p.medical_payment),
                _json_list(p.income_sources),
                p.region_id,
                p.address,
                phone_cipher[i],
                phone_hash[i],
                phone_masked,
                household_id,
                p.household_region_id or p.region_id,
                p.dwelling,
                alive,
                None,
                "",
                1,
                now,
                now,
                None,
                search_keys(p.name),
                tail_index(id_masked),
                tail_index(phone_masked),
            )
        )
        for t in p.tags:
            batch.tags.append(
                (pid, t.category, t.grade, date_(t.start_date), None, demo, "", now, None)
            )
            report.tag_counts[t.category] = report.tag_counts.get(t.category, 0) + 1
        if p.disability is not None:
            d = p.disability
            issued = date_(d.issue_date)
            batch.disabilities.append(
                (
                    pid,
                    d.kind,
                    d.grade,
                    next(cert_cipher),
                    id_masked + d.kind + d.grade,
                    issued,
                    issued,
                    None,
                    demo,
                    "",
                    now,
                    None,
                )
            )
        if p.dementia_on is not None:
            batch.dementia.append((pid, date_(p.dementia_on), "hospital", "", None, "", now, None))
        for position, c in enumerate(p.contacts, start=1):
            batch.contacts.append(
                (pid, position, c.name, c.relation, next(contact_cipher), mask_phone(c.phone))
            )
        # One audit row per person with its own region (DESIGN "One writer per table").
        batch.audit.append(
            (
                now,
                "person.bulk_create",
                "person",
                str(p.public_id),
                p.name,
                p.region_id,
                *AUDIT_CONSTANT,
            )
        )
    return batch


_JSON_LISTS: dict[tuple[str, ...], str] = {}


def _json_list(values: list[str]) -> str:
    """json.dumps of a short list of choice values (a few dozen distinct lists: cached)."""
    key = tuple(values)
    text = _JSON_LISTS.get(key)
    if text is None:
        text = _JSON_LISTS[key] = json.dumps(values)
    return text


# ---------------------------------------------------------------------------------------------
# Parallel generation (PostgreSQL): one chunk per ID area code, several processes
# ---------------------------------------------------------------------------------------------

PARALLEL_FROM = 200_000  # below this many people one process is as fast


@dataclass(frozen=True)
class Chunk:
    """The people of one ID area code (a county, or a city's development zones): generated
    from their own seed, so the result does not depend on how many processes run."""

    area: str
    quota: int
    offset: int  # people before this chunk: its ids start at person_start + offset
    residence: tuple[Village, ...]
    pinned: tuple[str, ...]


def plan_chunks(villages: Sequence[Village], n: int, pinned: Sequence[str] = ()) -> list[Chunk]:
    """Split n people over the ID area codes by village weight (largest remainder), each
    chunk's ids after the previous ones'."""
    areas: dict[str, list[Village]] = {}
    for v in villages:
        areas.setdefault(id_area_code(v.code), []).append(v)
    total = sum(v.weight for v in villages)
    keys = sorted(areas)
    exact = {a: n * sum(v.weight for v in areas[a]) / total for a in keys}
    quota = {a: int(exact[a]) for a in keys}
    for a in sorted(keys, key=lambda a: (quota[a] - exact[a], a))[: n - sum(quota.values())]:
        quota[a] += 1
    chunks: list[Chunk] = []
    offset = 0
    for a in keys:
        chunks.append(
            Chunk(
                a,
                quota[a],
                offset,
                tuple(areas[a]),
                tuple(c for c in pinned if id_area_code(c) == a),
            )
        )
        offset += quota[a]
    return chunks


def _run_chunk(
    args: tuple[Chunk, Sequence[Village] | None, int, date, datetime, int, int, int],
) -> WriteReport:
    chunk, villages, seed, today, now, batch_size, person_start, household_start = args
    if villages is None:  # the parent's, inherited through fork (not pickled per chunk)
        villages = _FORKED_VILLAGES
    gen = PopulationGenerator(
        villages, seed=seed, today=today, pinned=chunk.pinned, residence=chunk.residence
    )
    gen.rng = random.Random(f"{seed}:{chunk.area}")
    # Households never outnumber people: a chunk's household ids fit in its people's range.
    return write_population(
        gen.people(chunk.quota),
        now=now,
        batch_size=batch_size,
        person_start=person_start + chunk.offset,
        household_start=household_start + chunk.offset,
    )


_FORKED_VILLAGES: list[Village] = []


def _warm_name_caches() -> None:
    """Before forking: load pypinyin's dictionary and the initials of every character the
    person names are made of (people.search caches them per process), once in the parent
    rather than once per worker (~1 s of CPU each)."""
    from yanglao.people.search import initials

    tables: list[Iterable[str]] = [
        (s for s, _ in HAN_SURNAMES),
        (s for s, _ in KOREAN_SURNAMES),
        (s for s, _ in MONGOL_SURNAMES),
        (s for s, _ in HUI_SURNAMES),
        (s for s, _ in MANCHU_SURNAMES),
        OLD_MALE_GIVEN,
        OLD_FEMALE_GIVEN,
        KOREAN_MALE_GIVEN,
        KOREAN_FEMALE_GIVEN,
        MONGOL_MALE,
        MONGOL_FEMALE,
    ]
    for ch in {ch for table in tables for name in table for ch in name}:
        initials(ch)


def write_population_parallel(
    villages: Sequence[Village],
    n: int,
    *,
    seed: int,
    today: date,
    now: datetime,
    workers: int = 2,
    pinned: Sequence[str] = (),
    batch_size: int = BATCH_SIZE,
    progress: Callable[[WriteReport], None] | None = None,
) -> WriteReport:
    """Generate and write n people in `workers` processes, each COPYing its own chunks over
    its own connection (PostgreSQL). Deterministic given seed, villages and today, whatever
    the number of workers. Ids are those of write_population from the current maxima;
    household ids have gaps (each chunk reserves as many as it has people)."""
    import resource

    # The workers are forked (_parallel) and find the villages here: pickling all of them
    # with each of ~64 chunks cost ~40 ms in the parent and again in a worker per chunk.
    _FORKED_VILLAGES[:] = villages
    _warm_name_caches()
    person_start, household_start = _next_ids()
    chunks = sorted(plan_chunks(villages, n, pinned), key=lambda c: -c.quota)
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = WriteReport()
    jobs: list[tuple[Chunk, Sequence[Village] | None, int, date, datetime, int, int, int]] = [
        (c, None, seed, today, now, batch_size, person_start, household_start)
        for c in chunks
        if c.quota
    ]
    import signal

    def interrupted(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # so that deferred_indexes restores the schema on SIGTERM

    import threading

    if threading.current_thread() is not threading.main_thread():
        return _parallel(jobs, workers, started, before, total, progress)
    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        return _parallel(jobs, workers, started, before, total, progress)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _parallel(
    jobs: list[tuple[Chunk, Sequence[Village] | None, int, date, datetime, int, int, int]],
    workers: int,
    started: float,
    before: Any,
    total: WriteReport,
    progress: Callable[[WriteReport], None] | None,
) -> WriteReport:
    import multiprocessing
    import resource
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from django.db import connections

    with deferred_indexes(_bulk_tables()) as deferred:
        connections.close_all()  # children must not share the parent's socket
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for future in as_completed([pool.submit(_run_chunk, job) for job in jobs]):
                r = future.result()
                for name in (
                    "people",
                    "households",
                    "tags",
                    "contacts",
                    "disabilities",
                    "dementia",
                ):
                    setattr(total, name, getattr(total, name) + getattr(r, name))
                for key, value in r.tag_counts.items():
                    total.tag_counts[key] = total.tag_counts.get(key, 0) + value
                total.build_seconds += r.build_seconds
                total.encrypt_seconds += r.encrypt_seconds
                total.write_seconds += r.write_seconds
                if progress is not None:
                    progress(total)
        t = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    total.worker_cpu_seconds = (after.ru_utime - before.ru_utime) + (
        after.ru_stime - before.ru_stime
    )
    total.index_seconds = time.perf_counter() - t if deferred else 0.0
    _reset_sequences()
    total.seconds = time.perf_counter() - started
    return total


def _bulk_tables() -> list[str]:
    from yanglao.core.models import AuditEvent
    from yanglao.people.models import (
        Dementia,
        Disability,
        EmergencyContact,
        Household,
        Person,
        PersonCategory,
    )

    return [
        m._meta.db_table
        for m in (Household, Person, PersonCategory, EmergencyContact, Disability, Dementia)
    ] + [AuditEvent._meta.db_table]


@contextmanager
def deferred_indexes(tables: Sequence[str]) -> Iterator[list[str]]:
    """PostgreSQL, each of `tables` that is empty: drop its secondary indexes, unique and
    foreign-key constraints for the load and build them again afterwards, each in one pass
    (PostgreSQL manual, "Populating a Database": building an index on existing data is
    faster than updating it row by row; one foreign-key check of the whole table is faster
    than one per row). Yields the statements that will restore them ([] when nothing was
    deferred: another database, or a table already holding rows). The primary keys stay.
    Restored in `finally`: an error in the load still leaves the schema whole."""
    from django.db import connection

    restore: list[str] = []
    if connection.vendor == "postgresql":
        tables = [t for t in tables if not _has_rows(t)]
    if connection.vendor != "postgresql" or not tables:
        yield restore
        return
    drops: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype "
            "FROM pg_constraint c WHERE c.conrelid = ANY(%s::regclass[]) "
            "AND c.contype IN ('u', 'f') ORDER BY c.contype",
            [list(tables)],
        )
        for table, name, definition, _kind in cursor.fetchall():
            drops.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        restore.reverse()  # unique constraints before the foreign keys
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [list(tables)],
        )
        for name, definition in cursor.fetchall():
            drops.append(f"DROP INDEX {name}")
            restore.insert(0, definition)
        for statement in drops:
            cursor.execute(statement)
    try:
        yield restore
    finally:
        from django.db import connection as conn

        conn.close()  # a fresh session after the load (and after fork)
        with conn.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for statement in restore:
                cursor.execute(statement)


def _has_rows(table: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
        row = cursor.fetchone()
    return bool(row and row[0])


def _flush(
    w: _Writer, batch: _Batch, report: WriteReport, progress: Callable[[WriteReport], None] | None
) -> None:
    if not batch.people:
        return
    t = time.perf_counter()
    w.write(batch)
    report.write_seconds += time.perf_counter() - t
    report.people += len(batch.people)
    report.households += len(batch.households)
    report.tags += len(batch.tags)
    report.contacts += len(batch.contacts)
    report.disabilities += len(batch.disabilities)
    report.dementia += len(batch.dementia)
    if progress is not None:
        progress(report)
