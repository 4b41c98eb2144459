"""Coded values of the basic elderly-care service list, applications, entitlements and rolls."""

from __future__ import annotations

from django.db import models


class ItemCategory(models.TextChoices):  # 中办发〔2022〕42号: three kinds of basic services
    MATERIAL = "material", "物质帮助"
    CARE = "care", "照护服务"
    CARING = "caring", "关爱服务"


class Level(models.TextChoices):
    NATIONAL = "national", "国家"
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县（区）"


class AppStatus(models.TextChoices):
    ACCEPTED = "accepted", "村（社区）已受理，待乡镇（街道）审核"
    REVIEWED = "reviewed", "乡镇（街道）已审核，待县（区）审批"
    APPEALED = "appealed", "已申诉，待县（区）复核"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"


OPEN_STATUSES = (AppStatus.ACCEPTED, AppStatus.REVIEWED, AppStatus.APPEALED)


class Step(models.TextChoices):
    ACCEPT = "accept", "村（社区）受理"
    REVIEW = "review", "乡镇（街道）审核"
    APPROVE = "approve", "县（区）审批"
    APPEAL = "appeal", "申诉"
    RECHECK = "recheck", "县（区）复核"


class RefusalReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", "不符合条件"
    DOCUMENTS = "documents", "材料不全或不实"
    OVERLAP = "overlap", "与已享受待遇不能同时享受"
    DUPLICATE = "duplicate", "已在其他地区享受"
    NOT_RESIDENT = "not_resident", "非本地户籍或常住"
    OTHER = "other", "其他（须说明）"


class StopReason(models.TextChoices):  # §4.4 fixed list of stop reasons
    DEATH = "death", "死亡"
    MOVED_OUT = "moved_out", "迁出本县（户籍或居住地）"
    LOST_STATUS = "lost_status", "不再符合条件（低保/特困/低收入资格丧失等）"
    DUPLICATE = "duplicate", "重复享受（多地领取）"
    WAIVER = "waiver", "本人自愿放弃"
    UNREACHABLE = "unreachable", "无法联系本人"
    CORRECTION = "correction", "数据更正后不符合条件"
    POLICY = "policy", "政策调整"
    CERTIFICATION = "certification", "未通过每月认证"
    REPLACED = "replaced", "改发更高待遇（择高）"
    OTHER = "other", "其他（须说明）"


class OverlapKind(models.TextChoices):
    ALLOWED = "allowed", "可同时享受"
    EXCLUSIVE = "exclusive", "不能同时享受"
    CHOOSE_HIGHER = "choose_higher", "择高享受"


class TaskKind(models.TextChoices):
    DEATH = "death", "死亡"
    MOVED_OUT = "moved_out", "户籍迁出"
    STATUS_LOST = "status_lost", "不再符合条件"
    NEW_GRADE = "new_grade", "能力评估等级变化"
    TURNED_90 = "turned_90", "年满90周岁"
    TURNED_100 = "turned_100", "年满100周岁"
    DUPLICATE = "duplicate", "疑似多地重复享受"
    ROSTER = "roster", "低保名单核对"
    MOVED_IN = "moved_in", "跨县迁入"


class TaskStatus(models.TextChoices):
    OPEN = "open", "待处理"
    DONE = "done", "已处理"


class TaskOutcome(models.TextChoices):
    NO_CHANGE = "no_change", "核实无变化"
    CHANGED = "changed", "已调整（停旧发新）"
    STOPPED = "stopped", "已停发"
    AUTO = "auto", "系统已按规则停发"


class RollStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    APPROVED = "approved", "已审定（冻结）"


class LineKind(models.TextChoices):
    NEW = "new", "新增"
    REGULAR = "regular", "正常发放"
    CHANGED = "changed", "标准变更"
    BACK_PAY = "back_pay", "补发"
    STOPPED = "stopped", "停发"
    RECOVERY = "recovery", "多发追回"


class ImportKind(models.TextChoices):
    DEATHS = "deaths", "死亡名单（公安/殡葬）"
    MOVES = "moves", "户籍迁出名单"
    MINIMUM_LIVING = "minimum_living", "低保名单"
    PAID_ELSEWHERE = "paid_elsewhere", "外地发放名单（查重复享受）"
