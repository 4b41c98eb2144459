from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yanglao.benefits"
    verbose_name = "基本养老服务与补贴"

    def ready(self) -> None:
        from yanglao.accounts import audit_text
        from yanglao.benefits import hooks, rule_text

        hooks.connect()
        # The audit log reads a published rule and its bands in Chinese, not as JSON.
        audit_text.register_value("rule", rule_text.describe)
        audit_text.register_value("standard", rule_text.describe_bands)
