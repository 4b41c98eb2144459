"""Header spellings of real 台账/花名册 spreadsheets → ledger fields (pure, no ORM).

Issue #10: headers such as "身份证号码（18位）", "所在村（社区）", "*姓名" or "联系电话【手机】" were
not recognised. A header is normalised (normalize_header) and then looked up: as written, with
bracket words inline, without bracketed qualifiers, then without known prefixes/suffixes."""

from __future__ import annotations

import pytest

from yanglao.people import columns as C

UNMAPPED = ""  # no ledger field: the user may still pick one, or leave the column out

# -- normalisation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("姓名", "姓名"),
        ("姓 名", "姓名"),
        ("姓\u3000名", "姓名"),  # ideographic space
        ("姓\n名", "姓名"),  # line break inside the cell (Alt+Enter)
        ("\t姓名\r\n", "姓名"),
        ("*姓名", "姓名"),
        ("＊姓名", "姓名"),  # full-width asterisk
        ("姓名*", "姓名"),
        ("※姓名", "姓名"),
        ("姓名：", "姓名"),
        ("姓名:", "姓名"),
        ("1、姓名", "姓名"),
        ("2.身份证号码", "身份证号码"),
        ("①姓名", "姓名"),
        ("身份证号码（18位）", "身份证号码(18位)"),
        ("身份证号码(18位)", "身份证号码(18位)"),
        ("身份证号码【18位】", "身份证号码(18位)"),
        ("身份证号码[18位]", "身份证号码(18位)"),
        ("身份证号码〔18位〕", "身份证号码(18位)"),
        ("出生日期(YYYY-MM-DD)", "出生日期(yyyymmdd)"),
        ("ＮＯ．", "no"),  # full-width letters and dot
        ("村/社区", "村/社区"),
        ("村／社区", "村/社区"),
        ("村、社区", "村/社区"),
        ("紧急联系人-电话", "紧急联系人电话"),
        ("紧急联系人_电话", "紧急联系人电话"),
        ("“姓名”", "姓名"),
        ("姓名（）", "姓名"),  # empty brackets
        ("\x00姓名\u200b", "姓名"),  # NUL and zero-width space
        ("\ufeff姓名", "姓名"),  # a BOM left in the first cell
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_header(raw: str, normalised: str) -> None:
    assert C.normalize_header(raw) == normalised


def test_normalize_header_is_idempotent() -> None:
    for raw, _ in HEADERS:
        once = C.normalize_header(raw)
        assert C.normalize_header(once) == once, raw


# -- real spellings -----------------------------------------------------------------------

