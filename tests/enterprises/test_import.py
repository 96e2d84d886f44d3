"""`benan enterprises import`: CSV or XLSX, all rows or none, every bad row reported."""

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from benan.core import audit
from benan.enterprises.models import Enterprise

from ..conftest import JINJIANG, WUHOU, make_uscc

HEADER = "uscc,name,region_code,sector,address,lat,lon"


def good_row(n, region=WUHOU, uscc=None):
    code = uscc or make_uscc(region)
    return f"{code},导入企业{n}有限公司,{region},machinery,四川省成都市某路{n}号,30.6,104.05"


def run(path, capsys, *extra):
    try:
        call_command("enterprises", "import", str(path), *extra)
        code = 0
    except SystemExit as exit_info:
        code = exit_info.code
    return code, capsys.readouterr()


def test_a_good_csv_is_imported_with_statuses_and_audit(tmp_path, regions, capsys):
    path = tmp_path / "ok.csv"
    path.write_text("\n".join([HEADER + ",status", good_row(1) + ",normal", good_row(2) + ",在建"]),
                    encoding="utf-8")
    code, out = run(path, capsys)
    assert code == 0
    assert "已导入 2 家企业" in out.out
    statuses = {e.name: e.status_periods.get().status for e in Enterprise.objects.all()}
    assert statuses == {"导入企业1有限公司": "normal", "导入企业2有限公司": "under_construction"}
    assert audit.verify().ok
    assert all(audit.history(e).exists() for e in Enterprise.objects.all())


def test_every_bad_row_is_reported_and_nothing_is_saved(tmp_path, regions, capsys, wuhou_ent):
    dup = make_uscc(WUHOU)
    lines = [
        HEADER,
        good_row(1),                                            # line 2: fine
        good_row(2, uscc="914403001922038217"),                 # line 3: check character
        f"{make_uscc()},,510107,machinery,地址,30.6,104.05",      # line 4: no name
        good_row(5, region="510199"),                            # line 5: unknown region
        f"{make_uscc()},企业6,510107,machinery,地址,45.0,104.05",  # line 6: outside Sichuan
        good_row(7, uscc=dup),                                  # line 7: fine on its own
        good_row(8, uscc=dup),                                  # line 8: repeats line 7
        good_row(9, uscc=wuhou_ent.uscc),                       # line 9: already registered
        f"{make_uscc()},企业10,510107,种地,地址,30.6,104.05",      # line 10: unknown sector
    ]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    code, out = run(path, capsys)
    assert code == 1
    errors = out.err.splitlines()
    assert [e.split("：")[0] for e in errors[:-1]] == [
        "第 3 行", "第 4 行", "第 5 行", "第 6 行", "第 8 行", "第 9 行", "第 10 行",
    ]
    assert "校验位" in errors[0]
    assert "name" in errors[1] and "必填" in errors[1]
    assert "510199" in errors[2]
    assert "四川" in errors[3]
    assert "第 7 行" in errors[4]
    assert "已登记" in errors[5]
    assert "sector" in errors[6]
    assert "未导入任何数据" in errors[-1]
    assert Enterprise.objects.count() == 1


def test_an_xlsx_with_chinese_headers_is_imported(tmp_path, regions, capsys):
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "企业名称", "区划代码", "行业", "地址", "纬度", "经度", "规模"])
    sheet.append([make_uscc(JINJIANG), "锦江导入有限公司", JINJIANG, "商贸", "四川省成都市锦江区春熙路1号",
                  30.6, 104.08, "小型"])
    path = tmp_path / "ok.xlsx"
    book.save(path)
    code, out = run(path, capsys)
    assert code == 0, out.err
    enterprise = Enterprise.objects.get()
    assert (enterprise.sector, enterprise.scale, enterprise.region_id) == ("commerce", "small", JINJIANG)


def test_xlsx_line_numbers_are_the_sheets_rows(tmp_path, regions, capsys):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(good_row(1).split(","))
    sheet.append([])
    sheet.append(good_row(2, uscc="914403001922038217").split(","))
    path = tmp_path / "bad.xlsx"
    book.save(path)
    code, out = run(path, capsys)
    assert code == 1
    assert out.err.startswith("第 4 行")


def test_a_gbk_csv_from_excel_is_read(tmp_path, regions, capsys):
    path = tmp_path / "gbk.csv"
    path.write_bytes(("\n".join([HEADER, good_row(1)])).encode("gbk"))
    code, _ = run(path, capsys)
    assert code == 0
    assert Enterprise.objects.get().name == "导入企业1有限公司"


@pytest.mark.parametrize(
    "content,message",
    [
        ("", "空"),
        ("uscc,name\n1,2", "缺少列"),
        (HEADER + ",colour\n" + "x", "无法识别的列"),
        (HEADER + "\n", "没有数据行"),
    ],
)
def test_a_bad_file_is_refused_as_a_whole(tmp_path, regions, content, message):
    path = tmp_path / "f.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("enterprises", "import", str(path))


def test_unknown_file_types_and_missing_files_are_refused(tmp_path, regions):
    path = tmp_path / "f.json"
    path.write_text("{}")
    with pytest.raises(CommandError, match="不支持的文件类型"):
        call_command("enterprises", "import", str(path))
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("enterprises", "import", str(tmp_path / "missing.csv"))


def test_importing_as_a_user_keeps_to_their_region(tmp_path, capsys, wuhou_inspector):
    path = tmp_path / "f.csv"
    path.write_text("\n".join([HEADER, good_row(1), good_row(2, region=JINJIANG)]), encoding="utf-8")
    code, out = run(path, capsys, "--user", "wuhou-inspector")
    assert code == 1
    assert "第 3 行" in out.err and "管辖范围" in out.err
    assert not Enterprise.objects.exists()


def test_a_read_only_user_cannot_import(tmp_path, expert):
    path = tmp_path / "f.csv"
    path.write_text("\n".join([HEADER, good_row(1)]), encoding="utf-8")
    with pytest.raises(CommandError, match="无权"):
        call_command("enterprises", "import", str(path), "--user", "expert")
