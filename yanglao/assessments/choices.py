"""Coded values of the assessment form (GB/T 42195-2022 appendices A and C)."""

from __future__ import annotations

from django.db import models

from yanglao.people.choices import Relation


class Standard(models.TextChoices):
    GBT_42195 = "GB/T 42195-2022", "GB/T 42195-2022 老年人能力评估规范"
    LTC_2021 = "LTC-2021", "长期护理失能等级评估标准（试行）2021"


class Reason(models.TextChoices):  # A.1.3
    FIRST = "first", "首次评估"
    ROUTINE = "routine", "常规评估"
    IMMEDIATE = "immediate", "即时评估"
    REVIEW = "review", "因对评估结果有疑问进行的复评"
    OTHER = "other", "其他"


class Status(models.TextChoices):
    DRAFT = "draft", "填写中"
    SUBMITTED = "submitted", "待复核"
    FINAL = "final", "已确认"


# A.3.2 信息提供者与老年人的关系: the ledger's contact relations (same list) plus 本人.
ProviderRelation = models.TextChoices(  # type: ignore[call-overload]
    "ProviderRelation",
    [("SELF", ("self", "本人")), *((m.name, (m.value, m.label)) for m in Relation)],
)


class ConfigStatus(models.TextChoices):
    TRIAL = "trial", "试行/待核"
    CONFIRMED = "confirmed", "已核对"


# A.4.1 diseases other than the two mental-disorder groups (those carry an exact ICD-10 code,
# who diagnosed it and whether it is confirmed, because they move the grade).
DISEASES: list[tuple[str, str]] = [
    ("hypertension", "高血压病 I10～I15"),
    ("chd", "冠心病 I25"),
    ("diabetes", "糖尿病 E10～E14"),
    ("pneumonia", "肺炎 J12～J18"),
    ("copd", "慢性阻塞性肺疾病 J44"),
    ("ich", "脑出血 I60～I62"),
    ("infarction", "脑梗塞 I63"),
    ("uti", "尿路感染（30天内）"),
    ("parkinson", "帕金森综合征 G20～G22"),
    ("ckd", "慢性肾衰竭 N18～N19"),
    ("cirrhosis", "肝硬化 K74"),
    ("ulcer", "消化性溃疡 K20～K31"),
    ("tumour", "肿瘤 C00～D48"),
    ("amputation", "截肢（6个月内）"),
    ("fracture", "骨折（3个月内）M84"),
    ("epilepsy", "癫痫 G40"),
    ("hypothyroid", "甲状腺功能减退症 E01～E03"),
    ("cataract", "白内障 H25～H26"),
    ("glaucoma", "青光眼 H40～H42"),
    ("osteoporosis", "骨质疏松症 M80～M82"),
    ("other", "其他"),
]
DISEASE_LABELS = dict(DISEASES)

# A.5 健康相关问题: single-choice fields (key, label, options).
HEALTH_CHOICES: list[tuple[str, str, list[str]]] = [
    ("pressure_injury", "A.5.1 压力性损伤", ["无", "Ⅰ期", "Ⅱ期", "Ⅲ期", "Ⅳ期", "不可分期"]),
    ("joint", "A.5.2 关节活动度", ["无，不影响日常生活", "是，影响日常生活", "无法判断"]),
    ("pain", "A.5.5 疼痛感", ["无", "轻度", "中度", "重度", "无法判断"]),
    ("malnutrition", "A.5.9 营养不良", ["无", "有"]),
    ("airway", "A.5.10 清理呼吸道无效", ["无", "有"]),
]
# A.5 multi-choice fields.
HEALTH_MULTI: list[tuple[str, str, list[str]]] = [
    (
        "wounds",
        "A.5.3 伤口情况",
        ["擦伤", "烧烫伤", "术后伤口", "糖尿病足溃疡", "血管性溃疡", "其他"],
    ),
    (
        "special_care",
        "A.5.4 特殊护理情况",
        ["胃管", "尿管", "气管切开", "胃/肠/膀胱造瘘", "无创呼吸机", "透析", "其他"],
    ),
]
# A.5 free-text fields (detailed option lists of A.5.6–A.5.8 are not modelled yet).
HEALTH_TEXT: list[tuple[str, str]] = [
    ("joint_site", "A.5.2 受影响部位"),
    ("teeth", "A.5.6 牙齿缺失情况"),
    ("dentures", "A.5.7 义齿佩戴情况"),
    ("swallowing", "A.5.8 吞咽困难的情形和症状"),
    ("other", "A.5.12 其他"),
]
