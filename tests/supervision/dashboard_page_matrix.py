"""Authorization probes for the figure pages (dashboard, map data, ranking, weekly sheet, monthly
circular and their downloads), merged into PAGE_MATRIX in tests/test_authorization.py.

Each probe makes one open major hazard per enterprise (武侯, 锦江, 绵阳 涪城) through the services and
asserts for the role (VISIBLE of tests/hazards/matrix.py):
- the figures count exactly the hazards of the enterprises the role may see;
- the dashboard opens on the role's own region (an enterprise user: their enterprise), and a region
  outside the scope is 404;
- the regional pages and downloads: enterprises 403, a region outside the scope 404 (the circular's
  form: a form error, 400), nothing from outside the scope counted.
"""

from __future__ import annotations

import re
from io import BytesIO

from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from benan.core import clock

from ..hazards.matrix import VISIBLE, hazard_of

# The region each role's pages open on (None: the enterprise's own figures).
HOME = {
    "admin": "510000", "sc_office": "510000", "expert": "510000", "commander": "510000",
    "cd_office": "510100", "wuhou_inspector": "510107", "jinjiang_inspector": "510104", "ent_wuhou": None,
}
# A region each role may not read (the province's roles read every region).
OUTSIDE = {"cd_office": "510703", "wuhou_inspector": "510104", "jinjiang_inspector": "510107"}


def _hazards(enterprises) -> int:
    for enterprise in enterprises.values():
        hazard_of(enterprise)
    return 3


def _below(role: str) -> int:
    """The hazards the role's sub-regions hold together: all it sees, unless its home is a county."""
    return len(VISIBLE[role]) if HOME[role] in ("510000", "510100") else 0


def _figure(text: str, key: str) -> int:
    match = re.search(rf'data-figure="{key}" data-value="(\d+)"', text)
    assert match, key
    return int(match[1])


def page_dashboard(client, role, enterprises, name):
    _hazards(enterprises)
    response = client.get(reverse(name))
    assert response.status_code == 200, role
    text = response.content.decode()
    assert _figure(text, "hazards_found") == len(VISIBLE[role]), role
    assert _figure(text, "major_open") == len(VISIBLE[role]), role
    region = response.context["region"]
    assert (region.code if region else None) == HOME[role], role
    wuhou = client.get(reverse(name), {"region": "510107"})
    assert wuhou.status_code == (200 if "wuhou" in VISIBLE[role] and HOME[role] else 404), role
    if wuhou.status_code == 200:
        assert _figure(wuhou.content.decode(), "hazards_found") == 1, role
    if role in OUTSIDE:
        assert client.get(reverse(name), {"region": OUTSIDE[role]}).status_code == 404, role


def _regional(check, params=None):
    """A government-only page: enterprises 403; in the scope 200 and `check(response, role)`; a region
    outside it 404 (`outside` overrides the status). `params`: a dict, or a function giving one."""

    def probe(client, role, enterprises, name, outside=404):
        _hazards(enterprises)
        query = params() if callable(params) else dict(params or {})
        response = client.get(reverse(name), query)
        if HOME[role] is None:
            assert response.status_code == 403, (role, name)
            return
        assert response.status_code == 200, (role, name, response.content[:300])
        check(response, role)
        if role in OUTSIDE:
            away = client.get(reverse(name), {**query, "region": OUTSIDE[role]})
            assert away.status_code == outside, (role, name, away.status_code)

    probe.__name__ = f"page_{check.__name__.lstrip('_')}"
    return probe


def _map(response, role):
    rows = response.json()["rows"]
    assert sum(r["value"] for r in rows) == _below(role), role


def _ranking(response, role):
    cells = [c for row in response.context["rows"] for c in row["cells"] if c["key"] == "major_open"]
    shown = sum(int(c["value"]) for c in cells)
    assert shown == _below(role), role


def _ranking_xlsx(response, role):
    sheet = load_workbook(BytesIO(response.content)).active
    column = [c.value for c in sheet[2]].index("重大隐患未销号") + 1
    values = [sheet.cell(row=r, column=column).value for r in range(3, sheet.max_row + 1)]
    assert sum(v for v in values if isinstance(v, int)) == _below(role), role


def _weekly(response, role):
    # Hazards confirmed this week are the week's new major hazards in every scope.
    assert response.context["totals"][0] == len(VISIBLE[role]), role


def _weekly_xlsx(response, role):
    sheet = load_workbook(BytesIO(response.content))["汇总"]
    total = [c.value for c in sheet[sheet.max_row]]
    assert total[1] == "合计" and total[2] == len(VISIBLE[role]), (role, total)


def _circular(response, role):
    assert f"重大事故隐患{len(VISIBLE[role])}项" in response.context["preview"]["overall"][0], role


def _circular_docx(response, role):
    text = "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)
    assert f"重大事故隐患{len(VISIBLE[role])}项" in text, role


def _this_month() -> dict:
    # Read when the probe runs, not when the matrix is built.
    return {"month": f"{clock.today():%Y-%m}"}


def _circular_probe(check):
    regional = _regional(check, _this_month)

    def probe(client, role, enterprises, name):
        # The circular's region is a choice of the form: outside the scope it is a form error.
        regional(client, role, enterprises, name, outside=400)

    probe.__name__ = regional.__name__
    return probe


DASHBOARD_PAGES = {
    "supervision:dashboard": page_dashboard,
    "supervision:map_data": _regional(_map, {"indicator": "major_open"}),
    "supervision:ranking": _regional(_ranking),
    "supervision:ranking_export": _regional(_ranking_xlsx),
    "supervision:weekly": _regional(_weekly),
    "supervision:weekly_export": _regional(_weekly_xlsx),
    "supervision:circular": _circular_probe(_circular),
    "supervision:circular_download": _circular_probe(_circular_docx),
}
