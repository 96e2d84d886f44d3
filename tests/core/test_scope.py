"""Data scope: government users see their region's subtree, enterprise users their company."""

from benan.core.models import Region
from benan.core.scope import region_in_scope, scope
from benan.enterprises.models import Enterprise, StatusPeriod


def names(user):
    return set(scope(Enterprise.objects.all(), user).values_list("name", flat=True))


def test_each_role_sees_its_own_part(
    wuhou_ent, jinjiang_ent, mianyang_ent, admin, sc_office, cd_office, wuhou_inspector,
    jinjiang_inspector, ent_wuhou, expert, commander,
):
    everything = {wuhou_ent.name, jinjiang_ent.name, mianyang_ent.name}
    assert names(admin) == everything
    assert names(sc_office) == everything
    assert names(expert) == everything
    assert names(commander) == everything
    assert names(cd_office) == {wuhou_ent.name, jinjiang_ent.name}
    assert names(wuhou_inspector) == {wuhou_ent.name}
    assert names(jinjiang_inspector) == {jinjiang_ent.name}
    assert names(ent_wuhou) == {wuhou_ent.name}


def test_related_rows_follow_their_enterprise(wuhou_ent, jinjiang_ent, wuhou_inspector):
    periods = scope(StatusPeriod.objects.all(), wuhou_inspector)
    assert set(periods.values_list("enterprise_id", flat=True)) == {wuhou_ent.pk}


def test_inactive_and_unbound_users_see_nothing(wuhou_ent, make_user, wuhou_inspector):
    wuhou_inspector.is_active = False
    assert names(wuhou_inspector) == set()
    loose = make_user("loose", "enterprise", enterprise=wuhou_ent)
    loose.enterprise_id = None
    assert names(loose) == set()


def test_subtrees_are_code_ranges(regions):
    chengdu = Region.objects.get(code="510100")
    assert chengdu.code_range() == ("510100", "510199")
    inside = Region.objects.filter(code__gte="510100", code__lte="510199", level="county")
    assert set(inside) == set(Region.objects.filter(parent=chengdu))
    assert Region.objects.get(code="510000").code_range() == ("510000", "519999")
    assert Region.objects.get(code="510107").code_range() == ("510107", "510107")


def test_region_in_scope(regions, wuhou_inspector, cd_office, admin):
    assert region_in_scope(wuhou_inspector, "510107")
    assert not region_in_scope(wuhou_inspector, "510104")
    assert region_in_scope(cd_office, "510104")
    assert not region_in_scope(cd_office, "510703")
    assert region_in_scope(admin, "510703")


def test_a_scope_has_no_embargo_unless_it_names_one():
    from benan.core.scope import Scope

    assert Scope(region="region", enterprise="enterprise").embargo is None


def test_embargoed_rows_are_seen_only_from_the_embargoing_region_up(
    wuhou_ent, admin, sc_office, cd_office, wuhou_inspector, ent_wuhou, expert
):
    # Hazards declare an embargo path; rows are made directly, the rule is the scope's alone.
    from benan.hazards.models import Hazard

    def hazard(embargo):
        return Hazard.objects.create(
            enterprise=wuhou_ent, region_id=wuhou_ent.region_id, source="department",
            description=f"embargo {embargo}", reported_by=admin, embargo_region_id=embargo,
        ).pk

    open_, by_city, by_province = hazard(None), hazard("510100"), hazard("510000")

    def seen(user):
        return set(scope(Hazard.objects.all(), user).values_list("pk", flat=True))

    assert seen(admin) == seen(sc_office) == seen(expert) == {open_, by_city, by_province}
    assert seen(cd_office) == {open_, by_city}
    assert seen(wuhou_inspector) == seen(ent_wuhou) == {open_}


def test_the_root_reads_no_embargo_condition(sc_office, cd_office):
    # The province's dashboard must keep its index-only plans: no extra condition for the root.
    from benan.hazards.models import Hazard

    def where(user):
        return str(scope(Hazard.objects.only("pk"), user).query).partition("WHERE")[2]

    assert where(sc_office) == ""
    assert "embargo_region_id" in where(cd_office)
