from datetime import date

import pytest

from yanglao.core import idnumber

TODAY = date(2026, 11, 23)


def known(prefix: str) -> bool:
    return prefix in {"220102", "110101"}


def test_standard_example_number() -> None:
    # GB 11643-1999 worked example (as given in docs/domain): S = 161, r = 7, check '5'.
    assert idnumber.check_char("22010219450315002") == "5"
    check = idnumber.validate("220102194503150025", today=TODAY, known_prefix=known)
    assert check.ok and check.sex == "F" and check.birth_date == date(1945, 3, 15)


def test_national_standard_sample_with_x() -> None:
    # The standard's own sample 11010519491231002X: check character X (r = 2).
    assert idnumber.check_char("11010519491231002") == "X"
    assert idnumber.validate("11010519491231002x", today=TODAY).number.endswith("X")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "应为18位"),
        ("22010219450315002", "应为18位"),
        ("2201021945031500255", "应为18位"),
        ("220102194503150026", "校验位不正确"),
        ("220102194503150000", "截断"),
        ("2.20102E+17", "科学计数法"),
        ("22010219450315002A", "前17位应为数字"),
        ("220102194502300025", "出生日期不存在"),
        ("220102207503150025", "晚于今天"),
        ("220102187503150025", "早于1880年"),
        ("220102450315002", "15位旧身份证"),
    ],
)
def test_rejections(raw: str, message: str) -> None:
    check = idnumber.validate(raw, today=TODAY)
    assert not check.ok
    assert message in " ".join(check.errors)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (" 220102 194503150025 ", "220102194503150025"),
        ("２２０１０２１９４５０３１５００２５", "220102194503150025"),
        ("11010519491231002x", "11010519491231002X"),
        ("11010519491231002ｘ", "11010519491231002X"),
    ],
)
def test_normalisation(raw: str, normalised: str) -> None:
    assert idnumber.normalise(raw) == normalised
    assert idnumber.validate(raw, today=TODAY).ok


def test_birth_date_and_sex_must_agree() -> None:
    check = idnumber.validate(
        "220102194503150025", today=TODAY, birth_date=date(1945, 3, 16), sex="M"
    )
    assert "出生日期与身份证号码不一致（号码中为1945年3月15日）" in check.errors
    assert "性别与身份证号码不一致（号码中为女）" in check.errors


@pytest.mark.parametrize(("seq_digit", "sex"), [("1", "M"), ("2", "F"), ("9", "M"), ("0", "F")])
def test_sex_from_17th_digit(seq_digit: str, sex: str) -> None:
    first17 = "2201021945031500" + seq_digit
    assert idnumber.sex_of(first17 + idnumber.check_char(first17)) == sex


def test_unknown_prefix_is_a_warning_not_an_error() -> None:
    first17 = "99999919450315002"
    check = idnumber.validate(
        first17 + idnumber.check_char(first17), today=TODAY, known_prefix=known
    )
    assert check.ok
    assert "999999" in check.warnings[0]


def test_birthday_today_and_leap_day() -> None:
    for born in (TODAY, date(1948, 2, 29)):
        first17 = f"220102{born:%Y%m%d}002"
        assert idnumber.validate(first17 + idnumber.check_char(first17), today=TODAY).ok


def test_upgrade_15_digit() -> None:
    assert idnumber.upgrade_15("220102450315002") == "220102194503150025"


@pytest.mark.parametrize(
    ("number", "masked"),
    [("220102194503150025", "220102********0025"), ("11010519491231002X", "110105********002X")],
)
def test_mask(number: str, masked: str) -> None:
    assert idnumber.mask(number) == masked


def _in_digits(zero: str, number: str = "220102194503150025") -> str:
    """The number written with another script's digits 0–9 starting at code point `zero`."""
    return "".join(chr(ord(zero) + int(c)) for c in number)


# Issue 15: Python's \d, str.isdigit() and int() accept every script's digits, so these
# validated and registered a duplicate under a different hash.
@pytest.mark.parametrize(
    ("label", "raw"),
    [
        ("Arabic-Indic", _in_digits("\u0660")),
        ("Extended Arabic-Indic", _in_digits("\u06f0")),
        ("Devanagari", _in_digits("\u0966")),
        ("Bengali", _in_digits("\u09e6")),
        ("Thai", _in_digits("\u0e50")),
        ("mathematical bold", _in_digits("\U0001d7ce")),
        ("mathematical monospace", _in_digits("\U0001d7f6")),
        ("one Arabic-Indic digit among ASCII", "22010219450315002" + "\u0665"),
        ("superscript", "22010219450315002" + "\u2075"),
        ("circled", "2201021945031500" + "\u2461" + "5"),
        ("one Devanagari digit in the address code", "\u0968" + "20102194503150025"),
    ],
)
def test_non_ascii_digits_are_refused(label: str, raw: str) -> None:
    check = idnumber.validate(raw, today=TODAY)
    assert not check.ok, label
    assert "只能使用数字0-9和X" in " ".join(check.errors)
    assert check.birth_date is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("２２０１０２１９４５０３１５００２５", "220102194503150025"),  # full-width: allowed
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),  # lower-case x: allowed
        ("\u2007220102194503150025", "220102194503150025"),  # figure space is a space
    ],
)
def test_only_full_width_digits_and_lower_x_are_normalised(raw: str, expected: str) -> None:
    check = idnumber.validate(raw, today=TODAY)
    assert check.ok and check.number == expected
