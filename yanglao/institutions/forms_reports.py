"""Forms of the monthly report, prepaid filing, balance, stop notice, complaint, 特困 request
and policy-value pages (Chinese messages; every POST goes through one of these)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from yanglao.institutions import queries_reports as queries
from yanglao.institutions import reports
from yanglao.institutions.choices import IncidentKind, RuleKey
from yanglao.institutions.models import MonthlyReport
from yanglao.institutions.prepaid_rules import Item
from yanglao.people.forms import DATE_INPUT

MONTH_INPUT = forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"})
ERRORS = {
    "required": "请填写此项",
    "invalid": "请输入数字",
    "min_value": "不能小于 %(limit_value)s",
    "max_value": "不能大于 %(limit_value)s",
    "max_digits": "数字太大",
    "max_decimal_places": "最多两位小数",
    "max_whole_digits": "数字太大",
}


def _count(label: str, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=reports.MAX_COUNT,
        initial=0,
        required=required,
        error_messages=ERRORS,
    )


def _yuan(label: str, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        required=required,
        error_messages=ERRORS,
    )


def _month() -> forms.CharField:
    return forms.CharField(label="月份", max_length=20, widget=MONTH_INPUT)


class ServiceErrors:
    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        form: Any = self
        for key, messages in errors.items():
            for m in messages:
                form.add_error(key if key in form.fields else None, m)


class ReportForm(ServiceErrors, forms.Form):
    month = _month()

    def __init__(self, *args: Any, prefill: dict[str, int] | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        for name in queries.FIGURES:
            field = _count(reports.label_of(MonthlyReport, name))
            if prefill is not None and name in prefill:
                field.help_text = f"系统预填：{prefill[name]}"
                field.initial = prefill[name]
            self.fields[name] = field
        self.fields["fees_collected"] = _yuan("本月收费（元）")
        for kind, label in IncidentKind.choices:
            self.fields[f"inc_{kind}"] = _count(f"{label}（一般，次）", required=False)
            self.fields[f"inc_{kind}_serious"] = _count(f"{label}（严重，次）", required=False)
        self.fields["adjust_reason"] = forms.CharField(
            label="与系统预填数不一致的原因",
            max_length=500,
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def to_input(self) -> reports.ReportInput:
        d = self.cleaned_data
        incidents = [
            reports.Incident(kind, n, serious)
            for kind in IncidentKind.values
            for serious in (False, True)
            if (n := d.get(f"inc_{kind}{'_serious' if serious else ''}") or 0)
        ]
        return reports.ReportInput(
            month=d["month"],
            figures={k: d[k] for k in queries.FIGURES},
            fees_collected=d["fees_collected"],
            incidents=incidents,
            adjust_reason=d.get("adjust_reason") or "",
        )


class PrepaidForm(ServiceErrors, forms.Form):
    service_amount = _yuan("养老服务费：每人预收金额（元，不收取的留空）", required=False)
    service_months = forms.IntegerField(
        label="养老服务费：预收月数",
        required=False,
        min_value=1,
        max_value=120,
        error_messages=ERRORS,
    )
    deposit_amount = _yuan("押金：每人金额（元，不收取的留空）", required=False)
    deposit_bed_fee = _yuan("押金：对应的月床位费（元）", required=False)
    membership_amount = _yuan("会员费：每人金额（元，不收取的留空）", required=False)
    total_held = _yuan("现有预收费用余额合计（元）")
    fixed_assets_net = _yuan("净固定资产（元）")
    fixed_assets_pledged = _yuan("其中已抵押（元）")
    custody_bank = forms.CharField(label="存管银行", max_length=100, required=False)
    custody_account = forms.CharField(label="存管账户", max_length=40, required=False)
    risk_reserve = _yuan("风险保证金（元）", required=False)

    def to_input(self) -> reports.PrepaidInput:
        d = self.cleaned_data
        items = []
        if d.get("service_amount") is not None:
            items.append(Item("service_fee", d["service_amount"], months=d.get("service_months")))
        if d.get("deposit_amount") is not None:
            items.append(Item("deposit", d["deposit_amount"], bed_fee=d.get("deposit_bed_fee")))
        if d.get("membership_amount") is not None:
            items.append(Item("membership", d["membership_amount"]))
        return reports.PrepaidInput(
            items=items,
            total_held=d["total_held"],
            fixed_assets_net=d["fixed_assets_net"],
            fixed_assets_pledged=d["fixed_assets_pledged"],
            custody_bank=d.get("custody_bank") or "",
            custody_account=d.get("custody_account") or "",
            risk_reserve=d.get("risk_reserve") or Decimal(0),
        )


class BalanceForm(ServiceErrors, forms.Form):
    month = _month()
    residents = _count("月末在住人数")
    service_fees_monthly = _yuan("本月应收服务费合计（元）")
    bed_fees_monthly = _yuan("其中床位费（元）")
    service_balance = _yuan("预收养老服务费余额（元）")
    deposit_balance = _yuan("押金余额（元）")
    membership_balance = _yuan("会员费余额（元）")
    custody_balance = _yuan("存管账户余额（元）")
    fixed_assets_net = _yuan("净固定资产（元）")
    fixed_assets_pledged = _yuan("其中已抵押（元）")
    arrears = _yuan("拖欠款项（工资、租金、应退费用，元）")

    def to_input(self) -> reports.BalanceInput:
        return reports.BalanceInput(**self.cleaned_data)


class StopNoticeForm(forms.Form):
    stop_on = forms.DateField(label="停止服务日期", widget=DATE_INPUT)
    reason = forms.CharField(label="原因", max_length=500)


class ComplaintForm(forms.Form):
    received_on = forms.DateField(label="收到日期", widget=DATE_INPUT)
    summary = forms.CharField(label="投诉事项", max_length=500)
    about_prepaid = forms.BooleanField(label="涉及预收费用", required=False)


class CloseForm(forms.Form):
    result = forms.CharField(label="办理结果", max_length=500)


class SupportForm(ServiceErrors, forms.Form):
    id_number = forms.CharField(
        label="特困老人身份证号码",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    requested_on = forms.DateField(label="申请日期", widget=DATE_INPUT)
    note = forms.CharField(label="说明", max_length=200, required=False)


class RuleForm(ServiceErrors, forms.Form):
    region_code = forms.ChoiceField(label="制定区划")
    key = forms.ChoiceField(label="政策项", choices=RuleKey.choices)
    value = forms.DecimalField(label="取值", max_digits=10, decimal_places=2, error_messages=ERRORS)
    effective_from = forms.DateField(label="生效日期", widget=DATE_INPUT)
    document_no = forms.CharField(label="文号", max_length=120)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["region_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = regions
