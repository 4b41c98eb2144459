"""Coded values of the older-person ledger: GB/T 42195-2022 table A.2 and category tags."""

from __future__ import annotations

from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class LifeStatus(models.TextChoices):
    ALIVE = "alive", "在世"
    DECEASED = "deceased", "死亡"
    MOVED_OUT = "moved_out", "迁出"


class Education(models.TextChoices):  # A.2.9
    ILLITERATE = "illiterate", "文盲"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中/技校/中专"
    COLLEGE = "college", "大学专科及以上"
    UNKNOWN = "unknown", "不详"


class LivingArrangement(models.TextChoices):  # A.2.10, multiple
    ALONE = "alone", "独居"
    SPOUSE = "spouse", "与配偶居住"
    CHILDREN = "children", "与子女居住"
    PARENTS = "parents", "与父母居住"
    SIBLINGS = "siblings", "与兄弟姐妹居住"
    RELATIVES = "relatives", "与其他亲属居住"
    NON_RELATIVES = "non_relatives", "与非亲属关系的人居住"
    INSTITUTION = "institution", "养老机构"


class MaritalStatus(models.TextChoices):  # A.2.11
    UNMARRIED = "unmarried", "未婚"
    MARRIED = "married", "已婚"
    WIDOWED = "widowed", "丧偶"
    DIVORCED = "divorced", "离婚"
    UNSTATED = "unstated", "未说明"


class MedicalPayment(models.TextChoices):  # A.2.12, multiple; option list UNCONFIRMED
    EMPLOYEE_INSURANCE = "employee_insurance", "城镇职工基本医疗保险"
    RESIDENT_INSURANCE = "resident_insurance", "城乡居民基本医疗保险"
    SELF_PAID = "self_paid", "自费"
    CIVIL_SERVANT_SUBSIDY = "civil_servant_subsidy", "公务员补助"
    ENTERPRISE_SUPPLEMENTARY = "enterprise_supplementary", "企业补充保险"
    PUBLIC_MEDICAL = "public_medical", "公费医疗及医疗照顾对象"
    MEDICAL_ASSISTANCE = "medical_assistance", "医疗救助"
    CRITICAL_ILLNESS = "critical_illness", "大病保险"


class IncomeSource(models.TextChoices):  # A.2.13, multiple
    PENSION = "pension", "退休金/养老金"
    CHILDREN = "children", "子女补贴"
    RELATIVES = "relatives", "亲友资助"
    STATE_SUBSIDY = "state_subsidy", "国家普惠型补贴"
    SAVINGS = "savings", "个人储蓄"
    OTHER = "other", "其他补贴"


class Category(models.TextChoices):
    """Category tags with dates. 高龄 (80+) is derived from the birth date, never stored."""

    LIVING_ALONE = "living_alone", "独居"
    EMPTY_NEST = "empty_nest", "空巢"
    LEFT_BEHIND = "left_behind", "留守"
    SEVERE_DISABILITY = "severe_disability", "重残"
    BEREAVED_FAMILY = "bereaved_family", "计划生育特殊家庭"
    EXTREME_POVERTY = "extreme_poverty", "特困"
    MINIMUM_LIVING = "minimum_living", "低保"
    MARGINAL_LOW_INCOME = "marginal_low_income", "低保边缘"
    DISABLED = "disabled", "失能"


# 失能 is set by ability assessments (GB/T 42195-2022), not by hand.
SYSTEM_CATEGORIES = frozenset({Category.DISABLED})
# 重残 is derived from the disability record (grade 一级/二级); the tag value stays for the
# rows and audit events written before it was derived, but is never added any more.
DERIVED_CATEGORIES = frozenset({Category.SEVERE_DISABILITY})
ADVANCED_AGE = "advanced_age"  # the derived 高龄 filter value
ADVANCED_AGE_LABEL = "高龄（80周岁及以上）"
KEY_GROUP_FILTER = "key_group"  # list filter: any key group (people.groups)
DEMENTIA_FILTER = "dementia"  # list filter: 失智 recorded


