from django.apps import AppConfig

# prepaid_rules.Violation codes (民发〔2024〕19号) as the audit log shows them.
VIOLATION_LABELS = {
    "assets": "预收费用超过净固定资产比例",
    "custody": "未开设第三方存管账户",
    "deposit": "押金超过上限",
    "membership": "会员费不合规",
    "reserve": "未缴存风险保证金",
    "service_months": "预收服务费超过最长月数",
    "stop_notice": "停止服务未按期告知",
}


class InstitutionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yanglao.institutions"
    verbose_name = "养老机构与综合监管"

    def ready(self) -> None:
        from yanglao.accounts import audit_text
        from yanglao.institutions import hooks
        from yanglao.institutions.choices import FILING_DOCUMENTS, PrepaidKind

        hooks.connect()
        # The audit log names 备案 documents, prepaid kinds and rule breaches in Chinese.
        audit_text.register_labels("documents", dict(FILING_DOCUMENTS))
        audit_text.register_labels("items", dict(PrepaidKind.choices))
        audit_text.register_labels("violations", VIOLATION_LABELS)
