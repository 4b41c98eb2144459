"""The one function that writes audit events; called inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from yanglao.core import chain
from yanglao.core.bulk import adapt, insert_rows
from yanglao.core.context import current
from yanglao.core.models import AuditEvent

if TYPE_CHECKING:
    from yanglao.accounts.models import User


class Action:
    """Audit action names, `<entity>.<verb>`."""

    PERSON_CREATE = "person.create"
    PERSON_UPDATE = "person.update"
    PERSON_DEATH = "person.death"
    PERSON_MOVE_OUT = "person.move_out"
    PERSON_CATEGORY_ADD = "person.category_add"
    PERSON_CATEGORY_END = "person.category_end"
    PERSON_REVEAL = "person.reveal_identifier"
    PERSON_EXPORT = "person.export"
    PERSON_BULK_CREATE = "person.bulk_create"
    PERSON_BULK_UPDATE = "person.bulk_update"
    REGIONS_LOAD = "regions.load"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    USER_UNLOCK = "user.unlock"
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    TOKEN_ISSUE = "auth.token_issue"
    TOKEN_REVOKE = "auth.token_revoke"
    OTP_ENROL = "auth.otp_enrol"
    OTP_RECOVERY_CODES = "auth.recovery_codes"
    OTP_RECOVERY_USED = "auth.recovery_code_used"
    OTP_RESET = "user.otp_reset"
    PASSWORD_CHANGE = "auth.password_change"
    LOCKED_OUT = "auth.locked_out"
    USER_CHANGE_REQUEST = "user.change_request"
    USER_CHANGE_APPROVE = "user.change_approve"
    USER_CHANGE_REJECT = "user.change_reject"
    SECURITY_POLICY_SET = "policy.security_set"
    DEMO_LOAD = "demo.load"
    IMPORT_UPLOAD = "import.upload"
    IMPORT_VALIDATE = "import.validate"
    IMPORT_COMMIT = "import.commit"
    IMPORT_CANCEL = "import.cancel"
    IMPORT_ERRORS_DOWNLOAD = "import.errors_download"
    MIN_AGE_POLICY_SET = "policy.min_age_set"
    KEYS_ROTATE = "keys.rotate"
    CALENDAR_ADD = "calendar.add"
    CALENDAR_UPDATE = "calendar.update"
    CALENDAR_DELETE = "calendar.delete"
    ACCESS_DENIED = "access.denied"


def audit(
    *,
    actor: User | None,
    action: str,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    region_code: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one event. Must run in the same transaction as the write it describes."""
    ctx = current.get()
    conn = transaction.get_connection()
    if not conn.in_atomic_block and action not in _OUTSIDE_TRANSACTION_OK:
        raise RuntimeError(f"audit({action}) must be called inside transaction.atomic()")
    actor_id = actor.pk if actor is not None and actor.pk else None
    row: dict[str, Any] = {
        "occurred_at": timezone.now(),
        "actor_id": actor_id,
        "actor_username": getattr(actor, "username", "") or "",
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "object_label": object_label[:200],
        "region_code": region_code,
        "changes": chain.stored_changes(changes),
        "request_id": ctx.request_id,
        "ip": ctx.ip,
    }
    # The chain lock lasts until the end of a transaction: outside one (security events) this
    # block is the transaction; inside one it adds nothing (no savepoint).
    with transaction.atomic(savepoint=False):
        row["chain_hash"] = chain.link(chain.lock_and_head(), row)
        return AuditEvent.objects.create(**row)


@dataclass(frozen=True)
class Entry:
    """One row of a bulk audit: one object (usually a person) and its own region, so a
    county auditor sees exactly their county's rows of a province-wide job."""

    object_id: str
    object_label: str = ""
    region_code: str = ""
    changes: dict[str, Any] = field(default_factory=dict)


