"""工作台: what each role must do today, first, each line a count and a link to the work.

The top app only arranges: every count comes from a selector of the app that owns the work
(set-based, scoped to the user's jurisdiction or bound object), returned as a
`core.todo.Todo`. Late lines (past a deadline, or an open emergency) come first, in red,
the longest late first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.urls import reverse

from yanglao.accounts import selectors as accounts
from yanglao.accounts.models import User
from yanglao.accounts.roles import Cap, Role
from yanglao.assessments import selectors as assessments
from yanglao.benefits import selectors as benefits
from yanglao.community import selectors as community
from yanglao.community.programmes import selectors as programmes
from yanglao.core.audit import Action
from yanglao.core.todo import Todo
from yanglao.imports import selectors as imports
from yanglao.institutions import selectors as institutions
from yanglao.people import selectors as people
from yanglao.visits import selectors as visits


@dataclass(frozen=True)
class Item:
    label: str  # what to do, as a civil servant says it
    todo: Todo
    url: str
    unit: str = "项"  # 位 (people), 份, 个, 次…
    hint: str = ""  # one line on the work, e.g. what 'late' means here
    urgent_word: str = "逾期"  # "逾期3天"; an open emergency says "最久已3天"

    @property
    def late(self) -> bool:
        return self.todo.late > 0

    @property
    def late_text(self) -> str:
        """The red words after a late line: "其中2位逾期，最久5天", "最久已3天未办结"."""
        t = self.todo
        if not t.late:
            return ""
        if self.urgent_word == "最久已":
            return f"最久已{t.late_days}天未办结" if t.late_days else "今天发现"
        days = f"，最久{t.late_days}天" if t.late_days else ""
        if t.late == t.total:
            return f"全部逾期{days}"
        return f"其中{t.late}{self.unit}逾期{days}"

    @property
    def sort_key(self) -> tuple[int, int, int]:
        # Open emergencies above everything, then late work (longest late first), then the
        # rest with work, then the empty lines.
        if self.late and self.urgent_word == "最久已":
            return (0, -self.todo.late_days, -self.todo.late)
        if self.late:
            return (1, -self.todo.late_days, -self.todo.late)
        return (2 if self.todo.total else 3, 0, 0)


def _url(name: str, *args: object, fragment: str = "", **query: str) -> str:
    url = reverse(name, args=args)
    if query:
        url += "?" + urlencode(query)
    return url + (f"#{fragment}" if fragment else "")


def _visit_worker(user: User, today: date) -> list[Item]:
    mine = visits.worker_todo(user=user, today=today)
    return [
        Item(
            "紧急情况未办结",
            mine["emergencies"],
            _url("visits:today", fragment="follow-ups"),
            "项",
            "巡访中发现的紧急情况，请尽快处置并办结",
            "最久已",
        ),
        Item(
            "本期待巡访",
            mine["visits"],
            _url("visits:today"),
            "位",
            "我负责（含备岗）的老人，逾期的排在名单最前",
        ),
        Item(
            "待办结的跟进事项",
            mine["follow_ups"],
            _url("visits:today", fragment="follow-ups"),
            "项",
            "转介服务、即时评估等，超过期限的标红",
        ),
        Item(
            "应保未保，待受理申请",
            benefits.todo_counts(user=user, today=today)["candidates"],
            _url("benefits:discovery"),
            "条",
            "符合条件但尚未享受的老人，点老人即可受理",
        ),
    ]


def _township(user: User, today: date) -> list[Item]:
    v = visits.officer_todo(user=user, today=today)
    b = benefits.todo_counts(user=user, today=today)
    return [
        Item(
            "紧急情况未办结",
            v["emergencies"],
            _url("visits:board", fragment="emergencies"),
            "项",
            "巡访中发现的紧急情况",
            "最久已",
        ),
        Item(
            "逾期未巡访",
            v["overdue_visits"],
            _url("visits:board", status="overdue"),
            "位",
            "应访日期已过仍未巡访的任务",
        ),
        Item(
            "待办结的跟进事项",
            v["follow_ups"],
            _url("visits:board", fragment="follow-ups"),
            "项",
            "转介与跟进，超过期限的标红",
        ),
        Item(
            "待审核的申请",
            b["to_review"],
            _url("benefits:applications", status="accepted"),
            "件",
            "村（社区）已受理，待乡镇（街道）审核",
        ),
        Item(
            "待提交的台账导入",
            imports.waiting_count(user=user),
            _url("imports:index"),
            "个",
            "您上传的文件，待确认列对应或查看预览后提交",
        ),
        Item(
            "疑似重复待核对",
            Todo(people.duplicate_group_count(user=user)),
            _url("people:duplicates"),
            "组",
            "同县同名同出生日期，请人工核对",
        ),
    ]


def _institution_officer(user: User, today: date) -> list[Item]:
    i = institutions.todo_counts(user=user, today=today)
    return [
        Item(
            "待答复的机构备案",
            i["filings"],
            _url("institutions:filings"),
            "件",
            "材料齐全的出具回执，不齐的一次性告知补正",
        ),
        Item(
            "逾期未备案或证照过期的机构",
            i["for_action"],
            _url("institutions:overdue"),
            "家",
            "待督办",
        ),
        Item(
            "逾期未整改的检查问题",
            i["rectifications"],
            _url("institutions:inspection_findings"),
            "项",
            "双随机检查发现的问题，超过整改期限",
        ),
    ]


def _county(user: User, today: date) -> list[Item]:
    b = benefits.todo_counts(user=user, today=today)
    a = assessments.todo_counts(user=user, on=today)
    return [
        Item(
            "待审批的申请",
            b["to_approve"],
            _url("benefits:applications", status="reviewed"),
            "件",
            "乡镇（街道）已审核，待县（区）审批",
        ),
        Item(
            "待复核的申诉",
            b["appeals"],
            _url("benefits:applications", status="appealed"),
            "件",
            "不予批准后申请人提出的申诉",
        ),
        Item(
            "复核任务（应退尽退）",
            b["review_tasks"],
            _url("benefits:tasks"),
            "项",
            "死亡、迁出、资格变化等引起的复核，有办结期限",
        ),
        Item(
            "待审定的发放名册",
            b["draft_rolls"],
            _url("benefits:rolls"),
            "份",
            "草稿状态的月度名册，审定后才能导出银行发放表",
        ),
        Item(
            "到期未复评的能力评估",
            a["overdue"],
            _url("assessments:overview", fragment="overdue"),
            "位",
            "常规复评到期与即时评估申请",
        ),
        *_institution_officer(user, today),
    ]


def _assessor(user: User, today: date) -> list[Item]:
    a = assessments.todo_counts(user=user, on=today)
    return [
        Item(
            "待我复核的评估",
            a["to_confirm"],
            _url("assessments:to_confirm"),
            "份",
            "其他评估员已提交，须由第二名评估员复核确认后生效",
        ),
        Item(
            "我填写中的评估",
            a["drafts"],
            _url("assessments:to_confirm", fragment="my-drafts"),
            "份",
            "填完后提交给另一名评估员复核",
        ),
        Item(
            "到期未复评的老人",
            a["overdue"],
            _url("assessments:overview", fragment="overdue"),
            "位",
            "常规复评到期与即时评估申请",
        ),
    ]


def _auditor(user: User, today: date) -> list[Item]:
    """Recent reads of personal data to look over: full-number reveals (always shown) and
    each kind of export that happened in the last days."""
    since = f"{accounts.recent_since(today):%Y-%m-%d}"
    days = accounts.RECENT_DAYS
    found = {a: (label, n) for a, label, n in accounts.recent_reads(user=user, today=today)}
    reveal_label, reveals = found.pop(Action.PERSON_REVEAL, ("查看完整号码", 0))
    items = [
        Item(
            f"近{days}天：{reveal_label}",
            Todo(reveals),
            _url("audit:search", action=Action.PERSON_REVEAL, date_from=since),
            "次",
            "谁在何时看了哪位老人的完整身份证号码或电话",
        )
    ]
    for action, (label, n) in found.items():
        items.append(
            Item(
                f"近{days}天：{label}",
                Todo(n),
                _url("audit:search", action=action, date_from=since),
                "次",
                "导出个人信息的记录：谁、何时、按什么条件",
            )
        )
    if not found:
        items.append(
            Item(
                f"近{days}天：导出个人信息",
                Todo(0),
                _url("audit:search", date_from=since),
                "次",
                "导出名单、名册、错误行等的记录",
            )
        )
    return items


def _operator(user: User, today: date) -> list[Item]:
    home = institutions.operator_home(user)
    if home is None:
        return []
    i = institutions.todo_counts(user=user, today=today)
    return [
        Item(
            "待报送的月报",
            i["reports"],
            _url("institutions:reports", home.public_id),
            "份",
            "每月报送入住、床位、人员、收费与安全事件",
        ),
        Item(
            "待整改的检查问题",
            i["findings"],
            _url("institutions:inspection_findings", status="open"),
            "项",
            "上传整改材料，检查员复查后销号",
        ),
    ]


def _inspector(user: User, today: date) -> list[Item]:
    i = institutions.todo_counts(user=user, today=today)
    return [
        Item(
            "待检查的抽查任务",
            i["inspections"],
            _url("institutions:inspection_tasks", status="assigned"),
            "个",
            "指派给您的双随机抽查，可离线填写检查表",
        ),
        Item(
            "待复查的整改",
            i["rechecks"],
            _url("institutions:inspection_findings", status="answered"),
            "项",
            "机构已上传整改材料，待您复查销号",
        ),
    ]


def _security_admin(user: User, today: date) -> list[Item]:
    return [
        Item(
            "待批准的账号变更",
            accounts.changes_to_approve(user=user),
            _url("accounts:changes"),
            "项",
            "另一名安全管理员提出的变更，须由您批准（双人复核）",
        ),
        Item(
            "被锁定的账号",
            accounts.locked_accounts(),
            _url("accounts:users"),
            "个",
            "多次登录失败被锁定，核实本人后可解除锁定",
        ),
    ]


def _alarms(user: User, today: date) -> Item:
    return Item(
        "紧急呼叫未办结",
        programmes.open_alarms_todo(user=user, today=today),
        _url("programmes:alarms"),
        "起",
        "呼叫器报警，须尽快到场处置并办结",
        "最久已",
    )


def _settlements(user: User) -> Item:
    return Item(
        "待审核的服务结算单",
        community.settlements_todo(user=user),
        _url("community:settlements"),
        "份",
        "上门服务月度结算，须由生成人以外的人员审核",
    )


def _provider(user: User, today: date) -> list[Item]:
    c = community.provider_todo(user=user, today=today)
    return [
        Item(
            "待上门的服务工单",
            c["to_serve"],
            _url("community:worker_app"),
            "单",
            "已派给本服务商的工单；逾期指已过预约日期",
        ),
        Item(
            "待老人确认的服务",
            c["to_confirm"],
            _url("community:index"),
            "次",
            "已签退，待老人或家属签字或输入短信验证码确认",
        ),
        _alarms(user, today),
    ]


def _higher_officer(user: User, today: date) -> list[Item]:
    return _institution_officer(user, today)


BUILDERS: dict[str, Callable[[User, date], list[Item]]] = {
    Role.VISIT_WORKER: _visit_worker,
    Role.TOWNSHIP_OFFICER: lambda u, t: [*_township(u, t), _alarms(u, t)],
    Role.COUNTY_OFFICER: lambda u, t: [*_county(u, t), _alarms(u, t), _settlements(u)],
    Role.CITY_OFFICER: _higher_officer,
    Role.PROVINCE_OFFICER: _higher_officer,
    Role.ASSESSOR: _assessor,
    Role.AUDITOR: _auditor,
    Role.INSTITUTION_OPERATOR: _operator,
    Role.INSPECTOR: _inspector,
    Role.SECURITY_ADMIN: _security_admin,
    Role.PROVIDER_MANAGER: _provider,
    Role.PROVIDER_WORKER: _provider,
}


def todo_items(user: User, today: date) -> list[Item]:
    """The user's to-do lines, late first (longest late first), then those with work, then
    the empty ones."""
    build = BUILDERS.get(user.role)
    items = build(user, today) if build else []
    return sorted(items, key=lambda i: i.sort_key)


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def desk_links(user: User) -> list[Link]:
    """The places a role works from, under the to-do list (for roles with few to-dos)."""
    links: list[Link] = []
    if user.can(Cap.REGION_MANAGE):
        links.append(Link("评分配置", reverse("assessments:config")))
    if user.can(Cap.BENEFIT_LIST_MANAGE) and not user.can(Cap.BENEFIT_VIEW):
        links.append(Link("国家服务清单", reverse("benefits:publish")))
    if user.can(Cap.AUDIT_VIEW):
        links.append(Link("审计日志", reverse("audit:search")))
    if user.can(Cap.ACCOUNT_MANAGE):
        links.append(Link("账号管理", reverse("accounts:users")))
    if user.can(Cap.VISIT_RECORD):
        links.append(Link("打开离线巡访", reverse("visits:app")))
    if user.can(Cap.INSPECTION_DO):
        links.append(Link("打开离线检查表", reverse("institutions:inspection_app")))
    if user.can(Cap.COMMUNITY_SERVE):
        links.append(Link("打开上门服务（签到签退）", reverse("community:worker_app")))
    if user.can(Cap.PROGRAMME_VIEW) and not user.can(Cap.STATS_VIEW):
        links.append(Link("助餐·家床·改造·呼叫", reverse("programmes:index")))
    return links
