"""Roles and what each may do. Pure data.

等保 2.0 level 3 (GB/T 22239-2019 access control) asks for separation of duties: the system
administrator, the security administrator and the auditor are three roles, none of which can
do the others' work; in particular the system administrator cannot read the audit log and
the auditor cannot change data.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    VISIT_WORKER = "visit_worker", "村（社区）巡访员"
    TOWNSHIP_OFFICER = "township_officer", "乡镇（街道）工作人员"
    COUNTY_OFFICER = "county_officer", "县（区）民政工作人员"
    CITY_OFFICER = "city_officer", "市民政工作人员"
    PROVINCE_OFFICER = "province_officer", "省民政工作人员"
    ASSESSOR = "assessor", "评估员"
    INSTITUTION_OPERATOR = "institution_operator", "养老机构经办人"
    INSPECTOR = "inspector", "检查员"
    # Bound to their provider through community.ProviderStaff (accounts.scoping `bound`).
    PROVIDER_MANAGER = "provider_manager", "服务商负责人"
    PROVIDER_WORKER = "provider_worker", "服务商服务人员"
    AUDITOR = "auditor", "审计员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"


class Cap:
    """Capabilities a role grants; a jurisdiction still limits where they apply."""

    PERSON_VIEW = "person.view"
    PERSON_EDIT = "person.edit"
    PERSON_REVEAL = "person.reveal"  # see a full ID / phone number
    PERSON_EXPORT = "person.export"
    PERSON_IMPORT = "person.import"  # upload a ledger spreadsheet (staged import)
    STATS_VIEW = "stats.view"
    # Statistics (issue 13): recompute a snapshot on demand, draft and approve the bulletin
    # of one's own region (county, city and province officers).
    STATS_PUBLISH = "stats.publish"
    AUDIT_VIEW = "audit.view"
    ACCOUNT_MANAGE = "account.manage"
    REGION_MANAGE = "region.manage"
    ASSESSMENT_DO = "assessment.do"  # fill in, submit and confirm ability assessments
    ASSESSMENT_VIEW = "assessment.view"  # assessment history, grade distribution, due lists
    BENEFIT_VIEW = "benefit.view"  # service list, eligibility, discovery list, entitlements
    BENEFIT_APPLY = "benefit.apply"  # 村（社区）受理 an application, file the one appeal
    BENEFIT_REVIEW = "benefit.review"  # 乡镇（街道）审核
    BENEFIT_APPROVE = "benefit.approve"  # 县（区）审批, stop payments, review tasks, list imports
    BENEFIT_LIST_MANAGE = "benefit.list_manage"  # publish the service list of one's own level
    ROLL_MANAGE = "roll.manage"  # generate, approve and export the monthly payment roll
    VISIT_RECORD = "visit.record"  # record home visits (巡访) of the people in one's village
    VISIT_MANAGE = "visit.manage"  # assign workers, follow overdue visits, set visit policy
    VISIT_VIEW = "visit.view"  # visit coverage (月探访率) and the lists behind it
    INSTITUTION_VIEW = "institution.view"  # the institution register, beds, residents, filings
    INSTITUTION_MANAGE = "institution.manage"  # register homes, answer 备案, bind operators
    INSTITUTION_OPERATE = "institution.operate"  # an operator's own home: beds, admissions, 备案
    # 双随机一公开 (issue 11 parts 5–6): plans, directories, draws, results (county and above);
    # on-site inspection and re-check of the tasks an inspector is assigned to.
    INSPECTION_MANAGE = "inspection.manage"
    INSPECTION_DO = "inspection.do"
    # Figures other departments hold (issue 13 part 4): read the data sets and reporting
    # rates, enter one's own region's report, approve the reports of the level below.
    REPORTING_VIEW = "reporting.view"
    REPORTING_ENTER = "reporting.enter"
    REPORTING_APPROVE = "reporting.approve"
    # 意见建议反馈 (issue 13 part 7): answer and forward the public's suggestions and
    # complaints addressed to one's region, and see the submitter's phone (audited).
    FEEDBACK_HANDLE = "feedback.handle"
    # 社区居家养老服务 (issue 12): providers, orders, delivery, settlement.
    COMMUNITY_VIEW = "community.view"  # providers, facilities, orders, service logs in scope
    COMMUNITY_ORDER = "community.order"  # request a service for a person (window, referral)
    COMMUNITY_MANAGE = "community.manage"  # register providers/facilities, prices, funding rules
    COMMUNITY_DISPATCH = "community.dispatch"  # dispatch an order (officer → provider → worker)
    COMMUNITY_SERVE = "community.serve"  # check in and out, confirmation, on a phone
    COMMUNITY_SETTLE = "community.settle"  # generate and approve the monthly settlement
    # Community programmes (issue 12 parts 4–7, 9): 家庭养老床位, 老年助餐, 适老化改造, 紧急呼叫,
    # 服务圈. Read; manage (contracts, enrolments, cases, devices, meal settlements); record
    # meals at a site; respond to and close alarms.
    PROGRAMME_VIEW = "programme.view"
    PROGRAMME_MANAGE = "programme.manage"
    MEAL_RECORD = "meal.record"
    ALARM_HANDLE = "alarm.handle"
    # The working calendar (core.CalendarDay): enter the State Council's yearly holiday notice
    # (holidays and 调休上班 weekends) that every working-day deadline counts with.
    CALENDAR_MANAGE = "calendar.manage"


_OFFICER = {
    Cap.PERSON_VIEW,
    Cap.PERSON_IMPORT,
    Cap.PERSON_EDIT,
    Cap.PERSON_REVEAL,
    Cap.PERSON_EXPORT,
    Cap.STATS_VIEW,
    Cap.ASSESSMENT_VIEW,
}
# Township officers assign and follow up visits; county and above read coverage too.
_VISIT_OFFICER = {Cap.VISIT_MANAGE, Cap.VISIT_VIEW}
# 养老服务科 at county level and above supervise institutions (养老机构管理办法 art. 3: the
# county 民政 where the home is located files and supervises it).
_INSTITUTION_OFFICER = {Cap.INSTITUTION_VIEW, Cap.INSTITUTION_MANAGE, Cap.INSPECTION_MANAGE}
# Every officer level enters its own reports, approves the level below and answers the
# public's feedback addressed to it (the township and county answer most of it).
_REPORTING_OFFICER = {
    Cap.REPORTING_VIEW,
    Cap.REPORTING_ENTER,
    Cap.REPORTING_APPROVE,
    Cap.FEEDBACK_HANDLE,
}
# Community services: townships take requests and dispatch; the county (养老服务科) registers
# providers, sets prices and funding rules and settles (资金拨付 by the county 民政).
_COMMUNITY_TOWNSHIP = {Cap.COMMUNITY_VIEW, Cap.COMMUNITY_ORDER, Cap.COMMUNITY_DISPATCH}
_COMMUNITY_COUNTY = _COMMUNITY_TOWNSHIP | {Cap.COMMUNITY_MANAGE, Cap.COMMUNITY_SETTLE}
# Townships and counties run the community programmes; city and province read them.
_PROVIDER_PROGRAMMES = {Cap.PROGRAMME_VIEW, Cap.MEAL_RECORD, Cap.ALARM_HANDLE}
_PROGRAMME_OFFICER = {Cap.PROGRAMME_VIEW, Cap.PROGRAMME_MANAGE, Cap.MEAL_RECORD, Cap.ALARM_HANDLE}
# 统计调查制度: the county, city and province civil-affairs bureaus publish their figures.
_STATS_OFFICER = {Cap.STATS_PUBLISH}

CAPABILITIES: dict[str, frozenset[str]] = {
    # A village worker keeps the ledger of the village but sees ID numbers only masked.
    Role.VISIT_WORKER: frozenset(
        {
            Cap.PERSON_VIEW,
            Cap.PERSON_EDIT,
            Cap.STATS_VIEW,
            Cap.BENEFIT_VIEW,
            Cap.BENEFIT_APPLY,
            Cap.VISIT_RECORD,
            Cap.REPORTING_VIEW,
            Cap.REPORTING_ENTER,
            Cap.COMMUNITY_VIEW,
            Cap.COMMUNITY_ORDER,
            Cap.PROGRAMME_VIEW,
            Cap.MEAL_RECORD,
            Cap.ALARM_HANDLE,
        }
    ),
    # Township and county windows accept applications too (§4.3: filed at any window).
    Role.TOWNSHIP_OFFICER: frozenset(
        _OFFICER
        | _VISIT_OFFICER
        | _REPORTING_OFFICER
        | _COMMUNITY_TOWNSHIP
        | {
            Cap.VISIT_RECORD,
            Cap.BENEFIT_VIEW,
            Cap.BENEFIT_APPLY,
            Cap.BENEFIT_REVIEW,
            Cap.INSTITUTION_VIEW,
            *_PROGRAMME_OFFICER,
        }
    ),
    Role.COUNTY_OFFICER: frozenset(
        _OFFICER
        | _VISIT_OFFICER
        | _REPORTING_OFFICER
        | _INSTITUTION_OFFICER
        | _COMMUNITY_COUNTY
        | _STATS_OFFICER
        | {
            Cap.BENEFIT_VIEW,
            Cap.BENEFIT_APPLY,
            Cap.BENEFIT_APPROVE,
            Cap.BENEFIT_LIST_MANAGE,
            Cap.ROLL_MANAGE,
            *_PROGRAMME_OFFICER,
        }
    ),
    Role.CITY_OFFICER: frozenset(
        _OFFICER
        | _VISIT_OFFICER
        | _REPORTING_OFFICER
        | _INSTITUTION_OFFICER
        | {Cap.BENEFIT_VIEW, Cap.BENEFIT_LIST_MANAGE, Cap.COMMUNITY_VIEW, Cap.PROGRAMME_VIEW}
        | _STATS_OFFICER
    ),
    Role.PROVINCE_OFFICER: frozenset(
        _OFFICER
        | _VISIT_OFFICER
        | _REPORTING_OFFICER
        | _INSTITUTION_OFFICER
        | {Cap.BENEFIT_VIEW, Cap.BENEFIT_LIST_MANAGE, Cap.COMMUNITY_VIEW, Cap.PROGRAMME_VIEW}
        | _STATS_OFFICER
        # The holiday calendar is province-wide policy data: the 省政府办公厅 forwards the
        # State Council's notice; the deadlines it moves (备案, 公示, 答复) are the officers'.
        | {Cap.CALENDAR_MANAGE}
    ),
    Role.ASSESSOR: frozenset(
        {
            Cap.PERSON_VIEW,
            Cap.PERSON_REVEAL,
            Cap.STATS_VIEW,
            Cap.ASSESSMENT_DO,
            Cap.ASSESSMENT_VIEW,
        }
    ),
    # Bound to their own institution (accounts.scoping `bound`), never to a region.
    Role.INSTITUTION_OPERATOR: frozenset({Cap.INSTITUTION_VIEW, Cap.INSTITUTION_OPERATE}),
    # A provider's staff (bound to their provider, accounts.scoping): their orders, and their
    # own sites, home care beds and alarms (community programmes).
    Role.PROVIDER_MANAGER: frozenset(
        {Cap.COMMUNITY_VIEW, Cap.COMMUNITY_DISPATCH, Cap.COMMUNITY_SERVE} | _PROVIDER_PROGRAMMES
    ),
    Role.PROVIDER_WORKER: frozenset(
        {Cap.COMMUNITY_VIEW, Cap.COMMUNITY_SERVE} | _PROVIDER_PROGRAMMES
    ),
    Role.INSPECTOR: frozenset({Cap.STATS_VIEW, Cap.INSTITUTION_VIEW, Cap.INSPECTION_DO}),
    Role.AUDITOR: frozenset({Cap.AUDIT_VIEW}),
    Role.SECURITY_ADMIN: frozenset({Cap.ACCOUNT_MANAGE}),
    # The system administrator keeps the national service list (data, no personal records).
    Role.SYSTEM_ADMIN: frozenset({Cap.REGION_MANAGE, Cap.BENEFIT_LIST_MANAGE}),
}


def has_cap(role: str, cap: str) -> bool:
    return cap in CAPABILITIES.get(role, frozenset())