def audit_many(
    *, actor: User | None, action: str, object_type: str, entries: Iterable[Entry]
) -> int:
    """Record one event per entry in bulk (imports, generators, life-event reactions), in the
    caller's transaction. Returns how many rows were written."""
    ctx = current.get()
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"audit_many({action}) must be called inside transaction.atomic()")
    actor_id = actor.pk if actor is not None and actor.pk else None
    username = getattr(actor, "username", "") or ""
    now = adapt(timezone.now())
    # COPY on PostgreSQL: 100,000 rows in about a second, where bulk_create takes ten;
    # insert_rows adds the chain hashes (about a second more: docs/audit-log.md).
    rows = (
        (
            now,
            actor_id,
            username,
            action,
            object_type,
            e.object_id,
            e.object_label[:200],
            e.region_code,
            chain.canonical_changes(e.changes),
            ctx.request_id,
            ctx.ip,
        )
        for e in entries
    )
    return insert_rows(AuditEvent._meta.db_table, _BULK_COLUMNS, rows)


_BULK_COLUMNS = (
    "occurred_at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "region_code",
    "changes",
    "request_id",
    "ip",
)


# Read-only or security events that have no domain write to share a transaction with.
_OUTSIDE_TRANSACTION_OK = {
    Action.LOGIN,
    Action.LOGIN_FAILED,
    Action.LOGOUT,
    Action.LOCKED_OUT,
    Action.PERSON_REVEAL,
    Action.PERSON_EXPORT,
    Action.IMPORT_ERRORS_DOWNLOAD,
    Action.ACCESS_DENIED,
}


