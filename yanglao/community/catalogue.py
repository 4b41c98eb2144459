"""The seeded service catalogue: GB/T 43153-2023《居家养老上门服务基本规范》 chapter 5's seven
categories with the sub-items implementers use (shared/docs/domain policy-requirements §7.1),
the 老年助餐 meal (民发〔2023〕58号) and the 家庭养老床位 monthly package."""

from __future__ import annotations

from typing import NamedTuple


class Seed(NamedTuple):
    code: str
    name: str
    category: str
    unit: str
    description: str
    needs_assessment: bool = False


CATALOGUE: tuple[Seed, ...] = (
    Seed("SC01", "助餐（上门送餐）", "life_care", "meal", "按餐送达家中"),
    Seed("SC02", "助餐（堂食）", "life_care", "meal", "在敬老餐厅或助餐点就餐"),
    Seed("SC03", "助浴", "life_care", "time", "上门或到站助浴", True),
    Seed("SC04", "助洁", "life_care", "hour", "居室清洁、衣物洗涤"),
    Seed("SC05", "助行", "life_care", "hour", "陪同出行、代步辅助"),
    Seed("SC06", "助医", "life_care", "time", "陪同就医、代取药品"),
    Seed("SC07", "助急", "life_care", "time", "紧急情况上门处置"),
    Seed("BC01", "生活照护", "basic_care", "hour", "进食、穿衣、如厕、移动等照护", True),
    Seed("BC02", "排泄护理", "basic_care", "time", "排泄照护与清洁", True),
    Seed("BC03", "用药照护", "basic_care", "time", "协助按时用药", True),
    Seed("BC04", "康复护理", "basic_care", "hour", "康复训练与护理", True),
    Seed("HM01", "健康监测", "health", "time", "血压、血糖等体征监测"),
    Seed("HM02", "健康咨询", "health", "time", "健康知识与用药咨询"),
    Seed("VC01", "上门探访", "visiting", "time", "上门探视、了解生活状况"),
    Seed("VC02", "应急处置", "visiting", "time", "紧急呼叫后的上门处置"),
    Seed("SP01", "陪伴聊天", "spiritual", "hour", "陪伴与情绪疏导"),
    Seed("SP02", "心理慰藉", "spiritual", "hour", "专业心理疏导", True),
    Seed("ER01", "代购代办", "errands", "time", "代购生活用品、代办事务"),
    Seed("ER02", "代缴费用", "errands", "time", "代缴水电气等费用"),
    Seed(
        "HB01", "家庭养老床位照护服务", "basic_care", "time", "家庭养老床位协议约定的上门照护", True
    ),
    Seed("MD01", "家庭适老化改造", "modification", "item", "按改造方案施工的项目", True),
)


def ensure_seeded() -> None:
    """Put the seeded catalogue back where a flush removed it (browser and transactional
    tests flush every table; the migration seeded it once)."""
    from yanglao.community.models import CatalogueItem

    if CatalogueItem.objects.filter(code__in=[c.code for c in CATALOGUE]).count() == len(CATALOGUE):
        return
    for c in CATALOGUE:
        CatalogueItem.objects.update_or_create(
            code=c.code,
            defaults={
                "name": c.name,
                "category": c.category,
                "unit": c.unit,
                "description": c.description,
                "needs_assessment": c.needs_assessment,
            },
        )
