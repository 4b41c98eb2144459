"""Eligibility rules for people, not programmers (issue 14 part 2). Pure: no ORM.

A rule stays a JSON tree (`benefits.rules`, the stored form and the API's). Here:

- `describe(rule, region_names)` — the one piece of code that turns a rule into Chinese:
  {"all": [{"kind": "age", "min": 80}, {"kind": "economic", "in": ["minimum_living",
  "extreme_poverty"]}]} → “80周岁及以上，且为低保或特困”.
- `to_fields(rule)` / `from_fields(data, resolve_region)` — the rule as the flat fields of the
  builder form (`benefits/publish.html`, `_rule_node.html`) and back. Every node has a path
  ("r", "r.0", "r.0.2" …); a group is `<path>.type = group` with `<path>.op` one of
  all (全部满足) / any (满足其一) / not (不满足); a condition is `<path>.type = <kind>` with
  its values. JSON → fields → JSON gives the same JSON (the round-trip test walks every
  seeded item), except that a top-level “all” of one condition becomes that condition (the
  same rule).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from yanglao.benefits.rules import (
    CATEGORY_LABELS,
    DISABILITY_GRADES,
    DWELLINGS,
    ECONOMIC,
    GRADE_LABELS,
    Rule,
    check_rule,
)
from yanglao.people import groups

ROOT = "r"
MAX_CHILDREN = 12
MAX_NESTING = 3  # groups inside groups shown by the builder (check_rule allows up to 6)

OPS = {"all": "全部满足", "any": "满足其一", "not": "不满足"}
KIND_LABELS = {
    "age": "年龄",
    "category": "人员类别",
    "economic": "经济状况",
    "assessment_grade": "能力评估等级",
    "disability_grade": "残疾等级",
    "key_group": "重点对象",
    "dwelling": "居住方式",
    "alive": "在册（未死亡、未迁出）",
    "residence": "居住地",
    "hukou": "户籍地",
    "manual": "需人工核定",
}
# What each multi-choice condition may hold, in the order the form shows them.
CHOICES: dict[str, list[tuple[str, str]]] = {
    "category": [(k, v) for k, v in CATEGORY_LABELS.items() if k not in ECONOMIC],
    "economic": [(k, CATEGORY_LABELS[k]) for k in ECONOMIC],
    "assessment_grade": [(str(k), v) for k, v in GRADE_LABELS.items()],
    "disability_grade": [(g, g) for g in DISABILITY_GRADES],
    "key_group": [(g, groups.label(g)) for g in groups.KEY_GROUPS],
    "dwelling": list(DWELLINGS.items()),
}


# --- JSON → Chinese ------------------------------------------------------------------------


def _or(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return "、".join(labels[:-1]) + "或" + labels[-1]


def describe(rule: Rule, region_names: Mapping[str, str] | None = None) -> str:
    """The rule in plain Chinese. `region_names`: region prefix → name (else the code)."""
    return _describe(rule, region_names or {}, top=True)


def _describe(rule: Any, names: Mapping[str, str], *, top: bool = False) -> str:
    if not isinstance(rule, dict):
        return "（条件无效）"
    if "all" in rule or "any" in rule:
        is_all = "all" in rule
        items = rule["all" if is_all else "any"] or []
        if is_all and len(items) > 1:
            # 在册 goes without saying beside other conditions (the lists count the living).
            items = [p for p in items if p != {"kind": "alive"}] or items
        parts = [_describe(p, names) for p in items]
        if not parts:
            return "（空条件组）"
        if len(parts) == 1:
            return parts[0]
        text = "，且".join(parts) if is_all else "；或".join(parts)
        return text if top else f"（{text}）"
    if "not" in rule:
        return (
            f"不{_describe(rule['not'], names)}"
            if _leafish(rule["not"])
            else (f"不满足{_describe(rule['not'], names)}")
        )
    return _leaf(rule, names)


def _leafish(rule: Any) -> bool:
    return (
        isinstance(rule, dict)
        and "kind" in rule
        and rule["kind"]
        in (
            "category",
            "economic",
            "key_group",
        )
    )


def _leaf(rule: dict[str, Any], names: Mapping[str, str]) -> str:
    kind = rule.get("kind")
    values = rule.get("in") or []
    if kind == "age":
        lo, hi = rule.get("min"), rule.get("max")
        return f"{lo}周岁及以上" if hi is None else f"{lo}至{hi}周岁"
    if kind in ("category", "economic"):
        return "为" + _or([CATEGORY_LABELS.get(v, str(v)) for v in values])
    if kind == "assessment_grade":
        return "能力评估为" + _or([GRADE_LABELS.get(v, str(v)) for v in values])
    if kind == "disability_grade":
        return "残疾等级为" + _or([str(v) for v in values])
    if kind == "key_group":
        if "in" not in rule:
            return "属于重点对象"
        return "属于重点对象中的" + _or([groups.label(v) for v in values])
    if kind == "dwelling":
        return _or(["居家" if v == "home" else "住在养老机构" for v in values])
    if kind == "alive":
        return "在册"
    if kind in ("residence", "hukou"):
        code = str(rule.get("region", ""))
        where = names.get(code, code)
        return f"居住在{where}" if kind == "residence" else f"户籍在{where}"
    if kind == "manual":
        return f"经人工核定“{rule.get('label', '')}”"
    return "（条件无效）"


def describe_bands(bands: list[dict[str, Any]]) -> str:
    """A standard's bands: “80–89周岁（80至89周岁）：100；…”, “由地方确定” for no amount."""
    return "；".join(
        f"{b.get('band', '')}"
        + (f"（{describe(b['when'])}）" if b.get("when") else "")
        + f"：{b.get('value') or '由地方确定'}"
        for b in bands
    )


