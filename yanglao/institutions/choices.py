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