ACTION_LABELS: dict[str, str] = {
    Action.PERSON_CREATE: "登记老年人",
    Action.PERSON_UPDATE: "修改老年人信息",
    Action.PERSON_DEATH: "记录死亡",
    Action.PERSON_MOVE_OUT: "记录迁出",
    Action.PERSON_CATEGORY_ADD: "添加类别",
    Action.PERSON_CATEGORY_END: "结束类别",
    Action.PERSON_REVEAL: "查看完整号码",
    Action.PERSON_EXPORT: "导出名单",
    Action.PERSON_BULK_CREATE: "批量登记老年人（导入/生成）",
    Action.PERSON_BULK_UPDATE: "批量修改老年人信息（导入）",
    Action.REGIONS_LOAD: "加载区划",
    Action.USER_CREATE: "创建账号",
    Action.USER_UPDATE: "修改账号",
    Action.USER_UNLOCK: "解除登录锁定",
    Action.LOGIN: "登录",
    Action.LOGIN_FAILED: "登录失败",
    Action.LOGOUT: "退出",
    Action.TOKEN_ISSUE: "签发接口令牌",
    Action.TOKEN_REVOKE: "吊销接口令牌",
    Action.OTP_ENROL: "绑定动态验证码",
    Action.OTP_RECOVERY_CODES: "生成恢复码",
    Action.OTP_RECOVERY_USED: "使用恢复码登录",
    Action.OTP_RESET: "重置动态验证码",
    Action.PASSWORD_CHANGE: "修改密码",
    Action.LOCKED_OUT: "登录锁定",
    Action.USER_CHANGE_REQUEST: "申请账号变更（待批准）",
    Action.USER_CHANGE_APPROVE: "批准账号变更",
    Action.USER_CHANGE_REJECT: "驳回账号变更",
    Action.SECURITY_POLICY_SET: "修改安全策略",
    Action.DEMO_LOAD: "生成演示数据",
    Action.IMPORT_UPLOAD: "上传台账文件",
    Action.IMPORT_VALIDATE: "校验导入文件",
    Action.IMPORT_COMMIT: "提交台账导入",
    Action.IMPORT_CANCEL: "取消台账导入",
    "import.recover": "恢复中断的导入批次（进程停止后）",
    Action.IMPORT_ERRORS_DOWNLOAD: "下载导入错误行",
    Action.MIN_AGE_POLICY_SET: "设置登记年龄政策",
    Action.CALENDAR_ADD: "登记节假日或调休上班日",
    Action.CALENDAR_UPDATE: "修改节假日或调休上班日",
    Action.CALENDAR_DELETE: "删除节假日或调休上班日",
    Action.KEYS_ROTATE: "轮换数据密钥／查找哈希",
    Action.ACCESS_DENIED: "访问被拒绝（无权限或不在管辖范围）",
    # assessments.services.Action (kept as strings: core must not import the apps above it)
    "assessment.create": "发起能力评估",
    "assessment.update": "保存评估",
    "assessment.submit": "提交评估复核",
    "assessment.return": "退回评估",
    "assessment.confirm": "确认评估结果",
    "assessment.reassessment_request": "申请即时复评",
    "assessment.config_publish": "发布评分配置",
    # benefits.services.Action
    "benefit_item.publish": "发布基本养老服务清单项目",
    "benefit_overlap.publish": "发布待遇衔接规则",
    "benefit.apply": "受理待遇申请",
    "benefit.decide": "审核/审批待遇申请",
    "benefit.appeal": "提出申诉",
    "benefit.stop": "停发待遇",
    "benefit.auto_stop": "死亡/迁出自动停发",
    "benefit.task_close": "处理复核任务",
    "benefit.nightly": "夜间资格排查",
    "benefit.import": "导入外部名单",
    "benefit.candidates_export": "导出应保未保名单",
    "roll.generate": "生成发放名册",
    "roll.approve": "审定发放名册",
    "roll.export": "导出发放名册",
    "benefit.account_set": "录入/更正发放账号",
    # visits.services.Action
    "visit.record": "登记巡访",
    "visit.assign": "分配巡访员",
    "visit.policy": "发布巡访政策",
    "visit.followup_close": "办结跟进事项",
    "visit.tasks_cancel": "取消巡访任务",
    "visit.export": "导出巡访名单",
    "visit.follow_move": "巡访档案随迁居转移",
    # institutions.services.Action
    "institution.register": "登记养老机构",
    "institution.update": "修改养老机构信息",
    "institution.operator_bind": "绑定机构经办人",
    "institution.filing_submit": "提交养老机构备案",
    "institution.filing_decide": "办理养老机构备案",
    "institution.bed_add": "登记床位",
    "institution.admit": "办理入住",
    "institution.discharge": "办理离院",
    "institution.admission_request": "登记入住申请（轮候）",
    "institution.admission_close": "办结入住申请",
    "institution.priority_publish": "发布公办养老机构入住优先顺序",
    "institution.follow_close": "老人去世或迁出，入住记录结束",
    # institutions.supervision.Action (issue 11 parts 5–6)
    "inspection.inspector_add": "登记执法检查人员",
    "inspection.link_add": "登记回避关系",
    "inspection.plan_create": "制定抽查计划",
    "inspection.draw": "随机抽取检查对象和检查人员",
    "inspection.record": "上传现场检查记录",
    "inspection.answer": "机构提交整改答复",
    "inspection.recheck": "复查整改",
    "inspection.publish": "公示抽查结果",
    # institutions.reports.Action (issue 11 parts 3–4, 特困 应养尽养)
    "institution.report_file": "报送养老机构月报",
    "institution.prepaid_file": "报备预收费用",
    "institution.balance_report": "报告预收费用月度余额",
    "institution.stop_notice": "告知停止服务",
    "institution.complaint_record": "登记对养老机构的投诉",
    "institution.complaint_close": "办结投诉",
    "institution.support_request": "登记特困人员集中供养申请",
    "institution.support_withdraw": "撤回集中供养申请",
    "institution.rule_add": "设定养老机构监管政策值",
    "institution.generate": "生成合成养老机构数据（基准测试）",
    "benefit.follow_move": "待遇事项随迁居转移",
    "visit.phones_shown": "巡访员查看所负责老人的电话",
    # people.services.FactAction
    "person.disability_add": "登记残疾信息",
    "person.disability_end": "结束残疾信息",
    "person.dementia_add": "登记失智",
    "person.dementia_end": "撤销失智登记",
    # institutions.rating.RatingAction (等级评定, issue 11 part 7)
    "institution.rating_apply": "申请养老机构等级评定",
    "institution.rating_self_assess": "填写等级评定自评",
    "institution.rating_score": "等级评定专家评分",
    "institution.rating_decide": "等级评定委员会评审",
    "institution.rating_objection": "登记等级评定公示异议",
    "institution.rating_certify": "发放养老机构等级证书",
    "institution.rating_downgrade": "养老机构降级",
    # reporting.services.Action (issue 13 part 4)
    "reporting.save": "保存部门数据报表草稿",
    "reporting.submit": "报送部门数据报表",
    "reporting.approve": "审核通过部门数据报表",
    "reporting.return": "退回部门数据报表",
    # feedback.services.Action (issue 13 part 7)
    "feedback.submit": "公众提交意见建议或投诉",
    "feedback.record": "代为登记意见建议或投诉",
    "feedback.answer": "答复意见建议或投诉",
    "feedback.forward": "转办意见建议或投诉",
    "feedback.reveal": "查看意见人的完整电话",
    # community.services.Action (issue 12)
    "community.provider_register": "登记居家养老服务商",
    "community.facility_register": "登记社区养老服务设施",
    "community.staff_bind": "绑定服务商人员",
    "community.price_set": "设定服务价格",
    "community.funding_rule_set": "设定补贴支付规则",
    "community.order_request": "受理居家养老服务申请",
    "community.order_agree": "签订服务协议",
    "community.order_dispatch": "派单",
    "community.order_cancel": "取消服务工单",
    "community.order_no_show": "登记未上门",
    "community.check_in": "服务人员签到",
    "community.check_out": "服务人员签退",
    "community.sms_send": "发送服务确认短信验证码",
    "community.confirm": "老人或家属确认服务",
    "community.evaluate": "服务评价",
    "community.settlement_generate": "生成服务结算单",
    "community.settlement_approve": "审核服务结算单（冻结）",
    "community.settlement_export": "导出服务结算单",
    "community.follow_move": "服务工单随迁居转移",
    "community.follow_close": "老人去世或迁出，服务工单取消",
    "community.orders_generate": "按待遇生成服务工单",
    # community.programmes.services.Action (issue 12 parts 4–7)
    "homebed.contract": "签订家庭养老床位协议",
    "homebed.device": "登记家庭养老床位设备",
    "homebed.end": "终止家庭养老床位协议",
    "meal.diner_enrol": "登记助餐对象",
    "meal.diner_end": "助餐对象退出",
    "meal.record": "登记就餐",
    "meal.import": "导入助餐点就餐记录",
    "meal.settle": "生成助餐补贴结算",
    "meal.settlement_approve": "审核助餐补贴结算",
    "modification.apply": "受理适老化改造申请",
    "modification.step": "办理适老化改造环节",
    "alarm.platform_register": "登记紧急呼叫设备平台",
    "alarm.device_register": "登记紧急呼叫设备",
    "alarm.receive": "接收紧急呼叫",
    "alarm.arrive": "紧急呼叫到达现场",
    "alarm.close": "办结紧急呼叫",
    "programme.follow_move": "居家社区服务记录随迁居转移",
    "programme.follow_close": "老人去世或迁出，家庭养老床位、助餐登记随之结束",
    # statistics (issue 13)
    "stats.snapshot": "计算统计快照",
    "stats.bulletin_create": "生成统计公报",
    "stats.bulletin_publish": "审核发布统计公报",
    "stats.bulletin_withdraw": "撤回统计公报",
    "stats.export": "导出统计表",
}


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """{"field": [old, new]} for the fields that changed."""
    return {
        k: [old.get(k), new.get(k)] for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)
    }
