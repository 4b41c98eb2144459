"""The eligibility builder of the publish form (issue 14 part 2): conditions chosen with form
controls, previewed in Chinese with how many people in the user's jurisdiction match now.
The rule stays JSON in the database and the API (benefits.rules); benefits.rule_text turns
it into the builder's fields and back."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yanglao.accounts.regionpicker import path_name, resolve
from yanglao.accounts.roles import Cap
from yanglao.benefits import rule_text, rules, selectors
from yanglao.core.decorators import AuthedRequest, scope
from yanglao.regions import codes

ADD_CHOICES = [*rule_text.KIND_LABELS.items(), ("group", "条件组（全部满足/满足其一/不满足）")]


def fields_of(post: QueryDict) -> dict[str, list[str]]:
    """The builder's fields of a POST (names under the root path "r")."""
    return {k: post.getlist(k) for k in post if k == rule_text.ROOT or k.startswith("r.")}


def resolve_region(text: str) -> str | None:
    """A residence/hukou condition's region as typed → the code prefix rules store."""
    try:
        region = resolve(text, any_region=True)
    except forms.ValidationError:
        return None
    return codes.prefix(region.code, region.level)


def apply_action(post: QueryDict, data: dict[str, list[str]]) -> bool:
    """Add or remove a condition when one of the builder's buttons was pressed (then the page
    is shown again and nothing is published). True when it was such a button."""
    if path := post.get("rule_add", ""):
        rule_text.add_child(data, path, post.get(f"add_kind.{path}", ""))
        return True
    if path := post.get("rule_remove", ""):
        data[f"{path}.remove"] = ["1"]
        return True
    return False


def parse(data: dict[str, list[str]]) -> rule_text.Parsed:
    return rule_text.from_fields(data, resolve_region)


def builder_context(
    user: Any, data: dict[str, list[str]], errors: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """What `_rule_builder.html` draws: the node tree, the kinds one may add, the preview."""
    shown = {
        k: [path_name(v.ljust(12, "0")) if v.isdigit() else v for v in vs]
        if k.endswith(".region")
        else vs
        for k, vs in data.items()
    }
    root = rule_text.tree(shown, errors or {})
    return {
        "rule_root": root,
        "rule_ops": list(rule_text.OPS.items()),
        "rule_kinds": rule_text.KIND_LABELS,
        "rule_choices": rule_text.CHOICES,
        "rule_add_choices": ADD_CHOICES,
        **preview_context(user, data),
    }


def preview_context(user: Any, data: dict[str, list[str]]) -> dict[str, Any]:
    parsed = parse(data)
    if parsed.rule is None:
        return {"preview": None, "preview_errors": [e for es in parsed.errors.values() for e in es]}
    rule = parsed.rule
    names = selectors.region_names(rule_text.region_prefixes(rule))
    return {
        "preview": rule_text.describe(rule, names),
        "preview_manual": rules.manual_labels(rule),
        "matches": selectors.rule_matches(user=user, rule=rule, on=timezone.localdate()),
        "preview_errors": [],
    }


@require_POST
@scope(Cap.BENEFIT_LIST_MANAGE)
def preview(request: AuthedRequest) -> HttpResponse:
    """The builder's live preview (htmx): the rule in Chinese and how many people match."""
    return render(
        request,
        "benefits/_rule_preview.html",
        preview_context(request.user, fields_of(request.POST)),
    )
