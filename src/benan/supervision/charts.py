"""The circular's charts, drawn with matplotlib (no display) in a CJK font.

The font is Noto Sans CJK, which the Makefile installs from Debian (fonts-noto-cjk) with the
other machine dependencies; without any CJK font the charts are left out (None) rather than
drawn with empty boxes for every character.
"""

from __future__ import annotations

import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from benan.core.period import Period  # noqa: E402

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Droid Sans Fallback")
BLUE, ORANGE, RED = "#2f6db5", "#f0a030", "#c00000"


@lru_cache(maxsize=1)
def cjk_family() -> str | None:
    """The first installed CJK font family, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


def _figure() -> Figure | None:
    family = cjk_family()
    if family is None:
        return None
    figure = Figure(figsize=(8, 3.6), dpi=150)
    figure.set_layout_engine("constrained")
    matplotlib.rcParams["font.family"] = family
    matplotlib.rcParams["axes.unicode_minus"] = False
    return figure


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    # A fixed creation date in the metadata keeps the same month's chart byte-for-byte the same.
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def hazards_by_region(rows: list[dict], month: Period) -> bytes | None:
    """Bars per sub-region: hazards found and closed in the month."""
    figure = _figure()
    if figure is None:
        return None
    axes = figure.add_subplot()
    ordered = sorted(rows, key=lambda r: r["region_code"])
    names = [r["region_name"] for r in ordered]
    xs = range(len(ordered))
    axes.bar([x - 0.2 for x in xs], [r["hazards_found"] for r in ordered], width=0.4, color=BLUE,
             label="发现")
    axes.bar([x + 0.2 for x in xs], [r["hazards_closed"] for r in ordered], width=0.4, color=ORANGE,
             label="已销号")
    crowded = len(names) > 8
    axes.set_xticks(list(xs), names, rotation=45 if crowded else 0, ha="right" if crowded else "center",
                    fontsize=8)
    axes.set_ylabel("隐患（项）")
    axes.set_title(f"{month.label}各地隐患发现与销号", fontsize=11)
    axes.legend(fontsize=8)
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


def accident_trend(trend: dict, month: Period) -> bytes | None:
    """Accidents (bars) and deaths (line) per month from January to the circular's month."""
    figure = _figure()
    if figure is None:
        return None
    axes = figure.add_subplot()
    months = trend["months"]
    axes.bar(months, trend["accidents"], color=BLUE, label="事故起数")
    axes.set_ylabel("事故（起）")
    axes.yaxis.get_major_locator().set_params(integer=True)
    deaths = axes.twinx()
    deaths.plot(months, trend["deaths"], color=RED, marker="o", label="死亡人数")
    deaths.set_ylabel("死亡（人）")
    deaths.yaxis.get_major_locator().set_params(integer=True)
    deaths.set_ylim(bottom=0)
    axes.set_title(f"{month.start.year}年各月生产安全事故", fontsize=11)
    lines = axes.get_legend_handles_labels()
    more = deaths.get_legend_handles_labels()
    axes.legend(lines[0] + more[0], lines[1] + more[1], fontsize=8, loc="upper left")
    return _png(figure)
