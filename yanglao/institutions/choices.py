"""Enumerations of the institution register (labels are what users read)."""

from __future__ import annotations

from django.db import models


class Ownership(models.TextChoices):
    PUBLIC = "public", "公办"
    PUBLIC_PRIVATE = "public_private", "公建民营"
    PRIVATE = "private", "民办"


class ProfitKind(models.TextChoices):
    NONPROFIT = "nonprofit", "非营利"
    FORPROFIT = "forprofit", "营利"


class Medical(models.TextChoices):
    NONE = "none", "无内设医疗机构"
    CLINIC = "clinic", "医务室"
    NURSING_STATION = "nursing_station", "护理站"
    HOSPITAL = "hospital", "内设医院"


class OperatingStatus(models.TextChoices):
    PREPARING = "preparing", "筹建中"
    OPERATING = "operating", "运营中"
    SUSPENDED = "suspended", "暂停运营"
    CLOSED = "closed", "已停业"


class FilingStatus(models.TextChoices):
    UNFILED = "unfiled", "未备案"
    PENDING = "pending", "备案材料审核中"
    INCOMPLETE = "incomplete", "需补正材料"
    FILED = "filed", "已备案"


class FilingKind(models.TextChoices):
    NEW = "new", "首次备案"
    CHANGE = "change", "变更备案"
    CLOSURE = "closure", "停业备案"


class FilingDecision(models.TextChoices):
    SUBMITTED = "submitted", "待处理"
    RECEIPT = "receipt", "已出具备案回执"
    INCOMPLETE = "incomplete", "已告知补正"


class BedKind(models.TextChoices):
    GENERAL = "general", "普通床位"
    NURSING = "nursing", "护理型床位"
    DEMENTIA = "dementia", "失智照护床位"


class BedStatus(models.TextChoices):
    FREE = "free", "空闲"
    OCCUPIED = "occupied", "在住"
    OUT = "out", "停用"


class EndReason(models.TextChoices):
    DISCHARGE = "discharge", "出院（回家居住）"
    TRANSFER = "transfer", "转往其他机构"
    DEATH = "death", "去世"


# 备案 documents (养老机构管理办法 art. 9; [S 随州]): what the filing page asks for.
FILING_DOCUMENTS = (
    ("application", "备案申请书"),
    ("licence", "登记证书（营业执照或民办非企业单位登记证书、事业单位法人证书）"),
    ("premises", "服务场所权属证明或租赁合同"),
    ("fire", "消防验收或备案凭证"),
    ("pledge", "承诺书（符合建筑、消防、食品安全、医疗卫生、特种设备等强制性标准）"),
)


# --- Parts 3–4 and 特困 应养尽养: monthly report, prepaid fees, central-support requests ----


class CareBucket(models.TextChoices):
    """Residents by care grade in the monthly report: the five levels of GB/T 42195-2022
    老年人能力评估规范 (能力完好 … 完全失能) and those not yet assessed."""

    INTACT = "intact", "能力完好"
    MILD = "mild", "轻度失能"
    MODERATE = "moderate", "中度失能"
    SEVERE = "severe", "重度失能"
    TOTAL = "total", "完全失能"
    UNASSESSED = "unassessed", "未评定"


class StaffPost(models.TextChoices):
    CARER = "carer", "护理员"
    DOCTOR = "doctor", "医生"
    NURSE = "nurse", "护士"
    SOCIAL_WORKER = "social_worker", "社工"
    MANAGER = "manager", "管理人员"
    OTHER = "other", "其他人员"


class IncidentKind(models.TextChoices):
    """GB 38600-2019 服务防护 “九防” plus fire and other incidents."""

    CHOKING = "choking", "噎食"
    MISTAKEN_INTAKE = "mistaken_intake", "食品药品误食"
    PRESSURE_SORE = "pressure_sore", "压疮"
    SCALD = "scald", "烫伤"
    BED_FALL = "bed_fall", "坠床"
    FALL = "fall", "跌倒"
    WANDERING = "wandering", "走失"
    HARM = "harm", "他伤和自伤"
    ACTIVITY = "activity", "文体活动意外"
    FIRE = "fire", "火灾"
    OTHER = "other", "其他"


class PrepaidKind(models.TextChoices):
    """民发〔2024〕19号: the three kinds of prepaid money a home may hold."""

    SERVICE_FEE = "service_fee", "养老服务费（床位、照料护理、餐费）"
    DEPOSIT = "deposit", "押金"
    MEMBERSHIP = "membership", "会员费"


class RuleKey(models.TextChoices):
    """Policy values of reports and prepaid-fee supervision (OperatingRule rows)."""

    REPORT_DUE_DAY = "report_due_day", "月报截止日（次月几日前）"
    SERVICE_MONTHS_MAX = "service_months_max", "养老服务费预收最长月数"
    DEPOSIT_MULTIPLE_MAX = "deposit_multiple_max", "押金最高为月床位费的倍数"
    ASSETS_PERCENT_MAX = "assets_percent_max", "预收费用总额占净固定资产（不含已抵押）最高比例（%）"
    STOP_NOTICE_DAYS_MIN = "stop_notice_days_min", "停止服务提前告知最少天数"
    MEMBERSHIP_PRIVATE = "membership_private", "民办机构可否收取会员费（1可，0不可）"


class ComplaintStatus(models.TextChoices):
    OPEN = "open", "处理中"
    CLOSED = "closed", "已办结"


class SupportStatus(models.TextChoices):
    OPEN = "open", "申请中"
    WITHDRAWN = "withdrawn", "已撤回"
