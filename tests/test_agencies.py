"""Agency names → normalized key, region (GB/T 2260 via the cpca dataset), administrative level, sector."""

from __future__ import annotations

import pytest

from pipelines.agencies import describe_agencies, describe_agency
from pipelines.agencies.resolve import normalize_name


@pytest.mark.parametrize(
    ("name", "province", "prefecture", "county", "code", "level", "sector"),
    [
        ("双辽市教育局", "吉林省", "四平市", "双辽市", "220382", "县级", "教育"),
        ("哈尔滨市阿城区教育局", "黑龙江省", "哈尔滨市", "阿城区", "230112", "县级", "教育"),
        ("吕梁市教育局", "山西省", "吕梁市", None, "141100", "市级", "教育"),
        ("吉林省教育厅", "吉林省", None, None, "220000", "省级", "教育"),
        ("吉林市公安局", "吉林省", "吉林市", None, "220200", "市级", "公安"),
        ("北京市朝阳区卫生健康委员会", "北京市", None, "朝阳区", "110105", "县级", "卫生健康"),
        ("平潭综合实验区", "福建省", "福州市", "平潭县", "350128", "县级", "综合政务"),
        ("淮安市人民政府", "江苏省", "淮安市", None, "320800", "市级", "综合政务"),
        ("大理白族自治州民政局", "云南省", "大理白族自治州", None, "532900", "市级", "民政"),
    ],
)
def test_resolves_region_level_and_sector(name, province, prefecture, county, code, level, sector):
    i = describe_agency(name)
    assert (i.province, i.prefecture, i.county, i.division_code, i.admin_level, i.sector, i.region_status) == (
        province, prefecture, county, code, level, sector, "resolved")


def test_ambiguous_name_stays_unresolved_with_the_candidates():
    i = describe_agency("朝阳区教育委员会")
    assert i.region_status == "ambiguous" and i.division_code is None
    assert "110105" in i.region_reason and "220104" in i.region_reason


def test_unknown_place_stays_unresolved_with_a_reason():
    i = describe_agency("郑县教育体育局")
    assert i.region_status == "unresolved" and i.province is None and "郑县教育体育局" in i.region_reason
    assert i.sector == "教育"


def test_national_body():
    assert describe_agency("国家统计局").admin_level == "国家级"


def test_same_agency_written_two_ways_shares_a_key():
    assert normalize_name(" 吕梁市　教育局 ") == "吕梁市教育局"
    infos = {i.agency: i.agency_key for i in describe_agencies(
        ["郑州市金水区教体局", "郑州市金水区教育体育局", "郑州市 金水区 教育体育局"])}
    assert set(infos.values()) == {"郑州市金水区教育体育局"}
