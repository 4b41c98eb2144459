"""Forms of the institution pages: every POST goes through one of these (never raw POST)."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import Any

from django import forms

from yanglao.institutions.choices import (
    FILING_DOCUMENTS,
    BedKind,
    EndReason,
    FilingKind,
    Medical,
    OperatingStatus,
    Ownership,
    ProfitKind,
)
from yanglao.institutions.models import Bed, Institution
from yanglao.institutions.services import InstitutionInput
from yanglao.people.forms import DATE_INPUT, village_choices
from yanglao.regions.models import Region


def _money(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, min_value=Decimal(0), max_digits=10, decimal_places=2
    )


def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=100_000, initial=0)


class InstitutionForm(forms.Form):
    credit_code = forms.CharField(label="统一社会信用代码", max_length=30)
    name = forms.CharField(label="机构名称", max_length=100)
    ownership = forms.ChoiceField(label="举办性质", choices=Ownership.choices)
    profit = forms.ChoiceField(label="营利性质", choices=ProfitKind.choices)
    is_tekun = forms.BooleanField(label="特困人员供养服务机构", required=False)
    is_glory = forms.BooleanField(label="光荣院", required=False)
    is_regional_center = forms.BooleanField(label="区域性养老服务中心", required=False)
    legal_rep = forms.CharField(label="法定代表人（主要负责人）", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    region_code = forms.ChoiceField(label="所在村（社区）")
    address = forms.CharField(label="详细地址", max_length=200)
    longitude = forms.DecimalField(label="经度", required=False, max_digits=9, decimal_places=6)
    latitude = forms.DecimalField(label="纬度", required=False, max_digits=8, decimal_places=6)
    registration_authority = forms.CharField(label="登记机关", max_length=100, required=False)
    founded_on = forms.DateField(label="成立日期", required=False, widget=DATE_INPUT)
    area_m2 = forms.IntegerField(label="建筑面积（平方米）", required=False, min_value=0)
    beds_total = _count("总床位数")
    beds_nursing = _count("护理型床位数")
    beds_dementia = _count("失智照护床位数")
    beds_daycare = _count("日间照料床位数")
    fire_approved = forms.BooleanField(label="消防审验合格", required=False)
    food_licensed = forms.BooleanField(label="取得食品经营许可", required=False)
    medical = forms.ChoiceField(label="医疗服务能力", choices=Medical.choices)
    medical_partner = forms.CharField(label="签约医疗机构", max_length=100, required=False)
    ltc_designated = forms.BooleanField(label="长期护理保险定点", required=False)
    liability_insured = forms.BooleanField(label="投保综合责任保险", required=False)
    bed_fee_min = _money("床位费下限（元/月）")
    bed_fee_max = _money("床位费上限（元/月）")
    care_fee_min = _money("护理费下限（元/月）")
    care_fee_max = _money("护理费上限（元/月）")
    meal_fee_min = _money("膳食费下限（元/月）")
    meal_fee_max = _money("膳食费上限（元/月）")
    status = forms.ChoiceField(label="运营状态", choices=OperatingStatus.choices)
    licence_valid_until = forms.DateField(label="证照有效期至", required=False, widget=DATE_INPUT)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, villages: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = village_choices(villages)

    def to_input(self) -> InstitutionInput:
        d = self.cleaned_data
        values: dict[str, Any] = {f.name: d.get(f.name) for f in fields(InstitutionInput)}
        for key in ("beds_total", "beds_nursing", "beds_dementia", "beds_daycare"):
            values[key] = values[key] or 0
        for key in ("phone", "registration_authority", "medical_partner"):
            values[key] = values[key] or ""
        return InstitutionInput(**values)

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            for m in messages:
                self.add_error(field if field in self.fields else None, m)

    @staticmethod
    def initial_from(inst: Institution) -> dict[str, Any]:
        data = dict(InstitutionInput.of(inst).__dict__)
        data["version"] = inst.version
        return data


class FilingForm(forms.Form):
    kind = forms.ChoiceField(label="备案类型", choices=FilingKind.choices)
    documents = forms.MultipleChoiceField(
        label="提交的材料",
        choices=FILING_DOCUMENTS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    pledge = forms.BooleanField(
        label="本机构承诺符合建筑、消防、食品安全、医疗卫生、特种设备等法律法规和强制性标准",
        required=False,
    )
    note = forms.CharField(label="说明", max_length=500, required=False, widget=forms.Textarea)


class DecideForm(forms.Form):
    receipt = forms.TypedChoiceField(
        label="处理结果",
        choices=[("1", "材料齐全，出具备案回执"), ("0", "材料不齐，告知补正")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="需补正的材料或事项", max_length=500, required=False)


class BedForm(forms.Form):
    room = forms.CharField(label="房间号", max_length=20)
    number = forms.CharField(label="床号", max_length=20)
    kind = forms.ChoiceField(label="床位类型", choices=BedKind.choices)


class AdmitForm(forms.Form):
    id_number = forms.CharField(
        label="老人身份证号码", max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    bed = forms.ModelChoiceField(label="床位", queryset=Bed.objects.none(), required=False)
    start = forms.DateField(label="入住日期", widget=DATE_INPUT)
    contract_to = forms.DateField(label="合同截止日期", required=False, widget=DATE_INPUT)
    bed_fee = _money("床位费（元/月）")
    care_fee = _money("护理费（元/月）")
    meal_fee = _money("膳食费（元/月）")
    care_grade = forms.CharField(label="照护等级", max_length=32, required=False)

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["bed"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = institution.beds.filter(status="free")
        field.empty_label = "暂不分配床位"


class DischargeForm(forms.Form):
    end = forms.DateField(label="离院日期", widget=DATE_INPUT)
    reason = forms.ChoiceField(
        label="离院原因",
        choices=[c for c in EndReason.choices if c[0] != EndReason.DEATH],
    )
