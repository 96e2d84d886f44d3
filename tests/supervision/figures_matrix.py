"""Authorization probes for the dashboard, map, ranking, weekly sheet and circular endpoints,
merged into tests/test_authorization.py.

Each probe makes one major hazard per enterprise (武侯, 锦江, 绵阳 涪城) and asserts that a role
counts exactly the hazards of the enterprises it may see, that a region outside its scope
answers 404, and that enterprise users get their own figures on the dashboard and 403 on the
regional views.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from openpyxl import load_workbook

from ..hazards.matrix import VISIBLE, hazard_of

# The region each role's figures open on, and whether 武侯区 (510107) lies in its scope.
HOME = {
    "admin": "510000", "sc_office": "510000", "expert": "510000", "commander": "510000",
    "cd_office": "510100", "wuhou_inspector": "510107", "jinjiang_inspector": "510104", "ent_wuhou": None,
}
SEES_WUHOU = {"admin", "sc_office", "expert", "commander", "cd_office", "wuhou_inspector"}
GOVERNMENT = set(HOME) - {"ent_wuhou"}


def _hazards(enterprises) -> None:
    for enterprise in enterprises.values():
        hazard_of(enterprise)


def _outside(role: str) -> str:
    """A region the role may not read: Mianyang's 涪城区 for Chengdu's users, else 锦江区/武侯区."""
    if role in ("cd_office", "wuhou_inspector"):
        return "510703" if role == "cd_office" else "510104"
    return "510107"


def dashboard(client, role, enterprises, path):
    _hazards(enterprises)
    body = client.get(path).json()
    assert body["hazards"]["found"] == len(VISIBLE[role]), role
    assert body["hazards"]["major_open"] == len(VISIBLE[role]), role
    assert (body["region"] or {}).get("code") == HOME[role], role
    wuhou = client.get(path, {"region": "510107"})
    assert wuhou.status_code == (200 if role in SEES_WUHOU else 404), role
    if role in SEES_WUHOU:
        assert wuhou.json()["hazards"]["found"] == 1, role
    if role in ("jinjiang_inspector", "cd_office", "wuhou_inspector"):
        assert client.get(path, {"region": _outside(role)}).status_code == 404, role
    assert client.get(path, {"region": "519999"}).status_code in (404, 422), role


def _regional(check):
    """A probe of a government-only regional view: 403 for enterprise users, 404 outside the
    scope, 422 for an unknown region; `check(response, role)` looks at the answer in scope."""

    def regional(client, role, enterprises, path):
        _hazards(enterprises)
        response = client.get(path, _params(path))
        if role not in GOVERNMENT:
            assert response.status_code == 403, (role, response.status_code)
            return
        assert response.status_code == 200, (role, response.content[:300])
        check(response, role)
        if HOME[role] != "510000":
            outside = client.get(path, {**_params(path), "region": "510000"})
            assert outside.status_code == 404, role
        unknown = client.get(path, {**_params(path), "region": "519999"})
        assert unknown.status_code == 422, role

    regional.__name__ = f"regional_{check.__name__}"
    return regional


def _params(path: str) -> dict:
    if path.endswith("/dashboard/map"):
        return {"indicator": "major_open"}
    if path.endswith("/reports/monthly"):
        from benan.core import clock

        return {"month": f"{clock.today():%Y-%m}"}
    return {}


def _map(response, role):
    rows = response.json()["rows"]
    # Sub-regions of the role's home: cities of the province, counties of a city, none below.
    expected = len(VISIBLE[role]) if HOME[role] in ("510000", "510100") else 0
    assert sum(r["value"] for r in rows) == expected, role


def _ranking(response, role):
    rows = response.json()["rows"]
    expected = len(VISIBLE[role]) if HOME[role] in ("510000", "510100") else 0
    assert sum(r["major_open"] for r in rows) == expected, role


def _ranking_xlsx(response, role):
    sheet = load_workbook(BytesIO(response.content)).active
    column = [c.value for c in sheet[2]].index("重大隐患未销号") + 1
    values = [sheet.cell(row=r, column=column).value for r in range(3, sheet.max_row + 1)]
    expected = len(VISIBLE[role]) if HOME[role] in ("510000", "510100") else 0
    assert sum(v for v in values if isinstance(v, int)) == expected, role


def _weekly(response, role):
    # Hazards confirmed this week are new major hazards of the week in every scope.
    assert response.json()["totals"]["new_major"] == len(VISIBLE[role]), role


def _weekly_xlsx(response, role):
    sheet = load_workbook(BytesIO(response.content))["汇总"]
    total_row = [c.value for c in sheet[sheet.max_row]]
    assert total_row[1] == "合计" and total_row[2] == len(VISIBLE[role]), (role, total_row)


def _circular(response, role):
    text = "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)
    assert f"重大事故隐患{len(VISIBLE[role])}项" in text, role


def indicators(client, role, enterprises, path):
    keys = [row["key"] for row in client.get(path).json()]
    assert "hazards_overdue" in keys and "deaths" in keys


FIGURES_API = {
    ("get", "/api/v1/dashboard"): dashboard,
    ("get", "/api/v1/dashboard/map"): _regional(_map),
    ("get", "/api/v1/indicators"): indicators,
    ("get", "/api/v1/ranking"): _regional(_ranking),
    ("get", "/api/v1/ranking/export"): _regional(_ranking_xlsx),
    ("get", "/api/v1/weekly"): _regional(_weekly),
    ("get", "/api/v1/weekly/export"): _regional(_weekly_xlsx),
    ("get", "/api/v1/reports/monthly"): _regional(_circular),
}
