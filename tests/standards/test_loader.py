"""`benan load_standards`: loads what the files say, is idempotent, retires instead of deleting."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from benan.core import audit
from benan.core.models import AuditEntry
from benan.standards import engine
from benan.standards.loader import load_standards
from benan.standards.models import CriteriaStandard, Criterion


def files_without(criterion_id: str) -> list[tuple[str, str]]:
    """The packaged files with one gongmao criterion taken out (and the declared counts adjusted)."""
    result = []
    for name, text in engine.read_data_files():
        if name == "gongmao-2023.yaml":
            lines = text.splitlines(keepends=True)
            start = lines.index(f"      - id: {criterion_id}\n")
            end = start + 1
            while lines[end].startswith("        "):  # the item's own fields
                end += 1
            text = "".join(lines[:start] + lines[end:])
            # 第十一条 is the only article that declares 10 items.
            text = text.replace("    count: 10\n", "    count: 9\n", 1)
            text = text.replace("count: 64\n", "count: 63\n", 1)
        result.append((name, text))
    return result


def test_the_database_holds_exactly_what_the_files_say(standards):
    assert CriteriaStandard.objects.count() == 4
    assert Criterion.objects.count() == 107
    for data in engine.standards():
        stored = CriteriaStandard.objects.get(pk=data.id)
        assert (stored.name, stored.doc_no, stored.effective, stored.checksum) == (
            data.name, data.doc_no, data.effective, data.checksum
        )
        for item in data.criteria:
            row = Criterion.objects.get(pk=item.id)
            assert (row.standard_id, row.article, row.item_no, row.section, row.lead, row.text, row.sectors,
                    row.verified, row.note, row.kind, row.order, row.retired) == (
                item.standard_id, item.article, item.item_no, item.section, item.lead, item.text,
                list(item.sectors), item.verified, item.note, item.kind, item.order, False
            )


def test_loading_again_changes_nothing(standards, capsys):
    entries = AuditEntry.objects.count()
    call_command("load_standards")
    out = capsys.readouterr().out
    assert "工贸企业重大事故隐患判定标准：64 项（新增 0，更新 0，停用 0）" in out
    assert "判定标准（试行）：20 项（新增 0，更新 0，停用 0）" in out
    assert Criterion.objects.count() == 107
    assert AuditEntry.objects.count() == entries


def test_the_first_load_is_recorded_in_the_audit_log(db):
    load_standards()
    entry = audit.history(CriteriaStandard(pk="gongmao-2023")).get()
    assert entry.action == "standards.standard.loaded"
    assert len(entry.data["created"]) == 64 and entry.data["retired"] == []
    assert audit.verify().ok


def test_a_criterion_that_leaves_its_file_is_retired_not_deleted(standards):
    results = {r.standard_id: r for r in load_standards(files_without("gongmao-2023:art11.10"))}
    assert results["gongmao-2023"].retired == ["gongmao-2023:art11.10"]
    assert results["chemical-2017"].retired == []
    retired = Criterion.objects.get(pk="gongmao-2023:art11.10")
    assert retired.retired and retired.text == "未落实粉尘清理制度，造成作业现场积尘严重的"
    assert Criterion.objects.filter(retired=False).count() == 106
    entry = audit.history(CriteriaStandard(pk="gongmao-2023")).last()
    assert entry.data["retired"] == ["gongmao-2023:art11.10"]

    # Back in the file: current again (and the items after it move back to their old places).
    results = {r.standard_id: r for r in load_standards()}
    assert results["gongmao-2023"].updated == [
        "gongmao-2023:art11.10", "gongmao-2023:art12.1", "gongmao-2023:art12.2", "gongmao-2023:art13.1",
        "gongmao-2023:art13.2",
    ]
    assert not Criterion.objects.get(pk="gongmao-2023:art11.10").retired


def test_a_changed_wording_is_updated(standards):
    files = [
        (name, text.replace("未落实粉尘清理制度", "未落实粉尘清扫制度"))
        for name, text in engine.read_data_files()
    ]
    results = {r.standard_id: r for r in load_standards(files)}
    assert results["gongmao-2023"].updated == ["gongmao-2023:art11.10"]
    assert Criterion.objects.get(pk="gongmao-2023:art11.10").text.startswith("未落实粉尘清扫制度")
    assert CriteriaStandard.objects.get(pk="gongmao-2023").checksum != by_file("gongmao-2023.yaml").checksum


def by_file(name: str) -> engine.StandardData:
    return next(s for s in engine.standards() if s.filename == name)


def test_a_broken_file_changes_nothing(standards):
    before = list(Criterion.objects.order_by("pk").values_list("pk", "text", "retired"))
    files = [
        (name, text.replace("sectors: [hazardous_chemicals]", "sectors: [chemicals]"))
        for name, text in files_without("gongmao-2023:art3.1")
    ]
    with pytest.raises(engine.DataFileError, match="chemical-2017.yaml"):
        load_standards(files)
    assert list(Criterion.objects.order_by("pk").values_list("pk", "text", "retired")) == before


def test_the_check_option_writes_nothing(db, capsys):
    call_command("load_standards", "--check")
    assert "工贸企业重大事故隐患判定标准：64 项，原文待核 24 项，校验通过" in capsys.readouterr().out
    assert not Criterion.objects.exists()


def test_the_command_names_a_broken_file(db, monkeypatch):
    monkeypatch.setattr(engine, "read_data_files", lambda: [("bad.yaml", "format: 1\n")])
    with pytest.raises(CommandError, match="bad.yaml"):
        call_command("load_standards")
    assert not Criterion.objects.exists()
