"""The monthly circular (月度通报) of a region as a Word document in the form of an official
circular: the issuing office in red over a red rule, the issue number, the title, the addressees,
numbered sections (overall situation, hazards, enforcement, accidents, the ranking of sub-regions,
problems found, requirements), tables and charts.

Every figure is computed from the month's data through `figures` (hazards as the ledger stood at
the month's end, the rest by the day things happened), so the circular for a past month says the
same whenever it is generated, and each number equals the module's statistics endpoint for that
region and month. A month without data gives a circular of zeros that says so.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from benan.accidents import queries as accident_queries
from benan.core import clock
from benan.core.models import Region, RegionLevel
from benan.core.period import Period, parse_month

from . import charts, figures

RED = RGBColor(0xC0, 0x00, 0x00)
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
SECTION_NUMBERS = "一二三四五六七八九十"
# (indicator key, column heading) of the ranking table: the ones the office compares regions by.
RANKING_COLUMNS = (
    ("hazards_found", "排查隐患"), ("rectification_rate", "整改率"), ("hazards_overdue", "逾期未整改"),
    ("major_open", "重大隐患未销号"), ("listed", "挂牌督办"), ("cases", "立案"),
    ("accidents", "事故"), ("deaths", "死亡"),
)
RANKING_SORT = "hazards_overdue"
LOW_RATE = 0.8  # a rectification rate below this is named as a problem


def office_name(region: Region) -> str:
    """The issuing office: the region's work-safety committee office (安委会办公室)."""
    return f"{region.name}安全生产委员会办公室"


def scope_word(region: Region) -> str:
    return {RegionLevel.PROVINCE: "全省", RegionLevel.CITY: "全市"}.get(region.level, "全县（市、区）")


def addressees(region: Region) -> str:
    if region.level == RegionLevel.PROVINCE:
        return "各市（州）安委会，省安委会各成员单位："
    if region.level == RegionLevel.CITY:
        return "各县（市、区）安委会，市安委会各成员单位："
    return "各乡镇（街道）安委会，县安委会各成员单位："


def sub_word(region: Region) -> str:
    return "市（州）" if region.level == RegionLevel.PROVINCE else "县（市、区）"


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def wan_yuan(amount) -> str:
    """Yuan as 万元 with two decimals, as circulars state fines."""
    return f"{Decimal(amount) / Decimal(10000):.2f}"


def change(now: int, before: int) -> str:
    """"上升 2 起" / "下降 1 起" / "持平" in the words of a circular."""
    if now == before:
        return "持平"
    return f"{'上升' if now > before else '下降'}{abs(now - before)}"


def month_of(text: str, today: date | None = None) -> Period:
    """The month a circular may be made for: well formed (YYYY-MM) and already begun."""
    month = parse_month(text)
    today = today or clock.today()
    if month.start > today:
        raise ValidationError({"month": [f"{month.label}尚未开始，只能生成本月及以前的月度通报"]})
    return month


# -- the figures -------------------------------------------------------------------------------


def gather(user, region: Region, month: Period, today: date | None = None) -> dict:
    """Everything the circular states, computed once; tests compare it with the statistics
    endpoints and the document with it."""
    today = today or clock.today()
    current = figures.region_figures(user, region.code, month, hazard_period=month, today=today)
    last_year = month.same_period_last_year()
    accidents_before = accident_queries.stats(user, region=region.code, period=last_year)
    rows = figures.subregions(user, region.code, month, hazard_period=month, today=today)
    year_so_far = Period(date(month.start.year, 1, 1), month.end)
    trend = figures.trend(user, region.code, year_so_far)
    by_grade = accident_queries.accidents(
        user, accident_queries.AccidentFilter(region=region.code, period=month)
    ).order_by().values("grade").annotate(n=Count("pk"), deaths=Sum("deaths"))
    deaths_by_grade = {row["grade"]: row["deaths"] or 0 for row in by_grade}
    flat = figures.flat(current)
    return {
        "region": region,
        "month": month,
        "figures": current,
        "flat": flat,
        "accidents_last_year": accidents_before,
        "deaths_by_grade": deaths_by_grade,
        "rows": figures.ranked(rows, RANKING_SORT),
        "trend": trend,
        "empty": _is_empty(current),
    }


def _is_empty(current: dict) -> bool:
    h, e, a, p = current["hazards"], current["enforcement"], current["accidents"], current["power"]
    return not any((
        h["found"], h["overdue"], h["major_open"], h["listed"], e["cases"], e["suspensions"],
        e["referrals"], e["blacklisted"], a["accidents"], a["accountability"], p["total"],
    ))


