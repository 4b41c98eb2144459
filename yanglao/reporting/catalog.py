"""The data sets shipped with the platform (seeded by migration 0002; idempotent).

The documents are the national ones that ask for each figure; none of them fixes a reporting
form or deadline for civil affairs, so the period, the reporting level and the deadline are
the platform's defaults (标“待核实”) until the province's 统计调查制度 names them (issue 13).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yanglao.regions import codes
from yanglao.reporting.choices import Department, PeriodType


@dataclass(frozen=True)
class ElementSpec:
    code: str
    name: str
    unit: str
    definition: str = ""


@dataclass(frozen=True)
class DataSetSpec:
    code: str
    name: str
    department: str
    period_type: str
    report_level: int
    due_day: int
    document_no: str
    source: str
    elements: tuple[ElementSpec, ...]


DATA_SETS: tuple[DataSetSpec, ...] = (
    DataSetSpec(
        "WJ-JTYS",
        "老年人家庭医生签约服务",
        Department.HEALTH,
        PeriodType.MONTHLY,
        codes.TOWNSHIP,
        10,
        "国卫基层发〔2016〕1号《关于推进家庭医生签约服务的指导意见》",
        "卫生健康部门掌握；乡镇（街道）每月向县级报送辖区签约情况。报送周期与截止日为平台默认（待核实）。",
        (
            ElementSpec(
                "WJ-JTYS-01", "65周岁及以上老年人家庭医生签约人数", "人", "报告期末有效签约"
            ),
            ElementSpec("WJ-JTYS-02", "其中：失能、半失能老年人签约人数", "人", "报告期末有效签约"),
        ),
    ),
    DataSetSpec(
        "WJ-YYJH",
        "医养结合签约服务",
        Department.HEALTH,
        PeriodType.QUARTERLY,
        codes.TOWNSHIP,
        15,
        "国卫老龄发〔2019〕60号《关于深入推进医养结合发展的若干意见》",
        "卫生健康部门掌握；养老机构与医疗卫生机构签约合作情况。报送周期与截止日为平台默认（待核实）。",
        (
            ElementSpec("WJ-YYJH-01", "与医疗卫生机构签约合作的养老机构数", "家", "报告期末"),
            ElementSpec("WJ-YYJH-02", "医养结合签约服务老年人数", "人", "报告期末"),
        ),
    ),
    DataSetSpec(
        "ZJ-JZDT",
        "既有住宅加装电梯",
        Department.HOUSING,
        PeriodType.QUARTERLY,
        codes.TOWNSHIP,
        15,
        "国办发〔2020〕23号《关于全面推进城镇老旧小区改造工作的指导意见》",
        "住房和城乡建设部门掌握；老旧小区改造中加装电梯情况。报送周期与截止日为平台默认（待核实）。",
        (
            ElementSpec("ZJ-JZDT-01", "本季度完工加装电梯数", "部"),
            ElementSpec("ZJ-JZDT-02", "惠及60周岁及以上老年住户数", "户"),
        ),
    ),
    DataSetSpec(
        "CL-CJLR",
        "残疾老年人与无障碍改造",
        Department.DISABLED,
        PeriodType.MONTHLY,
        codes.VILLAGE,
        10,
        "国发〔2021〕10号《“十四五”残疾人保障和发展规划》",
        "残疾人联合会掌握；村（社区）每月报送，乡镇（街道）审核。报送周期与截止日为平台默认（待核实）。",
        (
            ElementSpec("CL-CJLR-01", "60周岁及以上持证残疾人数", "人", "报告期末持有残疾人证"),
            ElementSpec("CL-CJLR-02", "本月完成困难重度残疾人家庭无障碍改造户数", "户"),
        ),
    ),
)


def seed(data_set_model: Any, element_model: Any) -> None:
    """Create the shipped data sets and elements that are missing (existing rows are kept:
    a province may have changed a deadline)."""
    for order, spec in enumerate(DATA_SETS):
        ds, _ = data_set_model.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "department": spec.department,
                "period_type": spec.period_type,
                "report_level": spec.report_level,
                "due_day": spec.due_day,
                "document_no": spec.document_no,
                "source": spec.source,
                "order": order,
            },
        )
        for n, e in enumerate(spec.elements):
            element_model.objects.get_or_create(
                code=e.code,
                defaults={
                    "data_set": ds,
                    "name": e.name,
                    "unit": e.unit,
                    "definition": e.definition,
                    "order": n,
                },
            )
