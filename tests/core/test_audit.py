"""The audit log is a hash chain: any change to a stored entry is found and named."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from benan.core import audit
from benan.core.models import AuditEntry


def _verify(capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    return exit_info.value.code, capsys.readouterr()


def test_verify_counts_an_intact_chain(db, admin, capsys):
    for n in range(5):
        audit.record(admin, "test.thing.done", admin, n=n)
    call_command("audit", "verify")
    assert "OK: 5 entries verified" in capsys.readouterr().out


def test_entries_link_to_their_predecessor(db, admin):
    first = audit.record(admin, "test.first")
    second = audit.record(None, "test.second", note="系统")
    assert first.prev_hash == audit.GENESIS
    assert second.prev_hash == first.hash
    assert second.actor_name == "system"
    assert AuditEntry.objects.get(seq=2).data == {"note": "系统"}


def test_tampering_with_a_row_in_sql_is_named(db, admin, capsys):
    for n in range(4):
        audit.record(admin, "test.thing.done", admin, amount=n)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET data = %s WHERE seq = 3", ['{"amount": 300}'])
    code, out = _verify(capsys)
    assert code == 1
    assert "#3" in out.err
    assert "#2" not in out.err


def test_deleting_a_row_in_sql_is_named(db, admin, capsys):
    for n in range(4):
        audit.record(admin, "test.thing.done", amount=n)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = 2")
    code, out = _verify(capsys)
    assert code == 1
    assert "#2" in out.err


def test_truncating_the_tail_is_found(db, admin, capsys):
    for n in range(3):
        audit.record(admin, "test.thing.done", amount=n)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = 3")
    code, out = _verify(capsys)
    assert code == 1
    assert "#3" in out.err


def test_rehashing_a_tampered_row_breaks_the_next_link(db, admin, capsys):
    for n in range(3):
        audit.record(admin, "test.thing.done", amount=n)
    entry = AuditEntry.objects.get(seq=2)
    entry.data = {"amount": 999}
    forged = audit.compute_hash(entry)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET data = %s, hash = %s WHERE seq = 2", ['{"amount": 999}', forged]
        )
    code, out = _verify(capsys)
    assert code == 1
    assert "#3" in out.err


def test_entries_cannot_be_changed_or_deleted_through_the_orm(db, admin):
    entry = audit.record(admin, "test.thing.done")
    entry.action = "test.other"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


def test_batches_continue_one_chain(db, admin):
    audit.record(admin, "test.one")
    audit.record_many(admin, [audit.Event("test.batch", data={"i": i}) for i in range(3)])
    audit.record(admin, "test.after")
    assert audit.verify().ok
    assert audit.verify().count == 5
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


def test_history_lists_the_entries_of_one_object(db, admin, wuhou_ent, jinjiang_ent):
    actions = list(audit.history(wuhou_ent).values_list("action", flat=True))
    assert actions == ["enterprises.enterprise.created"]
