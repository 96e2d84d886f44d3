"""The home page sends every user on to their dashboard, whose first row counts the enterprises per
status for the user's region (their scope), each linking to the filtered list."""

from datetime import date

from django.urls import reverse

from benan.enterprises import services


def test_it_counts_only_the_enterprises_in_scope(client, wuhou_inspector, wuhou_ent, jinjiang_ent, admin):
    services.change_status(
        actor=admin, enterprise=wuhou_ent, status="suspended", start_date=date(2024, 3, 1), reason="整改"
    )
    client.force_login(wuhou_inspector)
    assert client.get(reverse("home")).url == reverse("supervision:dashboard")
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts["total"] == 1
    assert counts["suspended"] == 1 and counts["normal"] == 0
    text = response.content.decode()
    assert "数据范围：成都市武侯区" in text
    assert f'{reverse("enterprises:list")}?region=510107&amp;status=suspended' in text


def test_the_city_office_sees_its_whole_city(client, cd_office, wuhou_ent, jinjiang_ent, mianyang_ent):
    client.force_login(cd_office)
    response = client.get(reverse("home"), follow=True)
    assert response.context["counts"]["total"] == 2
    assert "数据范围：成都市" in response.content.decode()


def test_an_enterprise_user_sees_its_own_enterprise(client, ent_wuhou, jinjiang_ent):
    client.force_login(ent_wuhou)
    response = client.get(reverse("home"), follow=True)
    assert response.context["counts"]["total"] == 1
    text = response.content.decode()
    assert "数据范围：本企业" in text
    assert f'{reverse("enterprises:list")}?status=normal' in text


def test_the_navbar_shows_name_role_and_region(client, wuhou_inspector):
    client.force_login(wuhou_inspector)
    text = client.get(reverse("home"), follow=True).content.decode()
    assert "wuhou-inspector" in text and "执法检查人员" in text and "成都市武侯区" in text
    # Static files are vendored, never loaded from a CDN.
    assert "/static/vendor/htmx.org/htmx.min.js" in text
    assert "https://" not in text
