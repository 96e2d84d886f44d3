"""The .docx downloads from the pages: real Word files, in the scope only, and a clear message
when there is no decision yet."""

from __future__ import annotations

import io

import docx
from django.urls import reverse

from benan.enforcement import services


def text_of(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_the_penalty_decision_downloads_as_a_word_file(client, case_in, wuhou_ent, wuhou_inspector):
    case = case_in("decided", wuhou_ent)
    case.refresh_from_db()
    client.force_login(wuhou_inspector)
    page = client.get(reverse("enforcement:detail", args=[case.pk])).content.decode()
    url = reverse("enforcement:decision_docx", args=[case.pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    text = text_of(response.content)
    assert wuhou_ent.name in text and case.decision_number in text and "行政处罚决定书" in text


def test_no_decision_no_document(client, case_in, wuhou_ent, wuhou_inspector):
    case = case_in("notified", wuhou_ent)
    client.force_login(wuhou_inspector)
    response = client.get(reverse("enforcement:decision_docx", args=[case.pk]))
    assert response.status_code == 409
    assert "案件尚未作出处罚决定，不能生成行政处罚决定书" in response.content.decode()
    assert (
        reverse("enforcement:decision_docx", args=[case.pk])
        not in client.get(reverse("enforcement:detail", args=[case.pk])).content.decode()
    )


def test_documents_outside_the_scope_are_404(client, case_in, wuhou_ent, cd_office, jinjiang_inspector):
    case = case_in("decided", wuhou_ent)
    order = services.order_suspension(
        actor=cd_office, case=case, start_date=case.opened_on, scope="全厂", lifting_conditions="整改到位"
    )
    client.force_login(jinjiang_inspector)
    assert client.get(reverse("enforcement:decision_docx", args=[case.pk])).status_code == 404
    assert client.get(reverse("enforcement:suspension_docx", args=[order.pk])).status_code == 404


def test_the_suspension_order_downloads_as_a_word_file(client, case_in, wuhou_ent, cd_office, ent_wuhou):
    case = case_in("decided", wuhou_ent)
    order = services.order_suspension(
        actor=cd_office, case=case, start_date=case.opened_on, scope="喷涂车间", lifting_conditions="整改到位"
    )
    client.force_login(ent_wuhou)  # the party reads its own order
    response = client.get(reverse("enforcement:suspension_docx", args=[order.pk]))
    assert response.status_code == 200
    text = text_of(response.content)
    assert wuhou_ent.name in text and order.number in text and "喷涂车间" in text
