"""The one region picker (issue 14 part 2): names in, codes out, Chinese messages, scoped
type-ahead."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import Client

from yanglao.accounts import regionpicker
from yanglao.accounts.regionpicker import RegionField, bind_regions, resolve
from yanglao.accounts.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("南关区", "220102000000"),
        ("长春市南关区", "220102000000"),
        ("吉林市船营区德胜街道", "220204001000"),
        ("德胜街道", "220204001000"),
        ("220102", "220102000000"),
        ("２２０１０２", "220102000000"),  # full-width digits from a Chinese input method
        (" 南关区 ", "220102000000"),
        ("吉林市船营区德胜街道永前社区", "220204001001"),
    ],
)
def test_resolve_names_paths_and_codes(regions: None, typed: str, code: str) -> None:
    assert resolve(typed).code == code


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请选择区划"),
        ("火星", "没有找到名为“火星”的区划"),
        ("12345", "没有找到“12345”"),
        ("990000", "没有找到代码为 990000 的区划"),
        ("南关区\x00", None),  # NUL dropped: still 南关区
        ("𠀀", "没有找到名为“𠀀”的区划"),
    ],
)
def test_resolve_wrong_values_get_chinese_messages(
    regions: None, typed: str, message: str | None
) -> None:
    if message is None:
        assert resolve(typed).code == "220102000000"
        return
    with pytest.raises(forms.ValidationError) as exc:
        resolve(typed)
    assert message in str(exc.value.messages[0])


def test_ambiguous_name_asks_for_more(regions: None) -> None:
    from yanglao.regions.models import Region

    names = (
        Region.objects.filter(level=5).values_list("short_name", flat=True).order_by("short_name")
    )
    seen: set[str] = set()
    dup = next(n for n in names if n in seen or seen.add(n))  # type: ignore[func-returns-value]
    with pytest.raises(forms.ValidationError) as exc:
        resolve(dup)
    assert "有多个名为" in exc.value.messages[0]


def test_field_is_scoped_to_the_users_jurisdiction(regions: None, make_user: Any) -> None:
    class F(forms.Form):
        region = RegionField(label="区划", required=False)
        level = RegionField(label="层级", required=False, levels=(3,))

    officer = make_user(Role.COUNTY_OFFICER, "220102")
    f = F({"region": "船营区"})
    bind_regions(f, officer)
    assert not f.is_valid() and "不在您的辖区内" in f.errors["region"][0]
    f = F({"region": "南关区"})
    bind_regions(f, officer)
    assert f.is_valid() and f.cleaned_data["region"] == "220102000000"
    f = F({"level": "220102001001"})
    bind_regions(f, officer)
    assert not f.is_valid() and "这里须选择县（区）" in f.errors["level"][0]
    # The widget shows a code as its name, never the 12 digits.
    html = str(F(initial={"region": "220102000000"})["region"])
    assert 'value="长春市南关区"' in html and "<datalist" in html and "220102000000" not in html


def test_search_endpoint_is_scoped_and_chinese(regions: None, make_user: Any) -> None:
    c = Client()
    c.force_login(make_user(Role.COUNTY_OFFICER, "220102"))
    rows = c.get("/accounts/regions/", {"q": "南关"}).json()["results"]
    assert rows and rows[0] == {"code": "220102000000", "name": "长春市南关区", "level": "县（区）"}
    assert c.get("/accounts/regions/", {"q": "船营"}).json()["results"] == []
    anywhere = c.get("/accounts/regions/", {"q": "船营", "any": "1"}).json()["results"]
    assert anywhere[0]["name"] == "吉林市船营区"
    villages = c.get("/accounts/regions/", {"q": "社区", "levels": "5"}).json()["results"]
    assert villages and all(r["level"] == "村（社区）" for r in villages)
    assert len(villages) <= regionpicker.SEARCH_LIMIT
    for hostile in ("\x00", "%", "𠀀" * 500, "'; drop table", ""):
        r = c.get("/accounts/regions/", {"q": hostile, "levels": "x,9,-1"})
        assert r.status_code == 200 and isinstance(r.json()["results"], list)
    assert Client().get("/accounts/regions/", {"q": "南关"}).status_code == 302
