"""Enumerations of the community programmes (labels are what users read)."""

from __future__ import annotations

from django.db import models


class ContractStatus(models.TextChoices):
    ACTIVE = "active", "履约中"
    ENDED = "ended", "已终止"


class BedDevice(models.TextChoices):
    NURSING_BED = "nursing_bed", "护理床"
    MATTRESS = "mattress", "防褥疮床垫"
    HANDRAIL = "handrail", "扶手"
    CALL_BUTTON = "call_button", "紧急呼叫器"
    MONITOR = "monitor", "智能监测设备"
    WHEELCHAIR = "wheelchair", "轮椅"
    COMMODE = "commode", "坐便椅"


class MealKind(models.TextChoices):
    BREAKFAST = "breakfast", "早餐"
    LUNCH = "lunch", "午餐"
    DINNER = "dinner", "晚餐"


MEAL_KIND_BY_LABEL = {label: value for value, label in MealKind.choices}


class MealSource(models.TextChoices):
    PHONE = "phone", "手机录入"
    TILL = "till", "收银系统导入"


class MealSettlementStatus(models.TextChoices):
    DRAFT = "draft", "待审核"
    APPROVED = "approved", "已审核（冻结）"


class CaseStatus(models.TextChoices):
    APPLIED = "applied", "已申请"
    ASSESSED = "assessed", "已入户评估"
    PLANNED = "planned", "已定改造方案"
    WORKS = "works", "施工中"
    ACCEPTED = "accepted", "已验收"
    SUBSIDISED = "subsidised", "已拨付补贴"
    REFUSED = "refused", "不予改造"


CASE_STEPS = (
    CaseStatus.APPLIED,
    CaseStatus.ASSESSED,
    CaseStatus.PLANNED,
    CaseStatus.WORKS,
    CaseStatus.ACCEPTED,
    CaseStatus.SUBSIDISED,
)


class AlarmKind(models.TextChoices):
    SOS = "sos", "一键呼叫"
    FALL = "fall", "跌倒报警"
    SMOKE = "smoke", "烟雾报警"
    GAS = "gas", "燃气泄漏报警"


class AlarmStatus(models.TextChoices):
    OPEN = "open", "待响应"
    DISPATCHED = "dispatched", "已派单"
    ARRIVED = "arrived", "已到达现场"
    CLOSED = "closed", "已办结"


class DispatchTo(models.TextChoices):
    WORKER = "worker", "责任巡访员"
    PROVIDER = "provider", "服务商"
    FAMILY = "family", "家属"
    NONE = "none", "待指派"
