"""Forms of the community pages: they validate input (Chinese messages); services write."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from yanglao.community.choices import (
    FacilityKind,
    FilingStatus,
    OrderSource,
    ProviderKind,
    StaffRole,
)
from yanglao.community.models import CatalogueItem, Provider
from yanglao.regions.models import Region


class _Errors(forms.Form):
    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            field = key if key in self.fields else None
            for m in messages:
                self.add_error(field, m)


def _village_field(villages: list[Region]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="所在村（社区）",
        choices=[("", "—请选择—")] + [(v.code, v.name) for v in villages],
    )


class ProviderForm(_Errors):
    name = forms.CharField(label="服务商名称", max_length=100)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=30)
    kind = forms.ChoiceField(label="服务商类型", choices=ProviderKind.choices)
    address = forms.CharField(label="地址", max_length=200)
    contact = forms.CharField(label="联系人", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    filing_status = forms.ChoiceField(label="备案状态", choices=FilingStatus.choices)
    filed_on = forms.DateField(label="备案日期", required=False)

    def __init__(self, *args: Any, villages: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"] = _village_field(villages)


class FacilityForm(_Errors):
    name = forms.CharField(label="设施名称", max_length=100)
    kind = forms.ChoiceField(label="设施类型", choices=FacilityKind.choices)
    address = forms.CharField(label="地址", max_length=200)
    longitude = forms.DecimalField(
        label="经度", required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    latitude = forms.DecimalField(
        label="纬度", required=False, max_digits=8, decimal_places=6, min_value=-90, max_value=90
    )
    opening_hours = forms.CharField(label="开放时间", max_length=100, required=False)
    capacity = forms.IntegerField(
        label="服务能力（人/日）", min_value=0, max_value=100000, initial=0
    )
    staff_on_duty = forms.IntegerField(label="在岗人员数", min_value=0, max_value=10000, initial=0)
    filing_status = forms.ChoiceField(label="备案状态", choices=FilingStatus.choices)

    def __init__(self, *args: Any, villages: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"] = _village_field(villages)


def _item_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="服务项目",
        queryset=CatalogueItem.objects.filter(active=True).order_by("code"),
        empty_label="—请选择—",
    )


class PriceForm(_Errors):
    unit_price = forms.CharField(label="单价（元）", max_length=12)
    effective_from = forms.DateField(label="生效日期", initial=date.today)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"] = _item_field()
        self.order_fields(["item", "unit_price", "effective_from"])


class StaffForm(_Errors):
    username = forms.CharField(label="账号用户名", max_length=150)
    role = forms.ChoiceField(label="岗位", choices=StaffRole.choices)


class FundingRuleForm(_Errors):
    benefit_code = forms.ChoiceField(label="支付的服务清单项目")
    amount_per_unit = forms.CharField(label="每单位补贴（元）", max_length=12)
    monthly_cap = forms.CharField(label="每月上限（元，可空）", max_length=12, required=False)
    effective_from = forms.DateField(label="生效日期")
    document_no = forms.CharField(label="依据文号", max_length=100, required=False)

    def __init__(self, *args: Any, benefits: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["benefit_code"] = forms.ChoiceField(
            label="支付的服务清单项目", choices=[("", "—请选择—"), *benefits]
        )
        self.fields["item"] = _item_field()
        self.order_fields(["item", "benefit_code"])


class OrderForm(_Errors):
    source = forms.ChoiceField(
        label="申请来源",
        choices=[
            (OrderSource.WINDOW, OrderSource.WINDOW.label),
            (OrderSource.FAMILY, OrderSource.FAMILY.label),
            (OrderSource.VISIT, OrderSource.VISIT.label),
        ],
    )
    quantity = forms.DecimalField(
        label="数量", min_value=0.5, max_value=1000, decimal_places=2, initial=1
    )
    scheduled_for = forms.DateField(label="预约日期", required=False)
    note = forms.CharField(
        label="需求说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"] = _item_field()
        self.order_fields(["item", "source", "quantity", "scheduled_for", "note"])


class DispatchForm(_Errors):
    def __init__(
        self, *args: Any, providers: list[Provider], workers: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if providers:
            self.fields["provider"] = forms.ChoiceField(
                label="服务商",
                required=False,
                choices=[("", "—不变—")] + [(str(p.pk), p.name) for p in providers],
            )
        self.fields["worker"] = forms.ChoiceField(
            label="服务人员",
            required=False,
            choices=[("", "—暂不指定—")] + [(str(pk), name) for pk, name in workers],
        )


class SettlementForm(_Errors):
    month = forms.CharField(label="结算月份（如 2026-10）", max_length=7)

    def __init__(self, *args: Any, providers: list[Provider], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"] = forms.ChoiceField(
            label="服务商", choices=[("", "—请选择—")] + [(str(p.pk), p.name) for p in providers]
        )
        self.order_fields(["provider", "month"])

    def clean_month(self) -> date:
        raw = self.cleaned_data["month"].strip()
        try:
            year, month = raw.split("-")
            return date(int(year), int(month), 1)
        except ValueError as exc:
            raise forms.ValidationError("月份格式应为 年-月，如 2026-10") from exc
