from datetime import date

import pytest

from yanglao.core.models import AuditEvent
from yanglao.regions.models import Region
from yanglao.regions.services import RegionFileError, regions_load, regions_load_bundled

CSV = """code,name,level,parent_code
22,吉林省,province,
2201,长春市,city,22
220102,南关区,county,2201
220102001,南岭街道,township,220102
220102001001,华阳社区,village,220102001
220102001002,民康社区,village,220102001
"""


@pytest.mark.django_db
def test_reload_is_idempotent_and_reports_changes() -> None:
    first = regions_load(text=CSV, actor=None, today=date(2026, 1, 1))
    assert len(first.added) == 6
    again = regions_load(text=CSV, actor=None)
    assert (again.added, again.renamed, again.retired, again.unchanged) == ([], [], [], 6)
    changed = (
        CSV.replace("民康社区", "民康新社区").replace(
            "220102001001,华阳社区,village,220102001\n", ""
        )
        + "220102001003,新建社区,village,220102001\n"
    )
    report = regions_load(text=changed, actor=None, today=date(2026, 6, 1))
    assert report.added == ["220102001003"]
    assert report.renamed == [("220102001002", "民康社区", "民康新社区")]
    assert report.retired == ["220102001001"]
    retired = Region.objects.get(code="220102001001")
    assert retired.valid_to == date(2026, 6, 1)  # kept, never deleted
    assert AuditEvent.objects.filter(action="regions.load").count() == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,name\n22,吉林省\n", "缺少列"),
        ("code,name,level,parent_code\n2201,长春市,city,22\n", "必须在本行之前出现"),
        (
            "code,name,level,parent_code\n22,吉林省,province,\n2301,哈尔滨,city,22\n",
            "不以上级代码开头",
        ),
        ("code,name,level,parent_code\n22,吉林省,town,\n", "未知层级"),
        ("code,name,level,parent_code\n22,吉林省,province,\n22,吉林省,province,\n", "代码重复"),
    ],
)
@pytest.mark.django_db
def test_bad_files_change_nothing(text: str, message: str) -> None:
    with pytest.raises(RegionFileError, match=message):
        regions_load(text=text, actor=None)
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_bundled_jilin_tree() -> None:
    report = regions_load_bundled()
    assert len(report.added) == 13014
    assert Region.objects.filter(level=5).count() == 11860
    assert Region.objects.filter(level=3).count() == 69
    assert Region.objects.get(code="220184000000").name == "公主岭市"
