"""Coded values of home visits (巡访关爱, policy-requirements §2)."""

from __future__ import annotations

from django.db import models

from yanglao.people import groups

# The key groups (重点对象) the monthly visit rate (月探访率) is measured over: the one
# definition in people.groups (独居、空巢、留守、特困、高龄、失能（含失智）、重残、计生特殊家庭).
SPECIAL_CATEGORIES: tuple[str, ...] = groups.KEY_GROUPS
HIGH_RISK = "high_risk"  # policy target: a person whose current risk level is high
GENERAL = "general"  # policy target: every other registered older person


def target_label(target: str) -> str:
    if target == HIGH_RISK:
        return "高风险"
    if target == GENERAL:
        return "其他在册老年人"
    return groups.label(target)


TARGETS: tuple[str, ...] = (*SPECIAL_CATEGORIES, HIGH_RISK, GENERAL)
TARGET_CHOICES = [(t, target_label(t)) for t in TARGETS]


class Period(models.TextChoices):
    """Visit frequency; declared strictest first (rules.STRICTNESS follows this order)."""

    WEEK = "week", "每周至少一次"
    MONTH = "month", "每月至少一次"
    QUARTER = "quarter", "每季度至少一次"


class Method(models.TextChoices):  # §2.1: 定期上门入户、电话视频、远程监测
    DOOR = "door", "上门入户"
    PHONE = "phone", "电话"
    VIDEO = "video", "视频"
    REMOTE = "remote", "远程监测"


class RiskLevel(models.TextChoices):
    NORMAL = "normal", "正常"
    ATTENTION = "attention", "需关注"
    HIGH = "high", "高风险"
    EMERGENCY = "emergency", "紧急"


class TaskStatus(models.TextChoices):
    PENDING = "pending", "待访"
    VISITED = "visited", "已访"
    OVERDUE = "overdue", "逾期"
    MISSED = "missed", "未访"
    CANCELLED = "cancelled", "已取消"


OPEN_TASK = (TaskStatus.PENDING, TaskStatus.OVERDUE)


class Area(models.TextChoices):
    """Structured findings (§2.3 R2.3; Tangshan checklist §2.2)."""

    HEALTH = "health", "身体健康"
    SAFETY = "safety", "安全与居住条件"
    ECONOMY = "economy", "经济状况"
    FAMILY = "family", "家庭赡养与支持"
    NEEDS = "needs", "服务需求"
    MENTAL = "mental", "精神状态"


class FindingLevel(models.TextChoices):
    OK = "ok", "良好"
    CONCERN = "concern", "需关注"
    SERIOUS = "serious", "问题严重"


class Need(models.TextChoices):  # Tangshan 海港区 checklist (§2.2)
    CARE = "care", "生活照料"
    MEALS = "meals", "助餐"
    MEDICAL = "medical", "就医协助"
    REHAB = "rehab", "康复护理"
    COMFORT = "comfort", "精神慰藉"
    ADAPT = "adapt", "适老化改造"
    AID = "aid", "救助帮扶"


class FollowUpKind(models.TextChoices):
    SERVICE = "service", "转介服务"
    ASSESSMENT = "assessment", "申请即时评估"
    EMERGENCY = "emergency", "紧急救助"
    OTHER = "other", "其他跟进"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "待办结"
    CLOSED = "closed", "已办结"