def region_prefixes(rule: Any) -> set[str]:
    """The region prefixes a rule names (for `describe`'s names)."""
    if not isinstance(rule, dict):
        return set()
    if "all" in rule or "any" in rule:
        return {c for p in rule.get("all", rule.get("any")) or [] for c in region_prefixes(p)}
    if "not" in rule:
        return region_prefixes(rule["not"])
    return {str(rule["region"])} if rule.get("kind") in ("residence", "hukou") else set()


# --- JSON ↔ the builder's fields ------------------------------------------------------------


Fields = dict[str, list[str]]


def to_fields(rule: Rule, path: str = ROOT) -> Fields:
    """The rule as the builder's flat fields (every value a list, like a QueryDict)."""
    out: Fields = {}
    if path == ROOT and not any(k in rule for k in ("all", "any", "not")):
        rule = {"all": [rule]}  # the form always starts with a group
    if "all" in rule or "any" in rule or "not" in rule:
        op = "all" if "all" in rule else "any" if "any" in rule else "not"
        children = rule[op] if op != "not" else [rule["not"]]
        out[f"{path}.type"] = ["group"]
        out[f"{path}.op"] = [op]
        for i, child in enumerate(children):
            out.update(to_fields(child, f"{path}.{i}"))
        return out
    kind = str(rule.get("kind", ""))
    out[f"{path}.type"] = [kind]
    if kind == "age":
        out[f"{path}.min"] = [str(rule.get("min", ""))]
        out[f"{path}.max"] = ["" if rule.get("max") is None else str(rule["max"])]
        if "max" in rule and rule["max"] is None:
            out[f"{path}.max_null"] = ["1"]
    elif kind in CHOICES and "in" in rule:
        out[f"{path}.in"] = [str(v) for v in rule["in"]]
        # The order the JSON lists them in (a browser sends ticked boxes in page order).
        out[f"{path}.order"] = [",".join(str(v) for v in rule["in"])]
    elif kind in ("residence", "hukou"):
        out[f"{path}.region"] = [str(rule.get("region", ""))]
    elif kind == "manual":
        out[f"{path}.label"] = [str(rule.get("label", ""))]
    return out


@dataclass
class Parsed:
    rule: Rule | None
    errors: dict[str, list[str]] = field(default_factory=dict)  # path → Chinese messages


def from_fields(
    data: Mapping[str, list[str]], resolve_region: Callable[[str], str | None]
) -> Parsed:
    """The builder's fields → the rule, with Chinese errors by node path.

    `resolve_region(text)` turns a typed region name (or code) into its code prefix, or None.
    """
    errors: dict[str, list[str]] = {}
    rule = _node(data, ROOT, errors, resolve_region, depth=0)
    if rule is not None and "all" in rule and len(rule["all"]) == 1:
        rule = rule["all"][0]  # a top-level group of one condition is that condition
    if rule is None and not errors:
        errors.setdefault(ROOT, []).append("请至少添加一个条件")
    if rule is not None and not errors:
        problems = check_rule(rule)
        if problems:
            errors.setdefault(ROOT, []).extend(problems)
    return Parsed(rule if not errors else None, errors)


def _one(data: Mapping[str, list[str]], key: str) -> str:
    values = data.get(key) or [""]
    return str(values[0]).strip()


def _node(
    data: Mapping[str, list[str]],
    path: str,
    errors: dict[str, list[str]],
    resolve_region: Callable[[str], str | None],
    depth: int,
) -> Rule | None:
    kind = _one(data, f"{path}.type")
    if not kind or _one(data, f"{path}.remove"):
        return None
    if kind == "group":
        op = _one(data, f"{path}.op")
        if op not in OPS:
            errors.setdefault(path, []).append("请选择“全部满足”“满足其一”或“不满足”")
            return None
        if depth > MAX_NESTING:
            errors.setdefault(path, []).append("条件组嵌套层数过多")
            return None
        children = [
            c
            for i in range(MAX_CHILDREN)
            if (c := _node(data, f"{path}.{i}", errors, resolve_region, depth + 1)) is not None
        ]
        if not children:
            if path != ROOT:
                errors.setdefault(path, []).append("条件组里至少要有一个条件，或删除这个组")
            return None
        if op == "not":
            return {"not": children[0] if len(children) == 1 else {"any": children}}
        return {op: children}
    if kind not in KIND_LABELS:
        errors.setdefault(path, []).append("请选择条件类型")
        return None
    return _leaf_from(data, path, kind, errors, resolve_region)


