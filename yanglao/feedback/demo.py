"""Demo feedback of 南关区, called by `yanglao demo` (演示数据, idempotent): two complaints
past their answer deadline (red, on top of 南岭街道's inbox), two waiting within the deadline,
one answered (look it up on the public page by its reference and 5678), one forwarded to the
county."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.db import transaction

from yanglao.accounts.models import User
from yanglao.feedback import services
from yanglao.feedback.models import Feedback

BEIJING = ZoneInfo("Asia/Shanghai")
NANLING = "220102001"


class Out(Protocol):
    def write(self, msg: str, /) -> Any: ...


ITEMS = (
    # days ago, kind, topic, village suffix, content, phone
    (
        40,
        "complaint",
        "meals",
        "001",
        "社区助餐点最近一个月饭菜偏咸、偏硬，老人咬不动，希望改进。",
        "13812345678",
    ),
    (
        30,
        "complaint",
        "benefit",
        "002",
        "我父亲今年满80周岁，高龄津贴到现在还没有发，请帮忙查一下。",
        "",
    ),
    (
        6,
        "suggestion",
        "home_community",
        "003",
        "建议在社区养老服务站增加理发和修脚服务，每周一次就行。",
        "",
    ),
    (
        2,
        "inquiry",
        "policy",
        "001",
        "想咨询家庭养老床位怎么申请，需要准备哪些材料？",
        "13900001111",
    ),
    (
        12,
        "suggestion",
        "visit",
        "002",
        "探访关爱的志愿者很热心，建议把电话公示在楼道里，方便独居老人联系。",
        "13812345678",
    ),
    (
        9,
        "complaint",
        "institution",
        "003",
        "区里一家养老院收了一年的预付费，现在说要停业，钱怎么退？",
        "",
    ),
)


def _at(d: date) -> datetime:
    return datetime.combine(d, time(9, 30), tzinfo=BEIJING)


def load(out: Out, *, today: date) -> None:
    if Feedback.objects.filter(
        about_region_id__gte=f"{NANLING}000", about_region_id__lte=f"{NANLING}999"
    ).exists():
        return
    township = User.objects.filter(username="township_nanling").first()
    if township is None:
        return
    made = []
    with transaction.atomic():
        for days, kind, topic, village, content, phone in ITEMS:
            made.append(
                services.feedback_submit(
                    data=services.FeedbackInput(
                        kind=kind,
                        topic=topic,
                        region_code=f"{NANLING}{village}",
                        content=content,
                        name="演示用户",
                        phone=phone,
                    ),
                    address=None,
                    now=_at(today - timedelta(days=days)),
                )
            )
        services.feedback_answer(
            actor=township,
            feedback=made[4],
            answer="感谢您的建议。各社区已在楼道公示探访关爱志愿者和网格员电话，独居老人也可拨打社区电话。",
        )
        services.feedback_forward(
            actor=township,
            feedback=made[5],
            to_code="220102000000",
            reason="涉及养老机构预收费，属区民政局监管事项",
        )
    out.write(
        f"意见建议演示数据：南岭街道{len(made)}条（2条逾期未答复、1条已答复：查询编号 "
        f"{made[4].reference}，电话后四位 5678；1条已转办区民政局）。"
    )