class TagSource(models.TextChoices):
    MANUAL = "manual", "人工登记"
    IMPORT = "import", "批量导入"
    ASSESSMENT = "assessment", "能力评估"
    EXTERNAL = "external", "部门数据共享"
    DEMO = "demo", "演示数据"


class Dwelling(models.TextChoices):
    """Where the person lives: at home or in an elderly-care institution."""

    HOME = "home", "居家"
    INSTITUTION = "institution", "养老机构"


class DisabilityKind(models.TextChoices):
    """残疾类别 (GB/T 26341-2010); the value is the digit in the 残疾人证号 (19th place)."""

    VISUAL = "1", "视力残疾"
    HEARING = "2", "听力残疾"
    SPEECH = "3", "言语残疾"
    PHYSICAL = "4", "肢体残疾"
    INTELLECTUAL = "5", "智力残疾"
    MENTAL = "6", "精神残疾"
    MULTIPLE = "7", "多重残疾"


class DisabilityGrade(models.TextChoices):
    """残疾等级; the value is the digit in the 残疾人证号 (20th place). SEVERE_UNKNOWN marks
    records converted from the former 重残 tag without a grade: 一级 or 二级, not known which."""

    FIRST = "1", "一级"
    SECOND = "2", "二级"
    THIRD = "3", "三级"
    FOURTH = "4", "四级"
    SEVERE_UNKNOWN = "1-2", "一级或二级（待核实）"


# 重残 = 一级 or 二级 (the 重度残疾人护理补贴 threshold, policy-requirements §4.3).
SEVERE_GRADES = frozenset(
    {DisabilityGrade.FIRST, DisabilityGrade.SECOND, DisabilityGrade.SEVERE_UNKNOWN}
)


class DementiaSource(models.TextChoices):
    HOSPITAL = "hospital", "医院诊断"
    ASSESSMENT = "assessment", "能力评估"
    OTHER = "other", "其他"


class Relation(models.TextChoices):  # A.3.2
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    RELATIVE = "relative", "其他亲属"
    CAREGIVER = "caregiver", "雇佣照顾者"
    COMMITTEE = "committee", "村（居）民委员会工作人员"
    OTHER = "other", "其他"


# GB/T 3304-1991 民族名称罗马字母拼写法和代码 (numeric codes).
ETHNICITIES: list[tuple[str, str]] = [
    (f"{i:02d}", n)
    for i, n in enumerate(
        [
            "汉族",
            "蒙古族",
            "回族",
            "藏族",
            "维吾尔族",
            "苗族",
            "彝族",
            "壮族",
            "布依族",
            "朝鲜族",
            "满族",
            "侗族",
            "瑶族",
            "白族",
            "土家族",
            "哈尼族",
            "哈萨克族",
            "傣族",
            "黎族",
            "傈僳族",
            "佤族",
            "畲族",
            "高山族",
            "拉祜族",
            "水族",
            "东乡族",
            "纳西族",
            "景颇族",
            "柯尔克孜族",
            "土族",
            "达斡尔族",
            "仫佬族",
            "羌族",
            "布朗族",
            "撒拉族",
            "毛南族",
            "仡佬族",
            "锡伯族",
            "阿昌族",
            "普米族",
            "塔吉克族",
            "怒族",
            "乌孜别克族",
            "俄罗斯族",
            "鄂温克族",
            "德昂族",
            "保安族",
            "裕固族",
            "京族",
            "塔塔尔族",
            "独龙族",
            "鄂伦春族",
            "赫哲族",
            "门巴族",
            "珞巴族",
            "基诺族",
        ],
        start=1,
    )
] + [("97", "其他"), ("98", "外国血统中国籍人士")]
ETHNICITY_NAMES = dict(ETHNICITIES)

AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "60-69": (60, 69),
    "70-79": (70, 79),
    "80-89": (80, 89),
    "90+": (90, None),
}