def _int(text: str) -> int | None:
    import unicodedata

    text = unicodedata.normalize("NFKC", text).strip()
    return int(text) if text.isdigit() and len(text) <= 3 else None


def _leaf_from(
    data: Mapping[str, list[str]],
    path: str,
    kind: str,
    errors: dict[str, list[str]],
    resolve_region: Callable[[str], str | None],
) -> Rule | None:
    rule: Rule = {"kind": kind}
    if kind == "age":
        lo, hi_text = _int(_one(data, f"{path}.min")), _one(data, f"{path}.max")
        hi = _int(hi_text) if hi_text else None
        if lo is None or lo > 150:
            errors.setdefault(path, []).append("请填写年龄下限（0–150 的整数，如 80）")
            return None
        if hi_text and (hi is None or hi < lo):
            errors.setdefault(path, []).append("年龄上限须是不小于下限的整数，没有上限请留空")
            return None
        rule["min"] = lo
        if hi is not None or _one(data, f"{path}.max_null"):
            rule["max"] = hi
        return rule
    if kind in CHOICES:
        allowed = [v for v, _ in CHOICES[kind]]
        picked = list(dict.fromkeys(v for v in data.get(f"{path}.in", []) if v in allowed))
        if kind == "key_group" and not picked:
            return rule  # any key group
        if not picked:
            errors.setdefault(path, []).append(f"请至少勾选一项{KIND_LABELS[kind]}")
            return None
        before = [v for v in _one(data, f"{path}.order").split(",") if v]
        rank = {v: i for i, v in enumerate([*before, *allowed]) if v not in before[:i]}
        values: list[Any] = sorted(picked, key=lambda v: rank.get(v, len(rank)))
        rule["in"] = [int(v) for v in values] if kind == "assessment_grade" else values
        return rule
    if kind in ("residence", "hukou"):
        text = _one(data, f"{path}.region")
        code = resolve_region(text) if text else None
        if code is None:
            errors.setdefault(path, []).append(
                f"请选择{KIND_LABELS[kind]}：输入区划名称的一部分，再从列表中选择"
            )
            return None
        rule["region"] = code
        return rule
    if kind == "manual":
        label = _one(data, f"{path}.label")[:100]
        if not label:
            errors.setdefault(path, []).append("请写明需人工核定的内容，如“本人有入住意愿”")
            return None
        rule["label"] = label
        return rule
    return rule  # alive


# --- the tree the template draws ---------------------------------------------------------


@dataclass
class Node:
    path: str
    type: str
    depth: int
    op: str = "all"
    children: list[Node] = field(default_factory=list)
    values: Fields = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def value(self, name: str) -> str:
        return (self.values.get(name) or [""])[0]

    def picked(self) -> list[str]:
        return self.values.get("in", [])


def tree(
    data: Mapping[str, list[str]],
    errors: Mapping[str, list[str]] | None = None,
    path: str = ROOT,
    depth: int = 0,
) -> Node | None:
    """The builder's fields as nested nodes for the template (removed nodes are dropped)."""
    errors = errors or {}
    kind = _one(data, f"{path}.type")
    if not kind or _one(data, f"{path}.remove"):
        return None
    prefix = f"{path}."
    own = {
        k[len(prefix) :]: list(v)
        for k, v in data.items()
        if k.startswith(prefix) and "." not in k[len(prefix) :]
    }
    node = Node(path, kind, depth, values=own, errors=list(errors.get(path, [])))
    if kind == "group":
        node.op = _one(data, f"{path}.op") or "all"
        for i in range(MAX_CHILDREN):
            child = tree(data, errors, f"{path}.{i}", depth + 1)
            if child is not None:
                node.children.append(child)
    return node


def add_child(data: dict[str, list[str]], path: str, kind: str) -> None:
    """Add a new empty condition (or group) under the group at `path`, in place."""
    used = [i for i in range(MAX_CHILDREN) if f"{path}.{i}.type" in data]
    nxt = (max(used) + 1) if used else 0
    if nxt >= MAX_CHILDREN:
        return
    child = f"{path}.{nxt}"
    if kind == "group":
        data[f"{child}.type"] = ["group"]
        data[f"{child}.op"] = ["any"]
    elif kind in KIND_LABELS:
        data[f"{child}.type"] = [kind]
        if kind == "age":
            data[f"{child}.min"] = ["60"]
