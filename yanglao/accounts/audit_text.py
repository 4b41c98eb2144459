"""The audit log read as sentences (issue 14 part 2): the action's Chinese label, the object's
name and, field by field, old → new with Chinese field names and values — never a Python
dict. Field names come from the models' verbose_name, values from their choices (read
through the app registry at run time, so this module imports no app above accounts); keys
that are not model fields have a label here. Apps above register a formatter for values of
their own shape (the benefits app: an eligibility rule in Chinese) with `register_value`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps

from yanglao.core.audit import ACTION_LABELS
from yanglao.core.models import AuditEvent

# Keys written by services that are not model fields (core.audit callers), in Chinese.
KEY_LABELS: dict[str, str] = {
    "added": "新增",
    "adjusted": "调整",
    "about_prepaid": "涉及预收费用",
    "amount": "金额",
    "application": "申请",
    "applications_closed": "办结的申请数",
    "approve": "同意",
    "approved": "同意",
    "approved_by": "批准人",
    "bed": "床位",
    "cancelled": "取消数",
    "candidates": "应保未保人数",
    "certificate_no": "证书编号",
    "change": "变更单",
    "changed": "修改内容",
    "clauses": "评分条款",
    "cleared": "清除",
    "complaint": "投诉",
    "conclusion": "结论",
    "contacts": "紧急联系人数",
    "counts": "数量",
    "created": "新建",
    "data": "配置内容",
    "date": "日期",
    "decision": "办理结果",
    "documents": "材料",
    "drawn": "抽中数",
    "due": "期限",
    "eligible": "符合条件",
    "entitlement": "待遇",
    "event": "事件",
    "filing": "备案",
    "filter": "筛选条件",
    "filters": "筛选条件",
    "findings": "问题数",
    "follow_ups_moved": "转移的跟进事项数",
    "from": "自",
    "households": "户数",
    "ineligible_acknowledged": "已知悉系统核对不符合",
    "inspected_on": "检查日期",
    "inspectors": "检查人员数",
    "item": "项目",
    "items": "事项",
    "jurisdictions": "辖区授权",
    "kinds": "类型",
    "late": "逾期",
    "left": "剩余恢复码",
    "level": "层级或等级",
    "mapping": "列对应",
    "month": "月份",
    "n": "人数",
    "new": "新值",
    "new_grade": "评估等级变化",
    "note": "说明",
    "offline": "离线录入",
    "open_tasks_moved": "转移的巡访任务数",
    "operator": "经办人",
    "organisation": "所属部门",
    "path": "页面地址",
    "method": "请求方式",
    "people": "人数",
    "person": "老年人",
    "persons": "人数",
    "photos": "照片数",
    "pledge": "承诺书",
    "previous_version": "上一版本",
    "reason": "原因",
    "reason_code": "原因类别",
    "region_code": "居住村（社区）",
    "household_region_code": "户籍地",
    "reasons": "理由",
    "receipt_no": "回执编号",
    "remembered_mapping": "沿用上次的列对应",
    "renamed": "更名",
    "replaced": "替代的待遇",
    "requested_by": "申请人",
    "restored": "恢复",
    "retired": "停用",
    "rows": "行数",
    "rows_changed": "变更行数",
    "rule": "对象条件",
    "seconds": "用时（秒）",
    "seed": "随机种子",
    "size": "文件大小（字节）",
    "standard": "服务标准",
    "start": "开始日期",
    "status": "状态",
    "status_lost": "失去资格",
    "step": "环节",
    "stopped": "停发项目",
    "submit": "提交",
    "system_check": "系统核对",
    "tag_counts": "各类别人数",
    "tags": "类别数",
    "tags_ended": "结束的类别数",
    "target": "目标",
    "task": "检查任务",
    "tasks": "任务",
    "to": "至",
    "today": "日期",
    "token": "令牌",
    "tokens_ended": "结束的令牌数",
    "total": "总分",
    "totals": "合计",
    "turned_90": "年满90周岁",
    "turned_100": "年满100周岁",
    "unstaffed": "缺检查人员",
    "version": "版本",
    "via": "途径",
    "violations": "违规项",
    "warnings": "提示",
    "written": "写入",
    "year": "年度",
}
# Values written by services that are not model choices.
VALUE_LABELS: dict[str, str] = {
    "form": "表单",
    "api": "接口",
    "external_list": "外部名单",
    "generator": "系统生成",
    "import": "台账导入",
    "institution": "养老机构入住",
    "accept": "受理",
    "review": "审核",
    "approve": "审批",
    "edit": "办理",
    "search": "查询",
    "stats": "统计",
    "deceased": "死亡",
    "moved_out": "迁出",
    "alive": "在世",
    "disabled": "失能",
}
MODES = {"edit": "办理", "search": "查询", "stats": "统计"}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_CODE12 = re.compile(r"^[0-9]{12}$")
_JURISDICTION = re.compile(r"^([0-9]{12}):(edit|search|stats)$")

ValueFormatter = Callable[[Any], str]
# Keys a person has no use for (the view's internal name of a refused request).
HIDDEN_KEYS = frozenset({"view"})
REQUEST_METHODS = {"GET": "打开页面", "HEAD": "打开页面", "POST": "提交", "PUT": "提交"}
HTTP_STATUS = {403: "无此权限", 404: "不存在或不在管辖范围", 405: "不支持的操作"}


def _reason(value: Any) -> str:
    """'PermissionDenied: 无此权限' → '无此权限' (the exception's name is for developers)."""
    text = str(value or "")
    return text.split(": ", 1)[1] if re.match(r"^[A-Za-z_.0-9]+: ", text) else text or "（空）"


_VALUE_FORMATTERS: dict[str, ValueFormatter] = {
    "method": lambda v: REQUEST_METHODS.get(str(v), str(v)),
    "reason": _reason,
}
_KEY_VALUES: dict[str, dict[str, str]] = {}


def register_value(key: str, formatter: ValueFormatter) -> None:
    """An app above declares how a value of its own shape reads (e.g. "rule")."""
    _VALUE_FORMATTERS[key] = formatter


def register_labels(key: str, labels: dict[str, str]) -> None:
    """An app above names the values a key holds (e.g. "documents": 备案 documents)."""
    _KEY_VALUES.setdefault(key, {}).update(labels)


@dataclass(frozen=True)
class FieldInfo:
    label: str
    choices: dict[str, str]


@cache
def _catalogue() -> tuple[
    dict[str, dict[str, FieldInfo]], dict[str, FieldInfo], dict[str, str], dict[str, dict[str, str]]
]:
    """(model name → field name → info, field name → info, any unambiguous choice value →
    label, field name → the choices of every field of that name)."""
    by_model: dict[str, dict[str, FieldInfo]] = {}
    by_name: dict[str, FieldInfo] = {}
    values: dict[str, str] = {}
    ambiguous: set[str] = set()
    named: dict[str, dict[str, str]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("yanglao."):
            continue
        fields: dict[str, FieldInfo] = {}
        for f in model._meta.get_fields():
            label = str(getattr(f, "verbose_name", "") or "")
            if not label or label == f.name.replace("_", " "):
                continue
            choices = {str(k): str(v) for k, v in (getattr(f, "flatchoices", None) or [])}
            info = FieldInfo(label, choices)
            fields[f.name] = info
            attname = getattr(f, "attname", f.name)
            fields.setdefault(attname, info)
            by_name.setdefault(f.name, info)
            by_name.setdefault(attname, info)
            for k, v in choices.items():
                named.setdefault(f.name, {}).setdefault(k, v)
                if values.get(k, v) != v:
                    ambiguous.add(k)
                values.setdefault(k, v)
        by_model[model._meta.model_name or ""] = fields
    unambiguous = {k: v for k, v in values.items() if k not in ambiguous}
    return by_model, by_name, unambiguous, named


def _model_fields(object_type: str) -> dict[str, FieldInfo]:
    by_model = _catalogue()[0]
    name = object_type.replace("_", "")
    if name in by_model:
        return by_model[name]
    for prefix in ("benefit", "visit", "institution", "spotcheck", "assessment"):
        short = name.removeprefix(prefix)
        if short != name and short in by_model:
            return by_model[short]
    return {}


def _info(key: str, object_type: str) -> FieldInfo | None:
    """The field of the event's own model, else (for keys that are not ours) any model's."""
    own = _model_fields(object_type).get(key)
    if own is not None or key in KEY_LABELS:
        return own
    return _catalogue()[1].get(key)


def key_label(key: str, object_type: str = "") -> str:
    info = _info(key, object_type)
    if info is not None:
        return info.label
    if key in KEY_LABELS:
        return KEY_LABELS[key]
    return _enum_label(key) or (key if not re.fullmatch(r"[a-z][a-z0-9_]*", key) else "其他")


def _enum_label(text: str) -> str | None:
    return VALUE_LABELS.get(text) or _catalogue()[2].get(text)


def _region_name(code: str) -> str | None:
    from yanglao.regions.models import Region

    return Region.objects.filter(code=code).values_list("name", flat=True).first()


def value_text(value: Any, key: str = "", object_type: str = "") -> str:
    """One value as a person reads it."""
    if key in _VALUE_FORMATTERS:
        try:
            return _VALUE_FORMATTERS[key](value)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return "、".join(value_text(v, key, object_type) for v in value) if value else "无"
    if isinstance(value, dict):
        return (
            "；".join(
                f"{key_label(str(k), object_type)}：{value_text(v, str(k), object_type)}"
                for k, v in value.items()
            )
            or "无"
        )
    text = str(value)
    if text in _KEY_VALUES.get(key, {}):
        return _KEY_VALUES[key][text]
    info = _info(key, object_type)
    if info is not None and text in info.choices:
        return info.choices[text]
    if text in _catalogue()[3].get(key, {}):
        return _catalogue()[3][key][text]
    if m := _JURISDICTION.match(text):
        return f"{_region_name(m.group(1)) or m.group(1)}（{MODES[m.group(2)]}）"
    if _CODE12.match(text):
        return _region_name(text) or text
    if _UUID.match(text):
        return f"编号{text[:8]}"
    if re.fullmatch(r"[a-z][a-z0-9_]*", text):
        return _enum_label(text) or text
    return text


@dataclass(frozen=True)
class Line:
    label: str
    old: str | None  # None: not a change, just a value
    new: str


def _is_change(key: str, value: Any, object_type: str, diff: bool) -> bool:
    """{"field": [old, new]} (core.audit.diff) for a model field."""
    if not (isinstance(value, list) and len(value) == 2):
        return False
    return diff or key in _model_fields(object_type) or key == "status"


def lines(changes: Any, object_type: str = "", *, diff: bool = False) -> list[Line]:
    """The event's changes, one line per field (`diff`: every value is [old, new])."""
    if not isinstance(changes, dict):
        return [Line("内容", None, value_text(changes))] if changes not in (None, "", []) else []
    out: list[Line] = []
    for key, value in changes.items():
        if key in HIDDEN_KEYS:
            continue
        if key == "status" and object_type == "request" and value in HTTP_STATUS:
            out.append(Line("结果", None, HTTP_STATUS[value]))
        elif key == "changed" and isinstance(value, dict):
            out.extend(lines(value, object_type, diff=True))
        elif _is_change(key, value, object_type, diff):
            out.append(
                Line(
                    key_label(key, object_type),
                    value_text(value[0], key, object_type),
                    value_text(value[1], key, object_type),
                )
            )
        else:
            out.append(Line(key_label(key, object_type), None, value_text(value, key, object_type)))
    return out


@dataclass(frozen=True)
class Sentence:
    event: AuditEvent
    action: str
    object: str
    region: str
    lines: list[Line]


def sentences(events: Iterable[AuditEvent]) -> list[Sentence]:
    from yanglao.regions.models import Region

    events = list(events)
    regions = dict(
        Region.objects.filter(
            code__in={e.region_code for e in events if e.region_code}
        ).values_list("code", "name")
    )
    return [
        Sentence(
            event=e,
            action=ACTION_LABELS.get(e.action, "其他操作"),
            object=e.object_label or (f"编号{e.object_id[:8]}" if e.object_id else ""),
            region=regions.get(e.region_code, ""),
            lines=lines(e.changes, e.object_type),
        )
        for e in events
    ]