HEADERS: list[tuple[str, str]] = [
    # 序号 and derived columns
    ("序号", "ignore"),
    ("序 号", "ignore"),
    ("No.", "ignore"),
    ("编号", "ignore"),
    ("年龄", "ignore"),
    ("年龄（周岁）", "ignore"),
    ("周岁", "ignore"),
    ("实际年龄", "ignore"),
    ("备注", "ignore"),
    ("失能等级", "ignore"),
    ("错误原因", "ignore"),
    ("原行号", "ignore"),
    # 姓名
    ("姓名", "name"),
    ("姓 名", "name"),
    ("姓\n名", "name"),
    ("*姓名", "name"),
    ("姓名：", "name"),
    ("姓名（必填）", "name"),
    ("【姓名】", "name"),
    ("老人姓名", "name"),
    ("老年人姓名", "name"),
    ("本人姓名", "name"),
    ("服务对象姓名", "name"),
    ("1、姓名", "name"),
    # 性别
    ("性别", "sex"),
    ("性 别", "sex"),
    ("性别（男/女）", "sex"),
    ("性别代码", "sex"),
    ("*性别", "sex"),
    # 身份证号
    ("身份证号码", "id_number"),
    ("身份证号", "id_number"),
    ("身份证", "id_number"),
    ("公民身份号码", "id_number"),
    ("公民身份证号码", "id_number"),
    ("居民身份证号码", "id_number"),
    ("身份证号码（18位）", "id_number"),
    ("身份证号(18位)", "id_number"),
    ("身份证号码\n（必填）", "id_number"),
    ("*身份证号码", "id_number"),
    ("身份证号码【文本格式】", "id_number"),
    ("身 份 证 号", "id_number"),
    ("证件号码", "id_number"),
    ("证件号", "id_number"),
    ("身份证件号码", "id_number"),
    ("老人身份证号", "id_number"),
    ("本人身份证号码", "id_number"),
    ("公民身份号码（18位）", "id_number"),
    # 出生日期
    ("出生日期", "birth_date"),
    ("出生年月", "birth_date"),
    ("出生年月日", "birth_date"),
    ("生日", "birth_date"),
    ("出生日期(yyyy-mm-dd)", "birth_date"),
    ("出生日期（年月日）", "birth_date"),
    ("出生日期\n(格式：1950-01-01)", "birth_date"),
    ("出生时间", "birth_date"),
    ("出生年月（8位）", "birth_date"),
    # 民族
    ("民族", "ethnicity"),
    ("民 族", "ethnicity"),
    ("民族代码", "ethnicity"),
    ("民族名称", "ethnicity"),
    ("族别", "ethnicity"),
    # 区划代码
    ("区划代码", "village_code"),
    ("村（社区）代码", "village_code"),
    ("村(社区)代码", "village_code"),
    ("村社区代码", "village_code"),
    ("村代码", "village_code"),
    ("社区代码", "village_code"),
    ("村居代码", "village_code"),
    ("统计用区划代码", "village_code"),
    ("行政区划代码", "village_code"),
    ("区划代码（12位）", "village_code"),
    ("村（社区）区划代码", "village_code"),
    # 村（社区）
    ("村（社区）", "village_name"),
    ("村(社区)", "village_name"),
    ("村【社区】", "village_name"),
    ("村社区", "village_name"),
    ("村/社区", "village_name"),
    ("所属村（社区）", "village_name"),
    ("所在村（社区）", "village_name"),
    ("居住村（社区）", "village_name"),
    ("村（居）委会", "village_name"),
    ("村居委会", "village_name"),
    ("社区（村）", "village_name"),
    ("村居", "village_name"),
    ("社区", "village_name"),
    ("村", "village_name"),
    ("所在村", "village_name"),
    ("所在社区", "village_name"),
    ("村社区名称", "village_name"),
    ("村（社区）名称", "village_name"),
    ("社区名称", "village_name"),
    ("村名", "village_name"),
    ("村委会", "village_name"),
    ("居委会", "village_name"),
    # 乡镇（街道）
    ("乡镇（街道）", "township_name"),
    ("乡镇(街道)", "township_name"),
    ("所属乡镇（街道）", "township_name"),
    ("所在乡镇（街道）", "township_name"),
    ("乡镇", "township_name"),
    ("街道", "township_name"),
    ("乡镇街道", "township_name"),
    ("乡镇/街道", "township_name"),
    ("街道（乡镇）", "township_name"),
    ("所属乡镇", "township_name"),
    ("所在街道", "township_name"),
    ("乡镇名称", "township_name"),
    ("镇", "township_name"),
    ("乡", "township_name"),
    # 住址 (residence)
    ("详细住址", "address"),
    ("住址", "address"),
    ("家庭住址", "address"),
    ("现住址", "address"),
    ("居住地址", "address"),
    ("现居住地址", "address"),
    ("地址", "address"),
    ("详细地址", "address"),
    ("家庭地址", "address"),
    ("家庭详细住址", "address"),
    ("现居住地", "address"),
    ("居住地", "address"),
    ("常住地址", "address"),
    ("实际居住地址", "address"),
    ("住址（门牌号）", "address"),
    # 户籍 is not the residence: no ledger field yet, so never the address
    ("户籍地址", UNMAPPED),
    ("户籍所在地", UNMAPPED),
    ("户籍地", UNMAPPED),
    ("户口所在地", UNMAPPED),
    ("户籍地址（详细）", UNMAPPED),
    ("户籍所在村（社区）", UNMAPPED),
    ("户籍号", UNMAPPED),
    ("籍贯", UNMAPPED),
    # 联系电话 (the person's own)
    ("联系电话", "phone"),
    ("电话", "phone"),
    ("手机", "phone"),
    ("手机号", "phone"),
    ("手机号码", "phone"),
    ("本人电话", "phone"),
    ("本人联系电话", "phone"),
    ("老人联系电话", "phone"),
    ("联系电话【手机】", "phone"),
    ("联系电话（手机）", "phone"),
    ("联系方式", "phone"),
    ("电话号码", "phone"),
    ("联系电话号码", "phone"),
    ("手机/电话", "phone"),
    ("移动电话", "phone"),
    ("固定电话", "phone"),
    ("家庭电话", "phone"),
    # 户号
    ("户号", "household_no"),
    ("户编号", "household_no"),
    ("家庭户号", "household_no"),
    # coded personal details
    ("文化程度", "education"),
    ("学历", "education"),
    ("文化水平", "education"),
    ("受教育程度", "education"),
    ("婚姻状况", "marital_status"),
    ("婚姻", "marital_status"),
    ("婚姻情况", "marital_status"),
    ("婚姻状态", "marital_status"),
    ("居住情况", "living_arrangement"),
    ("居住状况", "living_arrangement"),
    ("居住方式", "living_arrangement"),
    ("居住状态", "living_arrangement"),
    ("居住情况（独居/空巢/与子女同住）", "living_arrangement"),
    ("医疗费用支付方式", "medical_payment"),
    ("医保类型", "medical_payment"),
    ("医疗保险", "medical_payment"),
    ("参保类型", "medical_payment"),
    ("经济来源", "income_sources"),
    ("主要经济来源", "income_sources"),
    ("收入来源", "income_sources"),
    ("主要生活来源", "income_sources"),
    ("人员类别", "categories"),
    ("类别", "categories"),
    ("老人类别", "categories"),
    ("老年人类别", "categories"),
    ("特殊困难类别", "categories"),
    ("困难类别", "categories"),
    ("人员类型", "categories"),
    ("特殊困难老年人类别", "categories"),
    ("人员类别（可多选）", "categories"),
    # one column per category (a tick in each): not the 人员类别 text column
    ("特困", UNMAPPED),
    ("低保", UNMAPPED),
    ("低保边缘", UNMAPPED),
    ("失能", UNMAPPED),
    ("残疾", UNMAPPED),
    ("残疾等级", UNMAPPED),
    ("残疾类别", UNMAPPED),
    ("残疾证号", UNMAPPED),
    ("是否独居", UNMAPPED),
    ("是否低保", UNMAPPED),
    ("健康状况", UNMAPPED),
    # 紧急联系人
    ("紧急联系人", "contact1_name"),
    ("紧急联系人姓名", "contact1_name"),
    ("联系人姓名", "contact1_name"),
    ("联系人", "contact1_name"),
    ("紧急联系人1姓名", "contact1_name"),
    ("第一联系人姓名", "contact1_name"),
    ("监护人姓名", "contact1_name"),
    ("赡养人姓名", "contact1_name"),
    ("家属姓名", "contact1_name"),
    ("紧急联系人关系", "contact1_relation"),
    ("与老人关系", "contact1_relation"),
    ("关系", "contact1_relation"),
    ("紧急联系人与老人关系", "contact1_relation"),
    ("监护人关系", "contact1_relation"),
    ("紧急联系人电话", "contact1_phone"),
    ("紧急联系电话", "contact1_phone"),
    ("联系人电话", "contact1_phone"),
    ("紧急联系人联系电话", "contact1_phone"),
    ("紧急联系人手机号码", "contact1_phone"),
    ("紧急联系人-电话", "contact1_phone"),
    ("监护人联系电话", "contact1_phone"),
    ("赡养人电话", "contact1_phone"),
    ("家属联系方式", "contact1_phone"),
    ("紧急联系人2姓名", "contact2_name"),
    ("第二联系人姓名", "contact2_name"),
    ("联系人2", "contact2_name"),
    ("紧急联系人2关系", "contact2_relation"),
    ("紧急联系人2电话", "contact2_phone"),
    ("联系人二电话", "contact2_phone"),
    # other people and things a ledger may hold that the person's record does not
    ("户主姓名", UNMAPPED),
    ("与户主关系", UNMAPPED),
    ("配偶姓名", UNMAPPED),
    ("子女姓名", UNMAPPED),
    ("银行账号", UNMAPPED),
    ("乡镇代码", UNMAPPED),
    ("文化程度代码", UNMAPPED),
    ("姓名/性别", UNMAPPED),  # two fields in one column
    ("填表人", UNMAPPED),
    ("代码", UNMAPPED),
]


