from __future__ import annotations

from django.http import HttpRequest

from yanglao.accounts.roles import Cap


def nav(request: HttpRequest) -> dict[str, object]:
    """What the navigation offers this user: capabilities, not role names."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}}
    return {
        "can": {
            "person_view": user.can(Cap.PERSON_VIEW),
            "person_edit": user.can(Cap.PERSON_EDIT),
            "person_export": user.can(Cap.PERSON_EXPORT),
            "person_import": user.can(Cap.PERSON_IMPORT),
            "stats_view": user.can(Cap.STATS_VIEW),
            "stats_publish": user.can(Cap.STATS_PUBLISH),
            "audit_view": user.can(Cap.AUDIT_VIEW),
            "account_manage": user.can(Cap.ACCOUNT_MANAGE),
            "region_manage": user.can(Cap.REGION_MANAGE),
            "benefit_view": user.can(Cap.BENEFIT_VIEW),
            "benefit_list_manage": user.can(Cap.BENEFIT_LIST_MANAGE),
            "visit_record": user.can(Cap.VISIT_RECORD),
            "visit_manage": user.can(Cap.VISIT_MANAGE),
            "visit_view": user.can(Cap.VISIT_VIEW),
            "institution_view": user.can(Cap.INSTITUTION_VIEW),
            "reporting_view": user.can(Cap.REPORTING_VIEW),
            "feedback_handle": user.can(Cap.FEEDBACK_HANDLE),
            "community_view": user.can(Cap.COMMUNITY_VIEW),
            "community_order": user.can(Cap.COMMUNITY_ORDER),
            "community_serve": user.can(Cap.COMMUNITY_SERVE),
            "programme_view": user.can(Cap.PROGRAMME_VIEW),
            "calendar_manage": user.can(Cap.CALENDAR_MANAGE),
        }
    }
