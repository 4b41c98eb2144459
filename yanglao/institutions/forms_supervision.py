"""Forms of the 双随机 and inspection pages (every POST goes through one of these)."""

from __future__ import annotations

from django import forms

from yanglao.accounts.regionpicker import RegionField
from yanglao.institutions.models import CheckItem, Organisation


class PlanForm(forms.Form):
    region = RegionField(label="抽查范围（区划）", levels=(1, 2, 3, 4))
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    name = forms.CharField(label="计划名称", max_length=100)
    ratio = forms.CharField(label="抽查比例（如 5% 或 0.05）", max_length=12)
    ratio_document = forms.CharField(label="比例依据（文号）", max_length=100)
    ratio_unconfirmed = forms.BooleanField(label="比例待核实", required=False)
    per_task = forms.IntegerField(label="每组检查人员数", min_value=2, max_value=5, initial=2)
    items = forms.MultipleChoiceField(
        label="抽查事项", choices=(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["items"].choices = [  # type: ignore[attr-defined]
            (i.code, f"{i.code} {i.name}") for i in CheckItem.objects.filter(active=True)
        ]


class InspectorForm(forms.Form):
    username = forms.CharField(label="检查员账号", max_length=150)
    organisation = forms.ChoiceField(label="所属部门", choices=Organisation.choices)
    certificate_no = forms.CharField(label="执法证号", max_length=40, required=False)
    region = RegionField(label="名录库所属区划", levels=(1, 2, 3))


class LinkForm(forms.Form):
    inspector = forms.UUIDField(label="检查人员")
    institution = forms.UUIDField(label="机构")
    reason = forms.CharField(label="回避事由", max_length=200)


class AnswerForm(forms.Form):
    note = forms.CharField(
        label="整改情况", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class RecheckForm(forms.Form):
    close = forms.TypedChoiceField(
        label="复查结论",
        choices=(("1", "复查通过，销号"), ("0", "未整改到位，退回")),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="复查意见", max_length=500, required=False)