@pytest.mark.parametrize(("header", "field"), HEADERS)
def test_real_header_spellings(header: str, field: str) -> None:
    assert C.guess(header) == field


def test_the_table_is_large_and_covers_every_field() -> None:
    assert len(HEADERS) >= 150
    assert len({h for h, _ in HEADERS}) == len(HEADERS)  # no spelling twice
    assert {f for _, f in HEADERS} >= {c.key for c in C.COLUMNS} | {C.IGNORE, UNMAPPED}


def test_every_canonical_header_and_alias_maps_to_its_own_field() -> None:
    for c in C.COLUMNS:
        for name in (c.header, *c.aliases):
            assert C.guess(name) == c.key, name
    for name in C.IGNORED_HEADERS:
        assert C.guess(name) == C.IGNORE, name


def test_residence_and_registration_address_stay_apart() -> None:
    """Both columns in one ledger: only the residence fills the address; 户籍地址 is left out."""
    headers = [
        "姓名",
        "身份证号码",
        "户籍地址",
        "现居住地址",
        "户籍所在村（社区）",
        "所在村（社区）",
    ]
    assert C.guess_mapping(headers) == {0: "name", 1: "id_number", 3: "address", 5: "village_name"}


@pytest.mark.parametrize(
    "hostile",
    ["\x00" * 10, "姓名" * 50_000, "老人" * 50_000, "/" * 10_000, "(" * 5_000 + ")" * 5_000,
     "现" * 60 + "姓名", "𠀀𠀁", "\ud800"],
)  # fmt: skip
def test_hostile_headers_are_unmapped_not_errors(hostile: str) -> None:
    assert C.guess(hostile) == UNMAPPED


