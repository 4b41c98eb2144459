"""One region picker (issue 14 part 2): a region is chosen by its name with type-ahead, never
typed as a 12-digit code.

- `RegionField` (a form field) takes what the user typed — a name such as “南关区”, the name
  with its parents as the list offers it (“长春市南关区永长街道”), or, for links and old
  bookmarks, a statistical code — and cleans it to the padded 12-digit code, with a Chinese
  message saying how to fix a wrong value.
- `RegionInput` (its widget) shows the region's name and a `<datalist>` that
  `static/yanglao/region-picker.js` fills as the user types, from
- `search` (the JSON endpoint `accounts:region_search`), scoped to the user's jurisdictions,
  or over every region where the field allows any (a 户籍地 elsewhere, a jurisdiction granted
  by the security administrator): region names and codes are public statistics.

Without JavaScript the field still works: the server resolves the typed name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from yanglao.accounts.models import User
from yanglao.accounts.scoping import READ_FIGURES, scope_q
from yanglao.core.decorators import AuthedRequest, scope
from yanglao.regions import codes
from yanglao.regions.models import Level, Region

SEARCH_LIMIT = 20
MAX_QUERY = 40
HINT = "输入名称的一部分（如“南关”），再从列表中选择"


def clean_text(raw: object) -> str:
    """What the user typed, as text to match: NFKC (full-width digits), no NUL, no spaces."""
    text = unicodedata.normalize("NFKC", str(raw or "")).replace("\x00", "")
    return "".join(text.split())[: MAX_QUERY * 3]


def path_names(regions: Iterable[Region]) -> dict[str, str]:
    """code → the name a person reads: the node with its parents from the city down
    (“长春市南关区永长街道新立社区”), village names without their official suffix. One query."""
    regions = list(regions)
    wanted = {a for r in regions for a in codes.ancestor_codes(r.code, r.level)}
    names = {
        c: (n, lvl)
        for c, n, lvl in Region.objects.filter(code__in=wanted).values_list("code", "name", "level")
    }
    out: dict[str, str] = {}
    for r in regions:
        parts = [
            names[a][0]
            for a in codes.ancestor_codes(r.code, r.level)
            if a in names and names[a][1] >= codes.CITY
        ]
        own = codes.short_name(r.name) if r.level == codes.VILLAGE else r.name
        out[r.code] = "".join([*parts, own])
    return out


def path_name(code: str) -> str:
    """The path name of one code; the code itself when it is not a known region."""
    region = Region.objects.filter(code=code).first()
    return path_names([region])[code] if region else code


def _base(
    user: User | None, levels: Sequence[int] | None, any_region: bool, modes: tuple[str, ...]
) -> QuerySet[Region]:
    qs = Region.objects.filter(valid_to__isnull=True)
    if levels:
        qs = qs.filter(level__in=levels)
    if user is not None and not any_region:
        cond = scope_q(user, modes, field="code")
        qs = qs.none() if cond is None else qs.filter(cond)
    return qs


def search_regions(
    user: User | None,
    q: str,
    *,
    levels: Sequence[int] | None = None,
    any_region: bool = False,
    modes: tuple[str, ...] = READ_FIGURES,
) -> list[dict[str, str]]:
    """Up to SEARCH_LIMIT regions whose name contains q (or whose code starts with it), larger
    regions first, each as {code, name, level}."""
    q = clean_text(q)[:MAX_QUERY]
    if not q:
        return []
    qs = _base(user, levels, any_region, modes)
    qs = (
        qs.filter(code__startswith=q)
        if q.isdigit()
        else qs.filter(Q(name__contains=q) | Q(short_name__contains=q))
    )
    found = list(qs.order_by("level", "code")[:SEARCH_LIMIT])
    names = path_names(found)
    return [{"code": r.code, "name": names[r.code], "level": Level(r.level).label} for r in found]


def resolve(
    raw: object,
    *,
    user: User | None = None,
    levels: Sequence[int] | None = None,
    any_region: bool = False,
    modes: tuple[str, ...] = READ_FIGURES,
) -> Region:
    """The one region the text names, or forms.ValidationError with a Chinese message."""
    text = clean_text(raw)
    if not text:
        raise forms.ValidationError(f"请选择区划：{HINT}")
    qs = _base(user, levels, any_region, modes)
    if text.isdigit():
        try:
            code = codes.pad(text)
        except ValueError:
            raise forms.ValidationError(f"没有找到“{text}”。{HINT}") from None
        found = qs.filter(code=code).first()
        if found is None:
            raise forms.ValidationError(_missing(text, code, levels))
        return found
    exact = list(qs.filter(Q(name=text) | Q(short_name=text))[:2])
    if len(exact) == 1:
        return exact[0]
    # A name with its parents (what the list offers): the node's own name is a suffix.
    tails = [text[i:] for i in range(len(text))]
    candidates = list(qs.filter(Q(name__in=tails) | Q(short_name__in=tails))[:200])
    names = path_names(candidates)
    matching = [r for r in candidates if names[r.code] == text]
    if len(matching) == 1:
        return matching[0]
    if len(exact) > 1 or len(matching) > 1:
        raise forms.ValidationError(
            f"有多个名为“{text}”的区划，请输入更多字（如上级名称），再从列表中选择"
        )
    raise forms.ValidationError(f"没有找到名为“{text}”的区划，或不在您的辖区内。{HINT}")


def _missing(text: str, code: str, levels: Sequence[int] | None) -> str:
    region = Region.objects.filter(code=code).first()
    if region is not None and levels and region.level not in levels:
        allowed = "、".join(Level(lvl).label for lvl in levels)
        return f"“{region.name}”是{Level(region.level).label}，这里须选择{allowed}"
    return f"没有找到代码为 {text} 的区划，或不在您的辖区内。{HINT}"


class RegionInput(forms.TextInput):
    """A text box showing the region's name, with a type-ahead list (region-picker.js)."""

    def __init__(
        self,
        *,
        levels: Sequence[int] | None = None,
        any_region: bool = False,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        base = {
            "autocomplete": "off",
            "placeholder": "输入名称，如 南关",
            "data-region-picker": "",
            "enterkeyhint": "done",
        }
        super().__init__({**base, **(attrs or {})})
        self.levels = tuple(levels or ())
        self.any_region = any_region

    def format_value(self, value: Any) -> str | None:
        text = clean_text(value)
        if text.isdigit() and len(text) in codes.LEVEL_BY_LEN:
            return path_name(codes.pad(text))
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        ctx = super().get_context(name, value, attrs)
        a = ctx["widget"]["attrs"]
        list_id = f"{a.get('id') or 'id_' + name}-choices"
        a["list"] = list_id
        a["data-region-picker"] = reverse("accounts:region_search")
        if self.levels:
            a["data-levels"] = ",".join(str(lvl) for lvl in self.levels)
        if self.any_region:
            a["data-any"] = "1"
        ctx["widget"]["list_id"] = list_id
        return ctx

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        list_id = self.get_context(name, value, attrs)["widget"]["list_id"]
        box = super().render(name, value, attrs, renderer)
        return mark_safe(box + format_html('<datalist id="{}"></datalist>', list_id))


class RegionField(forms.CharField):
    """A region picked by name; cleans to the padded 12-digit code ("" when optional and
    blank). Set `field.user` (the form's `bind_regions(user)`) to limit the choice to the
    user's jurisdictions."""

    def __init__(
        self,
        *,
        levels: Sequence[int] | None = None,
        any_region: bool = False,
        modes: tuple[str, ...] = READ_FIGURES,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("max_length", MAX_QUERY * 3)
        kwargs.setdefault("help_text", HINT)
        kwargs.setdefault("widget", RegionInput(levels=levels, any_region=any_region))
        super().__init__(**kwargs)
        self.levels = tuple(levels or ())
        self.any_region = any_region
        self.modes = modes
        self.user: User | None = None

    def to_python(self, value: Any) -> str:
        text = clean_text(value)
        if not text:
            return ""
        region = resolve(
            text, user=self.user, levels=self.levels, any_region=self.any_region, modes=self.modes
        )
        return region.code


def bind_regions(form: forms.BaseForm, user: User) -> None:
    """Limit every RegionField of the form to what this user may pick."""
    for field in form.fields.values():
        if isinstance(field, RegionField):
            field.user = user


@scope()
def search(request: AuthedRequest) -> HttpResponse:
    """GET ?q=南关&levels=3,4[&any=1] → {"results": [{code, name, level}, …]}."""
    raw_levels = request.GET.get("levels", "")
    levels = [int(x) for x in raw_levels.split(",") if x.isdigit() and int(x) in codes.PREFIX_LEN]
    results = search_regions(
        request.user,
        request.GET.get("q", ""),
        levels=levels,
        any_region=request.GET.get("any") == "1",
    )
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})


class RegionFilter(forms.Form):
    """A page filtered by one region, picked by name (a GET form)."""

    region = RegionField(label="区划", required=False)


def region_filter(
    request: AuthedRequest, *, any_region: bool = False, levels: Sequence[int] | None = None
) -> tuple[RegionFilter, str]:
    """The filter form of `?region=` (a name, or a code from a link) and the chosen region's
    code; "" when none or wrong (the form then says why beside the field)."""
    form = RegionFilter(request.GET if request.GET.get("region") else None)
    field = form.fields["region"]
    assert isinstance(field, RegionField) and isinstance(field.widget, RegionInput)
    field.any_region = field.widget.any_region = any_region
    field.levels = field.widget.levels = tuple(levels or ())
    field.user = request.user
    return form, (form.cleaned_data["region"] if form.is_valid() else "")
