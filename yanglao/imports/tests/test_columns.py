"""Pure rules of the import: cell parsing and header detection, at every boundary."""

from __future__ import annotations

from datetime import date

import pytest

from yanglao.core.sheets import cell_text
from yanglao.people import columns as C


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1950-03-05", date(1950, 3, 5)),
        ("1950/03/05", date(1950, 3, 5)),
        ("1950/3/5", date(1950, 3, 5)),
        ("1950.3.5", date(1950, 3, 5)),
        ("1950年3月5日", date(1950, 3, 5)),
        ("1950年03月05", date(1950, 3, 5)),
        ("19500305", date(1950, 3, 5)),
        ("１９５０－０３－０５", date(1950, 3, 5)),
        (" 1950-03-05 00:00:00 ", date(1950, 3, 5)),
        ("18327", date(1950, 3, 5)),  # Excel serial of 1950-03-05
        ("18327.0", date(1950, 3, 5)),
        ("", None),
    ],
)
def test_dates_as_ledgers_hold_them(text: str, expected: date | None) -> None:
    assert C.parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1950-02-30", "不存在"),
        ("1950.3", "缺少日"),
        ("1950年3月", "缺少日"),
        ("三月五日", "无法识别"),
        ("99999", "无法识别"),  # beyond any plausible Excel serial
    ],
)
def test_bad_dates_say_why(text: str, message: str) -> None:
    with pytest.raises(C.CellError, match=message):
        C.parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("男", "M"), ("女", "F"), ("1", "M"), ("2", "F"), ("女性", "F"), (" 男 ", "M"), ("", "")],
)
def test_sex(text: str, expected: str) -> None:
    assert C.parse_sex(text) == expected


def test_sex_unknown() -> None:
    with pytest.raises(C.CellError, match="男"):
        C.parse_sex("未知")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("汉族", "01"), ("汉", "01"), ("朝鲜族", "10"), ("10", "10"), ("1", "01")],
)
def test_ethnicity(text: str, expected: str) -> None:
    assert C.parse_ethnicity(text) == expected


def test_multi_choice_splits_on_what_people_type() -> None:
    assert C.parse_living("与配偶居住、与子女居住") == ["children", "spouse"]
    assert C.parse_living("与配偶同住，与子女") == ["children", "spouse"]
    assert C.parse_categories("独居、低保、高龄") == ["living_alone", "minimum_living"]
    with pytest.raises(C.CellError, match="能力评估"):
        C.parse_categories("失能")
    with pytest.raises(C.CellError, match="富裕"):
        C.parse_categories("独居，富裕")


@pytest.mark.parametrize(
    ("text", "expected"), [("儿子", "child"), ("老伴", "spouse"), ("侄女", "relative")]
)
def test_relations(text: str, expected: str) -> None:
    assert C.parse_relation(text) == expected


@pytest.mark.parametrize(
    ("text", "ok"),
    [("220102001001", True), ("２２０１０２００１００１", True), ("2201020010", False),
     ("2.20102001001E+11", False)],
)  # fmt: skip
def test_village_codes(text: str, ok: bool) -> None:
    if ok:
        assert C.parse_village_code(text) == "220102001001"
    else:
        with pytest.raises(C.CellError):
            C.parse_village_code(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2.201021950030512e17, "2.20102195003051E+17"),  # an ID typed as a number
        (13912345678.0, "13912345678"),
        (18327.0, "18327"),
        (date(1950, 3, 5), "1950-03-05"),
        (None, ""),
        (1.5, "1.5"),
    ],
)
def test_cells_read_as_excel_shows_them(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_header_found_under_title_rows() -> None:
    rows = [["南岭街道老年人台账"], ["填报单位：华阳社区"], ["序号", "姓名", "身份证号", "住址"]]
    header = C.find_header(rows)
    assert header is not None and header.row == 2
    assert C.guess_mapping(header.titles) == {0: "ignore", 1: "name", 2: "id_number", 3: "address"}


def test_merged_two_row_header_is_folded() -> None:
    rows = [
        ["姓名", "身份证号码", "紧急联系人", "", "村（社区）"],
        ["", "", "姓名", "电话", ""],
    ]
    merged = [((0, 2), (0, 3))]
    header = C.find_header(rows, merged)
    assert header is not None and header.row == 1
    assert header.titles[:4] == ["姓名", "身份证号码", "紧急联系人姓名", "紧急联系人电话"]
    mapping = C.guess_mapping(header.titles)
    assert mapping[2] == "contact1_name" and mapping[3] == "contact1_phone"


def test_mapping_problems() -> None:
    assert C.mapping_problems({0: "name", 1: "id_number", 2: "village_name"}) == []
    problems = C.mapping_problems({0: "name", 1: "name"})
    assert any("身份证号码" in p for p in problems)
    assert any("区划代码" in p for p in problems)
    assert any("对应了多列" in p for p in problems)