# -- sentences ---------------------------------------------------------------------------------


def overall(data: dict) -> list[str]:
    region, month = data["region"], data["month"]
    h = data["figures"]["hazards"]
    e = data["figures"]["enforcement"]
    a = data["figures"]["accidents"]
    p = data["figures"]["power"]
    before = data["accidents_last_year"]
    where = scope_word(region)
    if data["empty"]:
        return [f"{month.label}，{where}未录入隐患排查、行政执法、生产安全事故和电力数据预警数据，"
                "本通报各项指标均为零。"]
    return [
        f"{month.label}，{where}共排查发现事故隐患{h['found']}项，其中重大事故隐患{h['major']}项；"
        f"当月发现的隐患至月末已整改销号{h['closed']}项，整改率{percent(h['rectification_rate'])}。"
        f"截至月末，逾期未整改隐患{h['overdue']}项，重大事故隐患未销号{h['major_open']}项，"
        f"挂牌督办{h['listed']}项。",
        f"全月立案查处安全生产违法案件{e['cases']}起，其中实施“一案双罚”{e['dual_penalty']}起，"
        f"责令停产停业整顿{e['suspensions']}家，移送司法机关{e['referrals']}起，"
        f"纳入失信惩戒名单{e['blacklisted']}家，罚款{wan_yuan(e['fines_total_cny'])}万元。",
        f"全月发生生产安全事故{a['accidents']}起、死亡{a['deaths']}人、重伤{a['serious_injuries']}人，"
        f"与去年同期（{before['accidents']}起、死亡{before['deaths']}人）相比，"
        f"事故起数{_with_unit(change(a['accidents'], before['accidents']), '起')}，"
        f"死亡人数{_with_unit(change(a['deaths'], before['deaths']), '人')}。",
        f"电力数据监测发现疑似违规生产预警{p['total']}条，核查属实{p['confirmed']}条，"
        f"尚待核查{p['open']}条。",
    ]


def _with_unit(text: str, unit: str) -> str:
    return text if text == "持平" else f"{text}{unit}"


def problems(data: dict) -> list[str]:
    """The problems found, read from the figures: each names the regions concerned."""
    sub = sub_word(data["region"])
    rows = data["rows"]
    found = []
    low = [r for r in rows if r["hazards_found"] and r["rectification_rate"] < LOW_RATE]
    if low:
        names = "、".join(f"{r['region_name']}（{percent(r['rectification_rate'])}）"
                         for r in sorted(low, key=lambda r: r["rectification_rate"]))
        found.append(f"隐患整改不及时。当月发现隐患整改率低于{percent(LOW_RATE)}的{sub}有：{names}。")
    overdue = [r for r in rows if r["hazards_overdue"]]
    if overdue:
        names = "、".join(f"{r['region_name']}{r['hazards_overdue']}项"
                         for r in sorted(overdue, key=lambda r: (-r["hazards_overdue"], r["region_code"])))
        found.append(f"逾期隐患仍然存在。截至月末逾期未整改隐患：{names}。")
    major = [r for r in rows if r["major_open"]]
    if major:
        names = "、".join(f"{r['region_name']}{r['major_open']}项"
                         for r in sorted(major, key=lambda r: (-r["major_open"], r["region_code"])))
        found.append(f"重大事故隐患动态清零任务艰巨。月末重大事故隐患未销号：{names}。")
    deadly = [r for r in rows if r["deaths"]]
    if deadly:
        names = "、".join(f"{r['region_name']}{r['accidents']}起{r['deaths']}人"
                         for r in sorted(deadly, key=lambda r: (-r["deaths"], r["region_code"])))
        found.append(f"亡人事故时有发生。当月发生亡人事故的{sub}：{names}。")
    if not rows and data["flat"]["hazards_overdue"]:
        found.append(f"截至月末仍有逾期未整改隐患{data['flat']['hazards_overdue']}项。")
    return found or ["本月未发现需要通报的突出问题。"]


def requirements(data: dict) -> list[str]:
    sub = sub_word(data["region"])
    flat = data["flat"]
    items = [
        f"压实隐患整改责任。各{sub}要对逾期未整改隐患逐项明确责任人和整改时限，"
        "重大事故隐患实行挂牌督办、动态清零，整改销号前不得恢复相关作业。",
        "严格执法检查。对发现的重大事故隐患依法严肃查处，落实“一案双罚”，"
        "对拒不整改的依法责令停产停业整顿，涉嫌犯罪的及时移送司法机关。",
        "深刻汲取事故教训。发生亡人事故的地方要按照“四不放过”原则组织调查，"
        "及时报送事故信息，举一反三开展专项整治。",
        "用好电力数据监测。对“明停暗开”“边建边开”预警线索及时核查处置，"
        "核查属实的依法处理并纳入执法台账。",
    ]
    if flat["listed"]:
        items.insert(1, f"加快挂牌督办隐患整治。截至月末仍有{flat['listed']}项隐患处于挂牌督办状态，"
                     "督办单位要跟踪问效，按期摘牌。")
    return items


