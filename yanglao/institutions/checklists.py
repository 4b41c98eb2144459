"""Inspection checklists as versioned data, one per standard edition (supply-side §3.3–3.4).

A checklist is identified by `key` and `version`; an inspection stores both, so a new
edition is a new entry here and old inspections keep the clauses they were made against.
Clause codes are unique across checklists. `unconfirmed` marks clauses we could not check
against the standard's text (待核实): GB 38600-2019 chapter 7 (管理要求) at clause level,
the fire-safety three lists as local practice and the prepaid-fee list as our reading of
民发〔2024〕19号.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clause:
    code: str
    section: str
    text: str
    unconfirmed: bool = False


@dataclass(frozen=True)
class Checklist:
    key: str
    version: str
    title: str
    basis: str
    clauses: tuple[Clause, ...]


def _c(code: str, section: str, text: str, unconfirmed: bool = False) -> Clause:
    return Clause(code, section, text, unconfirmed)


NINE = "服务防护（九防）"
GB38600 = Checklist(
    key="gb38600",
    version="2019",
    title="养老机构服务安全基本规范",
    basis="GB 38600-2019（2022年1月1日起强制执行）",
    clauses=(
        _c(
            "GB38600-4.1",
            "基本要求",
            "符合消防、卫生与健康、环境保护、食品药品、建筑、设施设备标准中的强制性规定",
        ),
        _c("GB38600-4.2", "基本要求", "设置安全标志（GB 2893、GB 2894），标志清晰、位置醒目"),
        _c("GB38600-4.3", "基本要求", "护理员经培训合格后上岗"),
        _c("GB38600-4.4", "基本要求", "昼夜巡查并有记录，交接班有记录"),
        _c("GB38600-4.5", "基本要求", "老年人个人信息与监控资料保密"),
        _c("GB38600-4.6", "基本要求", "未向老年人推销保健品"),
        _c("GB38600-5.1", "安全风险评估", "入院前进行安全风险评估（九项风险），评估有记录"),
        _c("GB38600-5.2", "安全风险评估", "老年人身体状况变化时重新评估，高风险者有防护措施"),
        _c("GB38600-6.1", NINE, "防噎食：评估有风险者的饮食与看护措施"),
        _c("GB38600-6.2", NINE, "防食品药品误食：药品、食品、清洁用品分类存放与管理"),
        _c("GB38600-6.3", NINE, "防压疮：高风险者定时翻身与皮肤检查记录"),
        _c("GB38600-6.4", NINE, "防烫伤：热水、取暖与热敷的温度控制"),
        _c("GB38600-6.5", NINE, "防坠床：床档等防护措施"),
        _c("GB38600-6.6", NINE, "防跌倒：地面防滑、扶手、照明与风险提示"),
        _c("GB38600-6.7", NINE, "防走失：出入管理与走失应急处置"),
        _c("GB38600-6.8", NINE, "防他伤和自伤：危险物品管理与情绪观察"),
        _c("GB38600-6.9", NINE, "防文体活动意外：活动前评估与现场看护"),
        _c("GB38600-7.1", "管理要求", "制定突发事件应急预案并定期演练", unconfirmed=True),
        _c("GB38600-7.2", "管理要求", "安全事件处置与报告有记录", unconfirmed=True),
        _c("GB38600-7.3", "管理要求", "设安全管理责任人，安全教育培训有记录", unconfirmed=True),
    ),
)

FIRE = Checklist(
    key="fire3",
    version="2020",
    title="消防安全“隐患、整改、责任”三个清单",
    basis="国办发〔2020〕48号；消防安全检查（与消防救援机构联合）",
    clauses=(
        _c("FIRE-1.1", "隐患清单", "消防设施、器材完好有效，定期检测"),
        _c("FIRE-1.2", "隐患清单", "疏散通道、安全出口畅通，应急照明与疏散指示有效"),
        _c("FIRE-1.3", "隐患清单", "无违规使用电器、私拉乱接电线"),
        _c("FIRE-1.4", "隐患清单", "厨房燃气安全措施完好"),
        _c(
            "FIRE-2.1",
            "整改清单",
            "已发现的隐患列入整改清单，有措施、时限、责任人",
            unconfirmed=True,
        ),
        _c("FIRE-2.2", "整改清单", "重大隐患已报告并挂牌督办", unconfirmed=True),
        _c("FIRE-3.1", "责任清单", "明确消防安全责任人、管理人并公示", unconfirmed=True),
        _c("FIRE-3.2", "责任清单", "每日防火巡查、每月防火检查有记录"),
        _c("FIRE-3.3", "责任清单", "员工消防培训与疏散演练（每半年至少一次）", unconfirmed=True),
    ),
)

PREPAID = Checklist(
    key="prepaid",
    version="2024",
    title="预收费用监管",
    basis="民发〔2024〕19号（条款为本系统整理，待核实）",
    clauses=(
        _c("PREPAID-1", "公示与报告", "公示预收费项目、标准并报民政部门", unconfirmed=True),
        _c("PREPAID-2", "养老服务费", "养老服务费预收不超过12个月", unconfirmed=True),
        _c("PREPAID-3", "押金", "押金不超过月床位费的12倍", unconfirmed=True),
        _c("PREPAID-4", "会员费", "公办、公建民营机构未收取会员费", unconfirmed=True),
        _c("PREPAID-5", "资金存管", "押金、会员费存入商业银行第三方存管账户", unconfirmed=True),
        _c("PREPAID-6", "总额", "预收费用总额不超过净固定资产", unconfirmed=True),
        _c("PREPAID-7", "合同", "无不公平退费条款，无“还本付息”等诱导宣传", unconfirmed=True),
    ),
)

CHECKLISTS: dict[str, Checklist] = {c.key: c for c in (GB38600, FIRE, PREPAID)}
CLAUSES: dict[str, tuple[Checklist, Clause]] = {
    cl.code: (c, cl) for c in CHECKLISTS.values() for cl in c.clauses
}


def for_keys(keys: list[str]) -> list[Checklist]:
    """The checklists named by `keys`, in this module's order, unknown keys left out."""
    return [c for k, c in CHECKLISTS.items() if k in keys]
