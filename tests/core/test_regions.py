"""The shipped region tree: Sichuan, its 21 cities and 183 county-level divisions."""

from django.core.management import call_command

from benan.core.models import Region
from benan.core.regions import check_rows, read_rows


def test_the_tree_has_the_current_divisions(regions):
    assert Region.objects.filter(level="province").count() == 1
    assert Region.objects.filter(level="city", parent_id="510000").count() == 21
    assert Region.objects.filter(level="county").count() == 183
    assert Region.objects.get(code="510107").name == "武侯区"
    # Renamed since cpca's 2021 list: the current codes must be the ones shipped.
    assert Region.objects.get(code="510117").name == "郫都区"
    assert not Region.objects.filter(code="510124").exists()
    assert Region.objects.get(code="513402").name == "会理市"


def test_every_county_has_a_parent_city_and_coordinates_in_sichuan(regions):
    from benan.core.geo import in_sichuan

    for region in Region.objects.filter(level="county").select_related("parent"):
        assert region.parent.level == "city"
        assert region.code.startswith(region.parent.code[:4])
        assert in_sichuan(region.lat, region.lon), region


def test_loading_again_changes_nothing(regions, capsys):
    call_command("load_regions")
    assert "新增 0 个，更新 205 个" in capsys.readouterr().out
    assert Region.objects.count() == 205


def test_a_county_outside_its_parents_range_is_refused():
    rows = read_rows()
    bad = [*rows, {"code": "510299", "name": "错", "level": "county", "parent_code": "510100",
                   "lat": "30", "lon": "104"}]
    import pytest

    with pytest.raises(ValueError):
        check_rows(bad)


def test_full_names_read_from_the_city_down(regions):
    assert Region.objects.get(code="510107").full_name == "成都市武侯区"
    assert Region.objects.get(code="510100").full_name == "成都市"
    assert Region.objects.get(code="510000").full_name == "四川省"