# -- the document ------------------------------------------------------------------------------


def build(user, region: Region, month: Period, *, today: date | None = None) -> bytes:
    """The circular as .docx bytes."""
    today = today or clock.today()
    return render(gather(user, region, month, today=today), issued=today)


def render(data: dict, *, issued: date) -> bytes:
    region, month = data["region"], data["month"]
    document = Document()
    _page_setup(document)
    _header(document, region, month, issued)
    _paragraph(document, f"关于{month.label}{scope_word(region)}安全生产情况的通报", font=TITLE_FONT,
               size=22, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    _paragraph(document, addressees(region), indent=False)
    _paragraph(document, f"现将{month.label}{scope_word(region)}安全生产有关情况通报如下：")

    numbers = iter(SECTION_NUMBERS)
    _heading(document, next(numbers), "总体情况")
    for text in overall(data):
        _paragraph(document, text)

    h = data["figures"]["hazards"]
    rows = data["rows"]
    sub = sub_word(region)
    _heading(document, next(numbers), "隐患排查治理情况")
    _paragraph(document, f"当月发现隐患{h['found']}项、重大事故隐患{h['major']}项，已销号{h['closed']}项，"
               f"整改率{percent(h['rectification_rate'])}；月末逾期未整改{h['overdue']}项。"
               + (f"各{sub}情况见表1。" if rows else ""))
    if rows:
        _table(document, f"表1  各{sub}隐患排查治理情况（{month.label}）",
               [sub, "发现隐患", "重大隐患", "已销号", "整改率", "逾期未整改", "重大隐患未销号", "挂牌督办"],
               [[r["region_name"], r["hazards_found"], r["major_found"], r["hazards_closed"],
                 percent(r["rectification_rate"]), r["hazards_overdue"], r["major_open"], r["listed"]]
                for r in sorted(rows, key=lambda r: r["region_code"])],
               total=["合计", h["found"], h["major"], h["closed"], percent(h["rectification_rate"]),
                      h["overdue"], h["major_open"], h["listed"]])
        _chart(document, charts.hazards_by_region(rows, month), "图1  各地当月发现与销号隐患")

    e = data["figures"]["enforcement"]
    _heading(document, next(numbers), "行政执法情况")
    _paragraph(document, f"当月立案{e['cases']}起，其中“一案双罚”{e['dual_penalty']}起，"
               f"责令停产停业整顿{e['suspensions']}家，移送司法机关{e['referrals']}起，"
               f"罚款{wan_yuan(e['fines_total_cny'])}万元。")
    if rows:
        _table(document, f"表2  各{sub}行政执法情况（{month.label}）",
               [sub, "立案", "一案双罚", "停产停业整顿"],
               [[r["region_name"], r["cases"], r["dual_penalty"], r["suspensions"]]
                for r in sorted(rows, key=lambda r: r["region_code"])],
               total=["合计", e["cases"], e["dual_penalty"], e["suspensions"]])

    a = data["figures"]["accidents"]
    before = data["accidents_last_year"]
    _heading(document, next(numbers), "生产安全事故情况")
    _paragraph(document, f"当月发生生产安全事故{a['accidents']}起、死亡{a['deaths']}人；"
               f"去年同期{before['accidents']}起、死亡{before['deaths']}人。按事故等级统计见表3。")
    _table(document, f"表3  生产安全事故按等级统计（{month.label}）",
           ["事故等级", "本月起数", "本月死亡", "去年同期起数"],
           [[label, a["by_grade"][grade], data["deaths_by_grade"].get(grade, 0), before["by_grade"][grade]]
            for grade, label in figures.ACCIDENT_GRADES],
           total=["合计", a["accidents"], a["deaths"], before["accidents"]])
    _chart(document, charts.accident_trend(data["trend"], month),
           f"图2  {month.start.year}年1月至当月事故起数与死亡人数")

    _heading(document, next(numbers), f"各{sub}主要指标排名")
    if rows:
        _paragraph(document, "按月末逾期未整改隐患由多到少排列（同数按区划代码），"
                   "各项最差者以粗体标出，见表4。")
        worst = {key: figures.worst(rows, key) for key, _ in RANKING_COLUMNS}
        _table(document, f"表4  各{sub}安全生产主要指标（{month.label}）",
               ["序号", sub, *(label for _, label in RANKING_COLUMNS)],
               [[n, r["region_name"], *(figures.format_value(key, r[key]) for key, _ in RANKING_COLUMNS)]
                for n, r in enumerate(rows, start=1)],
               bold=[[False, False, *(r["region_code"] in worst[key] for key, _ in RANKING_COLUMNS)]
                     for r in rows])
    else:
        _paragraph(document, "本区划无下级区划，不作排名。")

    _heading(document, next(numbers), "存在的问题")
    for n, text in enumerate(problems(data), start=1):
        _paragraph(document, f"（{SECTION_NUMBERS[n - 1]}）{text}")

    _heading(document, next(numbers), "工作要求")
    for n, text in enumerate(requirements(data), start=1):
        _paragraph(document, f"（{SECTION_NUMBERS[n - 1]}）{text}")

    _paragraph(document, "", indent=False)
    _paragraph(document, office_name(region), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _paragraph(document, _chinese_date(issued), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _footer_rule(document, region, issued)

    props = document.core_properties
    props.title = f"关于{month.label}{scope_word(region)}安全生产情况的通报"
    props.author = office_name(region)
    props.subject = f"月度通报 {region.code} {month.key}"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _page_setup(document) -> None:
    # GB/T 9704 (党政机关公文格式): A4, margins about 37 mm top, 28 mm left, 26 mm right.
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    style = document.styles["Normal"]
    style.font.name = BODY_FONT
    style.font.size = Pt(16)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)


def _run_font(run, font: str, size: float, bold: bool = False, colour: RGBColor | None = None) -> None:
    run.font.name = font
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if colour is not None:
        run.font.color.rgb = colour


def _paragraph(document, text: str, *, font: str = BODY_FONT, size: float = 16, bold: bool = False,
               align=None, indent: bool = True, colour=None, space_after: float = 0):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(space_after)
    if indent and align is None:
        fmt.first_line_indent = Pt(size * 2)
    _run_font(paragraph.add_run(text), font, size, bold, colour)
    return paragraph


def _heading(document, number: str, text: str) -> None:
    _paragraph(document, f"{number}、{text}", font=HEADING_FONT, size=16)


def _bottom_border(paragraph, colour: str = "C00000", size: int = 18) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", colour)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _header(document, region: Region, month: Period, issued: date) -> None:
    _paragraph(document, office_name(region), font=TITLE_FONT, size=26, bold=True, colour=RED,
               align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, "安全生产工作通报", font=TITLE_FONT, size=22, colour=RED,
               align=WD_ALIGN_PARAGRAPH.CENTER)
    number = _paragraph(document, f"{month.start.year}年第{month.start.month}期",
                        align=WD_ALIGN_PARAGRAPH.CENTER, space_after=6)
    _bottom_border(number)


def _footer_rule(document, region: Region, issued: date) -> None:
    line = _paragraph(document, "", indent=False)
    _bottom_border(line, colour="000000", size=8)
    _paragraph(document, f"{office_name(region)}　　　　{_chinese_date(issued)}印发", size=14, indent=False)


def _table(document, caption: str, header: list[str], rows: list[list], *, total: list | None = None,
           bold: list[list[bool]] | None = None) -> None:
    _paragraph(document, caption, font=HEADING_FONT, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    body = rows + ([total] if total else [])
    table = document.add_table(rows=1 + len(body), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    # Row by row: python-docx's table.cell(r, c) rebuilds the whole grid on every call.
    rows = table.rows
    for cell, text in zip(rows[0].cells, header, strict=True):
        _cell(cell, text, bold=True)
    for r, values in enumerate(body, start=1):
        is_total = total is not None and r == len(body)
        for col, (cell, value) in enumerate(zip(rows[r].cells, values, strict=True)):
            strong = is_total or bool(bold and r - 1 < len(bold) and bold[r - 1][col])
            _cell(cell, str(value), bold=strong)
    document.add_paragraph()


def _cell(cell, text: str, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run_font(paragraph.add_run(text), TABLE_FONT, 10.5, bold)


def _chart(document, png: bytes | None, caption: str) -> None:
    if png is None:
        _paragraph(document, f"（{caption}：本机未安装中文字体，图表从略。）", size=12)
        return
    document.add_picture(io.BytesIO(png), width=Cm(15))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, caption, font=HEADING_FONT, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