# -- two-row headers (a merged parent over its parts) ----------------------------------------

MERGED_CASES = [
    (  # xlsx: "紧急联系人" merged over 姓名 / 电话 (the case the code already folded)
        [["姓名", "身份证号码", "紧急联系人", "", "村（社区）"], ["", "", "姓名", "电话", ""]],
        [((0, 2), (0, 3))],
        {0: "name", 1: "id_number", 2: "contact1_name", 3: "contact1_phone", 4: "village_name"},
    ),
    (  # three parts, one with a bracketed qualifier
        [
            ["*姓名", "身份证号码（18位）", "紧急联系人", "", "", "所在村（社区）"],
            ["", "", "姓名", "与老人关系", "联系电话（手机）", ""],
        ],
        [((0, 2), (0, 4))],
        {
            0: "name",
            1: "id_number",
            2: "contact1_name",
            3: "contact1_relation",
            4: "contact1_phone",
            5: "village_name",
        },
    ),
    (  # two contacts side by side
        [
            ["姓名", "身份证号", "村社区名称", "联系人1", "", "联系人2", ""],
            ["", "", "", "姓名", "电话", "姓名", "手机号码"],
        ],
        [((0, 3), (0, 4)), ((0, 5), (0, 6))],
        {
            0: "name",
            1: "id_number",
            2: "village_name",
            3: "contact1_name",
            4: "contact1_phone",
            5: "contact2_name",
            6: "contact2_phone",
        },
    ),
    (  # csv: no merge information, the parent's blank neighbours take it
        [["姓名", "身份证号码", "监护人信息", "", "村"], ["", "", "姓名", "联系方式", ""]],
        [],
        {0: "name", 1: "id_number", 2: "contact1_name", 3: "contact1_phone", 4: "village_name"},
    ),
    (  # title rows above, line breaks and full-width brackets in the header cells
        [
            ["南岭街道特殊困难老年人花名册"],
            ["序号", "姓\n名", "身份证号码\n（18位）", "紧急联系人", "", "居住地址"],
            ["", "", "", "姓 名", "电 话", ""],
        ],
        [((1, 3), (1, 4))],
        {
            0: "ignore",
            1: "name",
            2: "id_number",
            3: "contact1_name",
            4: "contact1_phone",
            5: "address",
        },
    ),
]


@pytest.mark.parametrize(("rows", "merged", "mapping"), MERGED_CASES)
def test_two_row_headers_are_folded_and_mapped(
    rows: list[list[str]],
    merged: list[tuple[tuple[int, int], tuple[int, int]]],
    mapping: dict[int, str],
) -> None:
    header = C.find_header(rows, merged)
    assert header is not None and header.row == len(rows) - 1
    assert C.guess_mapping(header.titles) == mapping


def test_second_row_of_category_ticks_is_not_folded() -> None:
    """Sub-headers that are not parts of a contact (特困 / 低保 ticks) are not merged in."""
    rows = [["姓名", "身份证号", "人员类别", ""], ["", "", "特困", "低保"], ["张三", "x", "√", ""]]
    header = C.find_header(rows, [((0, 2), (0, 3))])
    assert header is not None and header.row == 0
    assert C.guess_mapping(header.titles) == {0: "name", 1: "id_number", 2: "categories"}
