"""Forms validate input shape; the services enforce the ledger's rules."""

from __future__ import annotations

from typing import Any

from django import forms

from yanglao.accounts.regionpicker import RegionField
from yanglao.people.choices import (
    ADVANCED_AGE,
    ADVANCED_AGE_LABEL,
    AGE_BANDS,
    DEMENTIA_FILTER,
    DERIVED_CATEGORIES,
    ETHNICITIES,
    KEY_GROUP_FILTER,
    SYSTEM_CATEGORIES,
    Category,
    DementiaSource,
    DisabilityGrade,
    DisabilityKind,
    Dwelling,
    Education,
    IncomeSource,
    LifeStatus,
    LivingArrangement,
    MaritalStatus,
    MedicalPayment,
    Relation,
    Sex,
)
from yanglao.people.models import Person
from yanglao.people.rules import ContactInput, PersonInput
from yanglao.people.search import HELP as SEARCH_HELP
from yanglao.regions.models import Region

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_CONTACTS = 2


def village_choices(villages: list[Region]) -> list[tuple[str, Any]]:
    """Villages grouped under their township, for an <optgroup> select."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for v in villages:
        label = v.parent.name if v.parent else ""
        groups.setdefault(label, []).append((v.code, v.short_name))
    return [("", "请选择村（社区）"), *groups.items()]


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=30)
    sex = forms.ChoiceField(label="性别", choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(label="出生日期", widget=DATE_INPUT)
    id_number = forms.CharField(
        label="公民身份号码", max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    ethnicity = forms.ChoiceField(label="民族", choices=ETHNICITIES, initial="01")
    region_code = forms.ChoiceField(label="居住村（社区）")
    household_region_code = RegionField(
        label="户籍地",
        required=False,
        levels=(3, 4, 5),
        any_region=True,
        help_text="县（市、区）、乡镇（街道）或村（社区）：输入名称再从列表中选择；不填则与居住村（社区）相同",
    )
    dwelling = forms.ChoiceField(
        label="居住方式",
        choices=Dwelling.choices,
        initial=Dwelling.HOME,
        widget=forms.RadioSelect,
    )
    address = forms.CharField(label="详细住址", max_length=200, required=False)
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    household_no = forms.CharField(
        label="户号",
        max_length=30,
        required=False,
        help_text="同一户口簿的老人填写相同户号，即关联为同一家庭户",
    )
    education = forms.ChoiceField(
        label="文化程度", choices=Education.choices, initial=Education.UNKNOWN
    )
    marital_status = forms.ChoiceField(
        label="婚姻状况", choices=MaritalStatus.choices, initial=MaritalStatus.UNSTATED
    )
    living_arrangement = forms.MultipleChoiceField(
        label="居住情况",
        choices=LivingArrangement.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    medical_payment = forms.MultipleChoiceField(
        label="医疗费用支付方式",
        choices=MedicalPayment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    income_sources = forms.MultipleChoiceField(
        label="经济来源",
        choices=IncomeSource.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, villages: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field = self.fields["region_code"]
        assert isinstance(region_field, forms.ChoiceField)
        region_field.choices = village_choices(villages)
        for i in range(1, MAX_CONTACTS + 1):
            self.fields[f"contact{i}_name"] = forms.CharField(
                label=f"紧急联系人{i} 姓名", max_length=30, required=False
            )
            self.fields[f"contact{i}_relation"] = forms.ChoiceField(
                label=f"紧急联系人{i} 关系", choices=[("", "—"), *Relation.choices], required=False
            )
            self.fields[f"contact{i}_phone"] = forms.CharField(
                label=f"紧急联系人{i} 电话", max_length=20, required=False
            )

    def to_input(self) -> PersonInput:
        d = self.cleaned_data
        contacts = [
            ContactInput(
                name=d[f"contact{i}_name"],
                relation=d[f"contact{i}_relation"],
                phone=d[f"contact{i}_phone"],
            )
            for i in range(1, MAX_CONTACTS + 1)
            if d.get(f"contact{i}_name") or d.get(f"contact{i}_phone")
        ]
        return PersonInput(
            name=d["name"],
            sex=d["sex"],
            birth_date=d["birth_date"],
            id_number=d["id_number"],
            region_code=d["region_code"],
            ethnicity=d["ethnicity"],
            education=d["education"],
            living_arrangement=list(d["living_arrangement"]),
            marital_status=d["marital_status"],
            medical_payment=list(d["medical_payment"]),
            income_sources=list(d["income_sources"]),
            address=d["address"],
            phone=d["phone"],
            household_no=d["household_no"],
            contacts=contacts,
            household_region_code=d["household_region_code"],
            dwelling=d["dwelling"],
        )

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            target = field if field in self.fields else None
            for msg in messages:
                self.add_error(target, msg)

    @staticmethod
    def initial_from(person: Person) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": person.name,
            "sex": person.sex,
            "birth_date": person.birth_date,
            "id_number": person.id_number,
            "ethnicity": person.ethnicity,
            "region_code": person.region_id,
            "household_region_code": ""
            if person.household_region_id == person.region_id
            else person.household_region_id,
            "dwelling": person.dwelling,
            "address": person.address,
            "phone": person.phone,
            "household_no": person.household.household_no if person.household else "",
            "education": person.education,
            "marital_status": person.marital_status,
            "living_arrangement": person.living_arrangement,
            "medical_payment": person.medical_payment,
            "income_sources": person.income_sources,
            "version": person.version,
        }
        for c in person.contacts.all():
            initial[f"contact{c.position}_name"] = c.name
            initial[f"contact{c.position}_relation"] = c.relation
            initial[f"contact{c.position}_phone"] = c.phone
        return initial


class FilterForm(forms.Form):
    q = forms.CharField(
        label="查找",
        required=False,
        help_text=SEARCH_HELP,
        widget=forms.TextInput(
            attrs={
                "placeholder": "姓名、拼音首字母、身份证号或电话",
                "type": "search",
                "aria-describedby": "search-help",
            }
        ),
    )
    region = RegionField(label="区划", required=False)
    category = forms.ChoiceField(
        label="类别",
        required=False,
        choices=[
            ("", "全部类别"),
            (KEY_GROUP_FILTER, "重点对象（八类）"),
            *Category.choices,
            (ADVANCED_AGE, ADVANCED_AGE_LABEL),
            (DEMENTIA_FILTER, "失智"),
        ],
    )
    age_band = forms.ChoiceField(
        label="年龄段",
        required=False,
        choices=[("", "全部年龄")] + [(b, f"{b}岁") for b in AGE_BANDS],
    )
    life_status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[
            (LifeStatus.ALIVE, "在世"),
            (LifeStatus.DECEASED, "死亡"),
            (LifeStatus.MOVED_OUT, "迁出"),
            ("all", "全部"),
        ],
    )


class LifeEventForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE_INPUT)
    reason = forms.CharField(label="原因/去向", max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CategoryAddForm(forms.Form):
    category = forms.ChoiceField(
        label="类别",
        choices=[
            (c.value, c.label)
            for c in Category
            if c not in SYSTEM_CATEGORIES and c not in DERIVED_CATEGORIES
        ],
    )
    start_date = forms.DateField(label="开始日期", widget=DATE_INPUT)
    note = forms.CharField(label="依据/说明", max_length=200, required=False)


class CategoryEndForm(forms.Form):
    end_date = forms.DateField(label="结束日期", widget=DATE_INPUT)


class DisabilityForm(forms.Form):
    kind = forms.ChoiceField(label="残疾类别", choices=DisabilityKind.choices)
    grade = forms.ChoiceField(
        label="残疾等级",
        choices=[
            (g.value, g.label) for g in DisabilityGrade if g != DisabilityGrade.SEVERE_UNKNOWN
        ],
    )
    certificate = forms.CharField(
        label="残疾人证号",
        max_length=30,
        help_text="20位：身份证号码＋残疾类别1位＋残疾等级1位（GB/T 26341-2010）",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    issue_date = forms.DateField(label="发证日期", widget=DATE_INPUT)
    note = forms.CharField(label="说明", max_length=200, required=False)


class DisabilityEndForm(forms.Form):
    end_date = forms.DateField(label="结束日期", widget=DATE_INPUT)


class DementiaForm(forms.Form):
    source = forms.ChoiceField(label="诊断来源", choices=DementiaSource.choices)
    diagnosed_on = forms.DateField(label="诊断日期", widget=DATE_INPUT)
    reference = forms.CharField(
        label="依据", max_length=100, required=False, help_text="医院名称、评估编号等"
    )
    note = forms.CharField(label="说明", max_length=200, required=False)


class DementiaEndForm(forms.Form):
    note = forms.CharField(label="撤销原因", max_length=200)
