"""Enumerations of community and home services (labels are what users read)."""

from __future__ import annotations

from django.db import models


class ProviderKind(models.TextChoices):
    HOME_SERVICE = "home_service", "居家养老服务企业"
    HOUSEKEEPING = "housekeeping", "家政企业（家政+养老）"
    PROPERTY = "property", "物业企业（物业+养老）"
    CATERING = "catering", "助餐服务企业"
    SOCIAL_ORG = "social_org", "社会组织"
    MEDICAL = "medical", "医疗卫生机构"
    COLLECTIVE = "collective", "村（居）委会"


class FacilityKind(models.TextChoices):
    EMBEDDED_CENTER = "embedded_center", "社区嵌入式养老服务中心"
    DAYCARE = "daycare", "日间照料中心"
    CANTEEN = "canteen", "敬老餐厅（老年食堂）"
    MEAL_POINT = "meal_point", "助餐点"
    MUTUAL_AID = "mutual_aid", "农村互助养老站点"
    COURTYARD = "courtyard", "养老大院"
    SERVICE_STATION = "service_station", "居家养老服务站"


class FilingStatus(models.TextChoices):
    UNFILED = "unfiled", "未备案"
    FILED = "filed", "已备案"
    CANCELLED = "cancelled", "已注销"


class OperatingStatus(models.TextChoices):
    OPERATING = "operating", "运营中"
    SUSPENDED = "suspended", "暂停服务"
    CLOSED = "closed", "已停止"


class ServiceCategory(models.TextChoices):
    """GB/T 43153-2023《居家养老上门服务基本规范》 service content, chapter 5."""

    LIFE_CARE = "life_care", "生活照料"
    BASIC_CARE = "basic_care", "基础照护"
    HEALTH = "health", "健康管理"
    VISITING = "visiting", "探访关爱"
    SPIRITUAL = "spiritual", "精神慰藉"
    ERRANDS = "errands", "委托代办"
    MODIFICATION = "modification", "家庭生活环境适老化改造"


class Unit(models.TextChoices):
    TIME = "time", "次"
    HOUR = "hour", "小时"
    MEAL = "meal", "餐"
    DAY = "day", "天"
    MONTH = "month", "月"
    ITEM = "item", "项"


class StaffRole(models.TextChoices):
    MANAGER = "manager", "负责人"
    WORKER = "worker", "服务人员"


class OrderSource(models.TextChoices):
    WINDOW = "window", "窗口申请"
    FAMILY = "family", "本人或家属申请"
    VISIT = "visit", "巡访转介"
    ENTITLEMENT = "entitlement", "按待遇生成"
    API = "api", "服务商系统"


class OrderStatus(models.TextChoices):
    REQUESTED = "requested", "待受理"
    ASSESSING = "assessing", "待评估"
    AGREED = "agreed", "已签约待派单"
    DISPATCHED = "dispatched", "已派单"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"


class LogStatus(models.TextChoices):
    IN_SERVICE = "in_service", "服务中"
    AWAITING = "awaiting", "待确认"
    CONFIRMED = "confirmed", "已确认"
    DISPUTED = "disputed", "有异议"
    NO_SHOW = "no_show", "未上门"
    CANCELLED = "cancelled", "已取消"


class ConfirmMethod(models.TextChoices):
    SIGNATURE = "signature", "现场签字"
    SMS = "sms", "短信验证码"
    WINDOW = "window", "窗口核实"


class Payer(models.TextChoices):
    ENTITLEMENT = "entitlement", "基本养老服务补贴"
    LTC = "ltc", "长期护理保险"
    PERSON = "person", "个人自付"


class SettlementStatus(models.TextChoices):
    DRAFT = "draft", "待审核"
    APPROVED = "approved", "已审核（冻结）"
    VOID = "void", "已作废"
