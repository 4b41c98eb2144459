"""The ledger's search box (issue 14 part 3): the parser, the derived columns, each kind of
search finding the right people and never anyone outside the user's scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from yanglao.accounts.roles import Role
from yanglao.people import search, selectors, services
from yanglao.people.models import Person
from yanglao.people.search import Kind
from yanglao.people.selectors import PersonFilter
from yanglao.people.testing import person_input

# -- the parser: what the user typed → which kind of search ---------------------------------

PARSE_CASES = [
    ("", Kind.NONE, ""),
    ("   ", Kind.NONE, ""),
    ("丽英", Kind.NAME, "丽英"),
    ("王丽英", Kind.NAME, "王丽英"),
    (" 王 丽英 ", Kind.NAME, "王丽英"),
    ("王", Kind.NAME, "王"),
    ("阿依古丽·买买提", Kind.NAME, "阿依古丽·买买提"),
    ("阿依古丽•买买提", Kind.NAME, "阿依古丽·买买提"),
    ("𠀀英", Kind.NAME, "𠀀英"),
    ("丽" * 20, Kind.NAME, "丽" * 20),
    ("丽" * 21, Kind.INVALID, ""),
    ("wly", Kind.INITIALS, "wly"),
    ("WLY", Kind.INITIALS, "wly"),
    ("ｗｌｙ", Kind.INITIALS, "wly"),  # full-width letters from a Chinese input method
    ("wl", Kind.INITIALS, "wl"),
    ("w", Kind.INVALID, ""),
    ("abcdefghijk", Kind.INVALID, ""),
    ("王ly", Kind.INVALID, ""),
    ("220102194503150011", Kind.ID_FULL, "220102194503150011"),
    ("22010219450315001x", Kind.ID_FULL, "22010219450315001X"),
    ("２２０１０２１９４５０３１５００１１", Kind.ID_FULL, "220102194503150011"),
    ("220102 1945 0315 0011", Kind.ID_FULL, "220102194503150011"),
    ("1234", Kind.TAIL, "1234"),
    ("12345", Kind.TAIL, "12345"),
    ("123456", Kind.TAIL, "123456"),
    ("123X", Kind.TAIL, "123X"),
    ("12345x", Kind.TAIL, "12345X"),
    ("１２３４", Kind.TAIL, "1234"),
    ("123", Kind.INVALID, ""),
    ("1234567X", Kind.INVALID, ""),
    ("13812345678", Kind.PHONE_FULL, "13812345678"),
    ("138-1234-5678", Kind.PHONE_FULL, "13812345678"),
    ("+86 138 1234 5678", Kind.PHONE_FULL, "13812345678"),
    ("8613812345678", Kind.PHONE_FULL, "13812345678"),
    ("0431-85551234", Kind.PHONE_FULL, "043185551234"),
    ("1234567", Kind.PHONE_FULL, "1234567"),
    ("12345678901234", Kind.INVALID, ""),
    ("2201021945031500111", Kind.INVALID, ""),
    ("王\x00英", Kind.INVALID, ""),
    ("%_", Kind.INVALID, ""),
    ("丽英'; DROP TABLE", Kind.INVALID, ""),
]


@pytest.mark.parametrize(("typed", "kind", "value"), PARSE_CASES)
def test_parse(typed: str, kind: Kind, value: str) -> None:
    s = search.parse(typed)
    assert s.kind == kind
    assert s.value == value
    if kind == Kind.INVALID:
        assert s.message and not s.message.isascii()  # a Chinese explanation


@pytest.mark.parametrize(
    ("name", "present", "absent"),
    [
        ("王丽英", ["王", "丽", "英", "王丽", "丽英", "~wly", "~wl"], ["王英", "~ly"]),
        ("曾丽", ["曾丽", "~zl", "~cl"], []),  # 曾: zēng and céng
        ("阿依古丽·买买提", ["古丽", "丽买", "买买"], ["·"]),
        ("", [], []),
    ],
)
def test_search_keys(name: str, present: list[str], absent: list[str]) -> None:
    keys = search.search_keys(name)
    tokens = keys.split()
    assert keys == "" or (keys.startswith(" ") and keys.endswith(" "))
    for t in present:
        assert t in tokens
    for t in absent:
        assert t not in tokens


@pytest.mark.parametrize(
    ("typed", "tokens"),
    [
        ("王", ["王"]),
        ("丽英", ["丽英"]),
        ("王丽英", ["王丽", "丽英"]),
        ("英英英", ["英英"]),
        ("wly", ["~wly"]),
        ("13812345678", []),
    ],
)
def test_query_tokens(typed: str, tokens: list[str]) -> None:
    assert search.query_tokens(search.parse(typed)) == tokens


def test_tail_bucket_is_small_and_keyed() -> None:
    a = search.tail_bucket("1234", lambda s: "ffff" + s)
    assert a == (1 << search.TAIL_BITS) - 1
    assert search.tail_bucket("123", lambda s: "ffff") is None
    assert search.tail_of("13812345678") == "5678"


# -- each kind finds the right people, never outside the scope -------------------------------

V1 = "220102001001"  # 南岭街道 华阳社区
V2 = "220102001002"  # 南岭街道 恒安社区
V3 = "220102002001"  # 自强街道 北安社区
OTHER = "220204001001"  # 船营区: another county

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(regions, make_user):
    return make_user(Role.COUNTY_OFFICER, "220102")


@pytest.fixture
def people(county, make_user) -> dict[str, Person]:
    other_officer = make_user(Role.COUNTY_OFFICER, "220204")
    rows = [
        ("wang", county, V1, "王丽英", 1, "13812340001"),
        ("li", county, V2, "李丽英", 2, "13912345678"),
        ("zhang", county, V3, "张秀兰", 3, "13700005678"),
        ("zeng", county, V1, "曾丽", 4, ""),
        ("far", other_officer, OTHER, "赵丽英", 5, "13812340001"),
    ]
    out = {}
    for key, actor, village, name, seq, phone in rows:
        p, _ = services.person_register(
            actor=actor,
            data=person_input(village, name=name, seq=seq, phone=phone, birth=date(1945, 3, 15)),
        )
        out[key] = p
    return out


def _names(user, q: str, region: str = "") -> set[str]:
    rows, _ = selectors.person_list(user=user, f=PersonFilter(q=q, region=region))
    return {p.name for p in rows}


def test_written_rows_carry_the_search_columns(people) -> None:
    p = Person.objects.get(pk=people["wang"].pk)
    assert " ~wly " in p.search_keys and " 丽英 " in p.search_keys
    assert p.id_tail is not None and p.phone_tail is not None
    assert Person.objects.get(pk=people["zeng"].pk).phone_tail is None


def test_name_part_initials_and_full_numbers(county, people) -> None:
    assert _names(county, "丽英") == {"王丽英", "李丽英"}  # not 赵丽英 in another county
    assert _names(county, "丽") == {"王丽英", "李丽英", "曾丽"}
    assert _names(county, "王丽英") == {"王丽英"}
    assert _names(county, "英丽") == set()
    assert _names(county, "wly") == {"王丽英"}
    assert _names(county, "WL") == {"王丽英"}
    assert _names(county, "cl") == {"曾丽"} and _names(county, "zl") == {"曾丽"}
    wang = people["wang"]
    assert _names(county, wang.id_number) == {"王丽英"}
    assert _names(county, wang.id_number.lower()) == {"王丽英"}
    assert _names(county, "138 1234 0001") == {"王丽英"}  # 赵丽英 shares it, elsewhere
    assert _names(county, people["far"].id_number) == set()


def test_tail_search_only_inside_a_township(county, people, make_user) -> None:
    wang, li = people["wang"], people["li"]
    tail = wang.id_number[-4:]
    f = PersonFilter(q=tail)
    assert selectors.search_message(county, f) == search.TAIL_NEEDS_TOWNSHIP
    assert _names(county, tail) == set()
    township = "220102001000"
    assert selectors.search_message(county, PersonFilter(q=tail, region=township)) == ""
    # Same ID tail for 王 and 李? Their sequences differ: each finds its own.
    assert "王丽英" in _names(county, tail, township)
    assert "李丽英" in _names(county, li.id_number[-6:], township)
    assert _names(county, "5678", township) == {"李丽英"}  # phone 139…5678; 张 is in 自强
    assert _names(county, "5678", "220102002000") == {"张秀兰"}
    assert _names(county, "0001", township) >= {"王丽英"}
    # A village worker's jurisdiction is one village: no region needed, nobody outside it.
    worker = make_user(Role.VISIT_WORKER, V1)
    assert selectors.search_message(worker, PersonFilter(q="0001")) == ""
    assert _names(worker, "0001") == {"王丽英"}
    assert _names(worker, li.id_number[-4:]) == set()


def test_nobody_outside_the_scope_by_any_kind(people, make_user) -> None:
    outsider = make_user(Role.COUNTY_OFFICER, "220204")
    wang = people["wang"]
    for q in ("丽英", "wly", wang.id_number, "13812340001"):
        assert "王丽英" not in _names(outsider, q), q
    assert _names(outsider, "0001", "220102001000") == set()
    assert _names(outsider, "丽英") == {"赵丽英"}


def test_counts(county, people) -> None:
    assert selectors.person_count(user=county, f=PersonFilter(q="丽英")).shown == "2"
    c = selectors.person_count(user=county, f=PersonFilter())
    assert (c.n, c.approximate) == (4, False)
    assert selectors.ListCount(5_551_338, True).shown == "约 5,550,000"


@pytest.mark.postgres
def test_count_above_the_threshold_is_an_estimate(county, people, monkeypatch) -> None:
    monkeypatch.setattr(selectors, "COUNT_EXACT_LIMIT", 1)
    monkeypatch.setattr(selectors, "COUNT_SKIP_FACTOR", 1_000_000)
    c = selectors.person_count(user=county, f=PersonFilter())
    assert c.approximate and c.shown.startswith("约")


@pytest.mark.postgres
def test_name_search_uses_the_gin_index(county, people) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    qs = Person.objects.filter(selectors._tokens_held(["丽英"]))
    assert "person_search_keys_gin" in qs.explain()
    assert {p.name for p in qs} == {"王丽英", "李丽英", "赵丽英"}


def test_list_page_explains_the_box_and_counts(county, people) -> None:
    client = Client()
    client.force_login(county)
    body = client.get("/people/", {"q": "丽英"}).content.decode()
    assert "王丽英" in body and "李丽英" in body and "赵丽英" not in body
    assert "按姓名查找，共 2 人" in body
    assert "拼音首字母" in body and "后4至6位" in body  # the help under the box
    body = client.get("/people/", {"q": "1234"}).content.decode()
    assert search.TAIL_NEEDS_TOWNSHIP in body
    body = client.get("/people/", {"q": "12"}).content.decode()
    assert "输入了2位数字" in body
    assert client.get("/people/", {"q": "王\x00英"}).status_code in (200, 400)
