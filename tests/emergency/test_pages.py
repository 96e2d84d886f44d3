"""The emergency pages: every page renders for a commander with data; the registries' filters;
the map's nearest ranking and its one-click 调派 (a team deployed, equipment reserved, material
taken per the cover plan); order actions walked through the dispatch page; refusals shown in
Chinese with nothing changed; the pool board's overdue loan; the stock alerts; the map's points
kept to the scope; drills with their follow-up items."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.timezone import localtime

from benan.core import audit, clock
from benan.core.models import Role
from benan.emergency import services
from benan.emergency.models import (
    Batch,
    Dispatch,
    DispatchOrder,
    Drill,
    Equipment,
    FollowUp,
    RescueTeam,
    Stock,
    Warehouse,
)
from tests.accidents.conftest import accident  # noqa: F401
from tests.conftest import JINJIANG, WUHOU

from .conftest import PLACES

pytestmark = pytest.mark.django_db

WUHOU_POINT = {"lat": "30.64", "lon": "104.05"}


@pytest.fixture
def wuhou_commander(make_user):
    return make_user("wuhou-commander", Role.COMMANDER, region=WUHOU)


def text_of(response) -> str:
    return response.content.decode()


def ids(response, attr: str) -> set[int]:
    return {int(pk) for pk in re.findall(rf'data-{attr}="(\d+)"', text_of(response))}


def dispatch_team(client, team, **extra):
    body = {**WUHOU_POINT, "region_code": WUHOU, "kind": "team", "id": team.pk, **extra}
    return client.post(reverse("emergency:map_dispatch"), body)


def order_post(client, order, action, body=None):
    return client.post(reverse("emergency:order_action", args=[order.pk, action]), body or {})


def snapshot(obj):
    obj = type(obj).objects.get(pk=obj.pk)
    return tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields), audit.history(obj).count()


def usable(stock) -> int:
    return sum(Batch.objects.filter(stock=stock).values_list("quantity", flat=True))


# -- every page --------------------------------------------------------------------------------


def test_every_page_renders_for_a_commander_with_data(
    client,
    commander,
    admin,
    team,
    warehouse,
    stock,
    equipment,
    wuhou_ent,
    accident,  # noqa: F811
):
    t = team(name="武侯危化救援队")
    w = warehouse(name="武侯区应急物资库")
    stock(w, "M01", 100, expires_in=10, minimum=200)
    e = equipment(w)
    accident(wuhou_ent, lat=30.641, lon=104.042)
    drill = services.plan_drill(
        actor=admin,
        title="化工园区泄漏演练",
        kind="drill",
        region_code=WUHOU,
        organiser="武侯区应急管理局",
        scenario="储罐泄漏",
        planned_on=clock.today(),
        lat=30.64,
        lon=104.04,
        team_ids=[t.pk],
    )
    client.force_login(commander)
    assert dispatch_team(client, t).status_code == 302
    dispatch = Dispatch.objects.get()
    pages = {
        "emergency:map": ([], "应急资源一张图"),
        "emergency:teams": ([], "武侯危化救援队"),
        "emergency:team": ([t.pk], "危险化学品救援队"),
        "emergency:team_new": ([], "登记救援队伍"),
        "emergency:team_edit": ([t.pk], "修改队伍信息"),
        "emergency:warehouses": ([], "武侯区应急物资库"),
        "emergency:warehouse": ([w.pk], "编织袋"),
        "emergency:warehouse_new": ([], "登记物资库"),
        "emergency:warehouse_edit": ([w.pk], "修改物资库信息"),
        "emergency:equipment_list": ([], e.serial),
        "emergency:equipment": ([e.pk], e.serial),
        "emergency:equipment_new": ([], "登记应急装备"),
        "emergency:pool": ([], "装备公物仓看板"),
        "emergency:stock_alerts": ([], "低于最低库存"),
        "emergency:dispatches": ([], dispatch.number),
        "emergency:dispatch": ([dispatch.pk], "武侯危化救援队"),
        "emergency:drills": ([], "化工园区泄漏演练"),
        "emergency:drill_new": ([], "登记演练或培训计划"),
        "emergency:drill": ([drill.pk], "储罐泄漏"),
    }
    for name, (args, expected) in pages.items():
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        assert expected in text_of(response), name
    data = client.get(reverse("emergency:map_data")).json()
    assert {layer["key"] for layer in data["layers"]} == {
        "teams",
        "warehouses",
        "pools",
        "dispatches",
        "accidents",
    }
    nearest = client.get(reverse("emergency:nearest"), {**WUHOU_POINT, "kind": "equipment", "available": "0"})
    assert nearest.status_code == 200 and e.serial in text_of(nearest)


def test_government_users_see_the_nav_link_and_enterprises_do_not(client, commander, ent_wuhou):
    client.force_login(commander)
    assert 'id="nav-emergency"' in text_of(client.get(reverse("home"), follow=True))
    client.force_login(ent_wuhou)
    assert 'id="nav-emergency"' not in text_of(client.get(reverse("home"), follow=True))
    assert client.get(reverse("emergency:teams")).status_code == 403
    assert client.get(reverse("emergency:map_data")).status_code == 403


# -- registries: filters -----------------------------------------------------------------------


def test_the_team_registry_filters_by_region_kind_capability_readiness_and_text(
    client, commander, admin, team
):
    hazchem = team(WUHOU, name="武侯危化队")
    water = team(JINJIANG, name="锦江水域救援队", kind="social", capabilities=["water"])
    resting = team("510703", name="涪城矿山救护队", kind="mine_rescue", capabilities=["mine_rescue"])
    services.team_action(actor=admin, team=resting, action="stand_down", note="装备检修")
    client.force_login(commander)

    def rows(**params):
        response = client.get(reverse("emergency:teams"), params)
        assert response.status_code == 200, params
        return ids(response, "team")

    assert rows() == {hazchem.pk, water.pk, resting.pk}
    assert rows(region="510100") == {hazchem.pk, water.pk}
    assert rows(kind="social") == {water.pk}
    assert rows(capability="water") == {water.pk}
    assert rows(capability="hazchem") == {hazchem.pk}
    assert rows(readiness="resting") == {resting.pk}
    assert rows(q="水域") == {water.pk}
    assert "没有符合条件的救援队伍" in text_of(client.get(reverse("emergency:teams"), {"q": "不存在"}))


def test_a_bad_filter_is_named_in_chinese_and_answered_400(client, commander):
    client.force_login(commander)
    response = client.get(reverse("emergency:teams"), {"capability": "flying"})
    assert response.status_code == 400 and "救援能力“flying”不是可选值" in text_of(response)
    response = client.get(reverse("emergency:warehouses"), {"region": "999999"})
    assert response.status_code == 400 and "行政区划代码“999999”不存在" in text_of(response)
    response = client.get(reverse("emergency:equipment_list"), {"item": "M01"})
    assert response.status_code == 400 and "不是目录中的装备品目" in text_of(response)


def test_an_htmx_filter_gets_only_the_results(client, commander, team):
    team(name="武侯危化队")
    client.force_login(commander)
    response = client.get(reverse("emergency:teams"), {"q": "危化"}, headers={"HX-Request": "true"})
    body = text_of(response)
    assert body.lstrip().startswith('<div id="team-results">') and "<html" not in body
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_the_warehouse_registry_filters_by_item_pool_and_level(client, commander, warehouse, stock):
    sandbags = warehouse(WUHOU, name="武侯防汛库", is_pool=False)
    stock(sandbags, "M01", 500)
    expired = warehouse(JINJIANG, name="锦江过期库", level="city")
    stock(expired, "M01", 50, expires_in=-1)
    client.force_login(commander)

    def rows(**params):
        return ids(client.get(reverse("emergency:warehouses"), params), "warehouse")

    assert rows() == {sandbags.pk, expired.pk}
    # Only unexpired stock counts as holding the item.
    assert rows(item="M01") == {sandbags.pk}
    assert rows(pool="1") == {expired.pk}
    assert rows(pool="0") == {sandbags.pk}
    assert rows(level="city") == {expired.pk}
    assert rows(region=WUHOU) == {sandbags.pk}


def test_the_equipment_registry_filters_by_status_item_and_warehouse(
    client, commander, admin, warehouse, equipment
):
    home, other = warehouse(WUHOU), warehouse(JINJIANG)
    pump = equipment(home, item="E07")
    second = equipment(other, item="E07")
    lent = equipment(
        other, item=next(i.code for i in services.catalogue.of_kind("equipment") if i.code != "E07")
    )
    services.equipment_action(
        actor=admin, equipment=lent, action="lend", borrower="消防支队", expected_return=clock.today()
    )
    client.force_login(commander)

    def rows(**params):
        return ids(client.get(reverse("emergency:equipment_list"), params), "equipment")

    assert rows() == {pump.pk, second.pk, lent.pk}
    assert rows(status="deployed") == {lent.pk}
    assert rows(item="E07") == {pump.pk, second.pk}
    assert rows(warehouse=str(home.pk)) == {pump.pk}
    assert rows(region=JINJIANG) == {second.pk, lent.pk}
    assert rows(q=pump.serial) == {pump.pk}


def test_dispatches_and_drills_filter(client, commander, admin, team):
    client.force_login(commander)
    done_team, busy_team = team(WUHOU), team(JINJIANG)
    assert dispatch_team(client, done_team, title="武侯火灾").status_code == 302
    point = {"lat": "30.657", "lon": "104.083", "region_code": JINJIANG}
    assert dispatch_team(client, busy_team, title="锦江泄漏", **point).status_code == 302
    done = Dispatch.objects.get(title="武侯火灾")
    busy = Dispatch.objects.get(title="锦江泄漏")
    services.order_action(actor=admin, order=done.orders.get(), action="cancel", reason="误报")

    def rows(**params):
        return ids(client.get(reverse("emergency:dispatches"), params), "dispatch")

    assert rows() == {done.pk, busy.pk}
    assert rows(active="1") == {busy.pk}
    assert rows(active="0") == {done.pk}
    assert rows(region=JINJIANG) == {busy.pk}
    assert rows(origin="accident") == set()
    assert rows(q="火灾") == {done.pk}

    common = {"kind": "drill", "organiser": "应急局", "scenario": "情景", "planned_on": clock.today()}
    county = services.plan_drill(actor=admin, title="武侯演练", region_code=WUHOU, **common)
    city = services.plan_drill(
        actor=admin, title="成都培训", region_code="510100", **{**common, "kind": "training"}
    )
    services.drill_action(actor=admin, drill=county, action="cancel", reason="天气")

    def drills(**params):
        return ids(client.get(reverse("emergency:drills"), params), "drill")

    assert drills() == {county.pk, city.pk}
    assert drills(kind="training") == {city.pk}
    assert drills(state="cancelled") == {county.pk}
    assert drills(region=WUHOU) == {county.pk}
    assert drills(year=str(clock.today().year + 1)) == set()
    assert drills(q="培训") == {city.pk}


# -- the map: nearest ranking and one-click dispatch -------------------------------------------


def test_the_nearest_ranking_lists_distances_in_km_nearest_first(client, commander, team):
    # Due north of the point along its meridian: 0.1° and 0.5° are 11.1 and 55.6 km.
    far = team(lat=30.5, lon=104.0, name="北零点五度")
    near = team(lat=30.1, lon=104.0, name="北零点一度")
    busy = team(lat=30.05, lon=104.0, name="休整队")
    services.team_action(actor=commander, team=busy, action="stand_down", note="轮休")
    client.force_login(commander)
    response = client.get(
        reverse("emergency:nearest"), {"lat": "30.0", "lon": "104.0", "kind": "rescue_team"}
    )
    body = text_of(response)
    assert response.status_code == 200
    rows = re.findall(r'data-resource="team-(\d+)"', body)
    assert rows == [str(near.pk), str(far.pk)]  # 只看可用: the resting team is left out
    assert "11.1 公里" in body and "55.6 公里" in body
    with_all = client.get(reverse("emergency:nearest"), {"lat": "30.0", "lon": "104.0", "available": "0"})
    assert re.findall(r'data-resource="team-(\d+)"', text_of(with_all))[0] == str(busy.pk)
    assert f'data-dispatch="team-{busy.pk}"' not in text_of(with_all)  # a resting team cannot be sent
    bad = client.get(reverse("emergency:nearest"), {"lat": "45", "lon": "104"})
    assert bad.status_code == 400 and "不在四川省范围内" in text_of(bad)
    empty = client.get(reverse("emergency:nearest"), {"lat": "", "lon": ""})
    assert "请在地图上点选事发位置" in text_of(empty)


def test_one_click_dispatch_of_a_team_from_a_map_point_deploys_it(client, commander, team):
    rescue = team(name="武侯危化队")
    client.force_login(commander)
    response = dispatch_team(client, rescue)
    dispatch = Dispatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("emergency:dispatch", args=[dispatch.pk])
    assert dispatch.origin == "point" and dispatch.region_id == WUHOU
    assert dispatch.title.startswith("应急调度：地图位置")
    order = dispatch.orders.get()
    assert order.kind == "team" and order.team_id == rescue.pk and order.state == "sent"
    rescue.refresh_from_db()
    assert rescue.readiness == "deployed"
    page = text_of(client.get(response.url))
    assert "已发起调度" in page and dispatch.number in page and "已下达" in page


def test_one_click_dispatch_from_an_accident_sends_to_the_accident(
    client,
    commander,
    team,
    wuhou_ent,
    accident,  # noqa: F811
):
    rescue = team()
    crash = accident(wuhou_ent, lat=30.641, lon=104.042)
    client.force_login(commander)
    page = text_of(client.get(reverse("emergency:map")))
    assert f'<option value="{crash.pk}"' in page and 'data-region="510107"' in page
    ranking = client.get(reverse("emergency:nearest"), {"accident": crash.pk})  # its position is used
    assert f'data-resource="team-{rescue.pk}"' in text_of(ranking)
    response = client.post(
        reverse("emergency:map_dispatch"),
        {"accident": crash.pk, "lat": "30.641", "lon": "104.042", "kind": "team", "id": rescue.pk},
    )
    assert response.status_code == 302
    dispatch = Dispatch.objects.get()
    assert dispatch.origin == "accident" and dispatch.accident_id == crash.pk
    assert dispatch.region_id == crash.region_id and crash.number in dispatch.title
    assert crash.number in text_of(client.get(response.url))


def test_the_cover_plan_sends_one_material_order_per_warehouse_and_takes_the_stock(
    client, commander, warehouse, stock
):
    near = warehouse(WUHOU, name="近库", lat=30.65, lon=104.05)
    far = warehouse(JINJIANG, name="远库", lat=30.70, lon=104.10)
    near_stock = stock(near, "M01", 60).stock
    far_stock = stock(far, "M01", 100).stock
    client.force_login(commander)
    query = {**WUHOU_POINT, "region_code": WUHOU, "kind": "warehouse", "material": "M01", "quantity": "100"}
    ranking = text_of(client.get(reverse("emergency:nearest"), query))
    assert "物资覆盖方案" in ranking and "可以满足" in ranking
    takes = re.findall(
        r'name="take" value="(\d+:\d+)"', ranking.split('id="dispatch-plan"')[1].split("</form>")[0]
    )
    assert takes == [f"{near.pk}:60", f"{far.pk}:40"]
    body = {**WUHOU_POINT, "region_code": WUHOU, "kind": "material", "item": "M01", "take": takes}
    response = client.post(reverse("emergency:map_dispatch"), body)
    assert response.status_code == 302
    orders = DispatchOrder.objects.order_by("distance_km")
    assert [(o.kind, o.warehouse_id, o.lines.get().quantity) for o in orders] == [
        ("material", near.pk, 60),
        ("material", far.pk, 40),
    ]
    assert usable(near_stock) == 0 and usable(far_stock) == 60
    shortfall = text_of(client.get(reverse("emergency:nearest"), {**query, "quantity": "500"}))
    assert "缺口 440" in shortfall


def test_one_click_dispatch_of_equipment_reserves_it(client, commander, equipment):
    pump = equipment()
    client.force_login(commander)
    ranking = text_of(client.get(reverse("emergency:nearest"), {**WUHOU_POINT, "kind": "equipment"}))
    assert f'data-dispatch="equipment-{pump.pk}"' in ranking
    response = client.post(
        reverse("emergency:map_dispatch"),
        {**WUHOU_POINT, "region_code": WUHOU, "kind": "equipment", "id": pump.pk},
    )
    assert response.status_code == 302
    pump.refresh_from_db()
    assert pump.status == "reserved" and pump.loans.get().order_id == DispatchOrder.objects.get().pk


def test_a_map_point_without_a_county_is_refused_and_nothing_is_made(client, commander, team):
    rescue = team()
    client.force_login(commander)
    response = dispatch_team(client, rescue, region_code="")
    assert response.status_code == 422
    assert "必须选择所属区县" in text_of(response)
    assert not Dispatch.objects.exists()
    rescue.refresh_from_db()
    assert rescue.readiness == "ready"


def test_dispatching_a_deployed_team_is_refused_on_the_page_and_changes_nothing(client, commander, team):
    rescue = team(name="武侯危化队")
    client.force_login(commander)
    assert dispatch_team(client, rescue).status_code == 302
    before = (snapshot(rescue), Dispatch.objects.count(), DispatchOrder.objects.count())
    response = dispatch_team(client, rescue)
    assert response.status_code == 409
    assert "武侯危化队当前出动中，不能调派" in text_of(response)
    # The refusal rolls the new dispatch back with the order.
    assert (snapshot(rescue), Dispatch.objects.count(), DispatchOrder.objects.count()) == before


def test_a_reader_cannot_dispatch(client, expert, team):
    rescue = team()
    client.force_login(expert)
    assert dispatch_team(client, rescue).status_code == 403
    assert not Dispatch.objects.exists()
    ranking = text_of(client.get(reverse("emergency:nearest"), WUHOU_POINT))
    assert f'data-resource="team-{rescue.pk}"' in ranking and "data-dispatch=" not in ranking


# -- the dispatch page: order actions ----------------------------------------------------------


def test_a_team_order_moves_through_every_step_on_the_dispatch_page(client, commander, team):
    rescue = team()
    client.force_login(commander)
    dispatch_team(client, rescue)
    order = DispatchOrder.objects.get()
    page = reverse("emergency:dispatch", args=[order.dispatch_id])
    for action, state in (
        ("acknowledge", "acknowledged"),
        ("depart", "en_route"),
        ("arrive", "on_scene"),
        ("return", "returned"),
    ):
        assert f'data-action="order:{order.pk}:{action}"' in text_of(client.get(page)), action
        response = order_post(client, order, action)
        assert response.status_code == 302 and response.url == f"{page}#order-{order.pk}", action
        order.refresh_from_db()
        assert order.state == state
    assert all((order.acknowledged_at, order.departed_at, order.arrived_at, order.returned_at))
    rescue.refresh_from_db()
    assert rescue.readiness == "ready"
    body = text_of(client.get(page))
    for label, at in (
        ("下达", order.sent_at),
        ("接收", order.acknowledged_at),
        ("出发", order.departed_at),
        ("到达现场", order.arrived_at),
        ("返回", order.returned_at),
    ):
        assert f"{label} {localtime(at):%Y-%m-%d %H:%M}" in body, label
    assert "返回归队" in body  # the history


def test_a_material_order_returns_what_came_back_to_its_batches(client, commander, warehouse, stock):
    house = warehouse()
    sandbags = stock(house, "M01", 100).stock
    client.force_login(commander)
    client.post(
        reverse("emergency:map_dispatch"),
        {**WUHOU_POINT, "region_code": WUHOU, "kind": "material", "item": "M01", "take": [f"{house.pk}:30"]},
    )
    order = DispatchOrder.objects.get()
    line = order.lines.get()
    assert usable(sandbags) == 70
    for action in ("acknowledge", "depart", "arrive"):
        assert order_post(client, order, action).status_code == 302
    too_many = order_post(client, order, "return", {f"returned_{line.pk}": "31"})
    assert too_many.status_code == 422 and "退回数量不能超过调出数量 30" in text_of(too_many)
    assert usable(sandbags) == 70
    response = order_post(client, order, "return", {f"returned_{line.pk}": "12", "note": "剩余沙袋退库"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.returned == 12 and usable(sandbags) == 82


def test_an_equipment_order_returned_damaged_goes_to_maintenance(client, commander, equipment):
    pump = equipment()
    client.force_login(commander)
    client.post(
        reverse("emergency:map_dispatch"),
        {**WUHOU_POINT, "region_code": WUHOU, "kind": "equipment", "id": pump.pk},
    )
    order = DispatchOrder.objects.get()
    for action in ("acknowledge", "depart", "arrive"):
        assert order_post(client, order, action).status_code == 302
    pump.refresh_from_db()
    assert pump.status == "deployed"
    assert 'name="condition"' in text_of(client.get(reverse("emergency:dispatch", args=[order.dispatch_id])))
    assert (
        order_post(client, order, "return", {"condition": "damaged", "note": "泵体进水"}).status_code == 302
    )
    pump.refresh_from_db()
    assert pump.status == "maintenance" and pump.loans.get().condition == "damaged"


def test_an_order_action_out_of_turn_is_refused_in_chinese_and_changes_nothing(client, commander, team):
    client.force_login(commander)
    dispatch_team(client, team())
    order = DispatchOrder.objects.get()
    before = snapshot(order)
    response = order_post(client, order, "depart")
    assert response.status_code == 409
    assert "当前状态为“已下达”，不能执行“出发”" in text_of(response)
    assert snapshot(order) == before
    no_reason = order_post(client, order, "cancel", {"reason": ""})
    assert no_reason.status_code == 422 and "必须填写原因" in text_of(no_reason)
    assert snapshot(order) == before
    assert order_post(client, order, "fly").status_code == 404


def test_a_reader_is_refused_an_order_action_and_nothing_changes(client, commander, wuhou_inspector, team):
    client.force_login(commander)
    dispatch_team(client, team())
    order = DispatchOrder.objects.get()
    before = snapshot(order)
    client.force_login(wuhou_inspector)
    page = text_of(client.get(reverse("emergency:dispatch", args=[order.dispatch_id])))
    assert "data-action=" not in page and "追加调度指令" not in page
    response = order_post(client, order, "acknowledge")
    assert response.status_code == 403 and "您的角色无权执行“确认接收”" in text_of(response)
    assert snapshot(order) == before


def test_cancelling_an_order_gives_the_resource_back(client, commander, team):
    rescue = team()
    client.force_login(commander)
    dispatch_team(client, rescue)
    order = DispatchOrder.objects.get()
    assert order_post(client, order, "cancel", {"reason": "警情解除"}).status_code == 302
    order.refresh_from_db()
    rescue.refresh_from_db()
    assert order.state == "cancelled" and order.return_note == "警情解除" and rescue.readiness == "ready"


def test_the_dispatch_page_adds_orders_from_the_ranking_around_its_point(client, commander, team):
    first, second = team(name="第一队"), team(name="第二队", lat=30.66, lon=104.06)
    client.force_login(commander)
    dispatch_team(client, first)
    dispatch = Dispatch.objects.get()
    page = text_of(client.get(reverse("emergency:dispatch", args=[dispatch.pk])))
    assert "追加调度指令" in page and f'data-dispatch="team-{second.pk}"' in page
    assert f'data-dispatch="team-{first.pk}"' not in page  # deployed already
    ranking = client.get(reverse("emergency:nearest"), {"dispatch": dispatch.pk, "kind": "rescue_team"})
    assert reverse("emergency:dispatch_orders", args=[dispatch.pk]) in text_of(ranking)
    response = client.post(
        reverse("emergency:dispatch_orders", args=[dispatch.pk]), {"kind": "team", "id": second.pk}
    )
    assert response.status_code == 302
    assert set(dispatch.orders.values_list("team_id", flat=True)) == {first.pk, second.pk}
    again = client.post(
        reverse("emergency:dispatch_orders", args=[dispatch.pk]), {"kind": "team", "id": second.pk}
    )
    assert again.status_code == 409 and "第二队当前出动中，不能调派" in text_of(again)
    assert dispatch.orders.count() == 2


def test_a_county_commander_sees_the_dispatch_their_team_was_sent_to(
    client, commander, wuhou_commander, team
):
    wuhou_team = team(WUHOU, name="武侯队")
    mianyang_team = team("510703", name="涪城队")
    client.force_login(commander)
    lat, lon = PLACES["510703"]
    point = {"lat": str(lat), "lon": str(lon), "region_code": "510703"}
    dispatch_team(client, wuhou_team, **point)
    dispatch = Dispatch.objects.get()
    client.post(
        reverse("emergency:dispatch_orders", args=[dispatch.pk]), {"kind": "team", "id": mianyang_team.pk}
    )
    client.force_login(wuhou_commander)
    response = client.get(reverse("emergency:dispatch", args=[dispatch.pk]))
    assert response.status_code == 200
    assert ids(response, "order") == {dispatch.orders.get(team=wuhou_team).pk}
    assert "事发地不在您的管辖范围内" in text_of(response) and "追加调度指令" not in text_of(response)
    order = dispatch.orders.get(team=wuhou_team)
    assert order_post(client, order, "acknowledge").status_code == 302
    other = dispatch.orders.get(team=mianyang_team)
    assert order_post(client, other, "acknowledge").status_code == 404


# -- registries: forms and actions -------------------------------------------------------------


def test_register_and_edit_a_team_through_the_form(client, commander):
    client.force_login(commander)
    url = reverse("emergency:team_new")
    bad = client.post(url, {"name": "", "region_code": "510100", "lat": "abc", "members": "0"})
    assert bad.status_code == 422
    assert not RescueTeam.objects.exists()
    body = {
        "name": "武侯区危化品救援队",
        "region_code": WUHOU,
        "lat": "30.642",
        "lon": "104.043",
        "kind": "hazchem",
        "members": "35",
        "capabilities": ["hazchem", "fire"],
        "contact": "李队长",
        "phone": "028-88888888",
    }
    response = client.post(url, body)
    rescue = RescueTeam.objects.get()
    assert response.status_code == 302 and response.url == reverse("emergency:team", args=[rescue.pk])
    assert rescue.capabilities == ["fire", "hazchem"] and rescue.members == 35
    edit = reverse("emergency:team_edit", args=[rescue.pk])
    assert client.post(edit, {**body, "members": "40", "capabilities": ["water"]}).status_code == 302
    rescue.refresh_from_db()
    assert rescue.members == 40 and rescue.capabilities == ["water"]
    assert "修改队伍信息" in text_of(client.get(reverse("emergency:team", args=[rescue.pk])))


def test_a_field_error_is_shown_under_its_field(client, commander):
    client.force_login(commander)
    body = {
        "name": "新队",
        "region_code": "510100",
        "lat": "30.6",
        "lon": "104.0",
        "kind": "fire",
        "members": "10",
    }
    response = client.post(reverse("emergency:team_new"), body)
    assert response.status_code == 422
    assert re.search(r'id="team-region_code_error">.*不是县级区划', text_of(response), re.S)
    outside = client.post(reverse("emergency:team_new"), {**body, "lat": "40.0", "region_code": WUHOU})
    assert outside.status_code == 422 and "不在四川省范围内" in text_of(outside)


def test_a_team_stands_down_with_a_reason_and_stands_by_again(client, commander, team):
    rescue = team()
    client.force_login(commander)
    url = reverse("emergency:team_action", args=[rescue.pk, "stand_down"])
    no_note = client.post(url, {"note": ""})
    assert no_note.status_code == 422 and "必须填写休整原因" in text_of(no_note)
    assert client.post(url, {"note": "装备检修"}).status_code == 302
    rescue.refresh_from_db()
    assert rescue.readiness == "resting" and rescue.readiness_note == "装备检修"
    assert client.post(reverse("emergency:team_action", args=[rescue.pk, "stand_by"]), {}).status_code == 302
    rescue.refresh_from_db()
    assert rescue.readiness == "ready"


def test_a_warehouse_receives_sets_its_minimum_and_writes_off_a_batch(client, commander, warehouse):
    house = warehouse()
    client.force_login(commander)
    receive = reverse("emergency:warehouse_receive", args=[house.pk])
    expiry = (clock.today() + timedelta(days=200)).isoformat()
    response = client.post(receive, {"item": "M02", "quantity": "40", "expiry_date": expiry, "minimum": "10"})
    assert response.status_code == 302
    stock = Stock.objects.get(warehouse=house, item="M02")
    batch = stock.batches.get()
    assert batch.quantity == 40 and stock.minimum == 10
    assert (
        client.post(reverse("emergency:stock_minimum", args=[stock.pk]), {"minimum": "50"}).status_code == 302
    )
    stock.refresh_from_db()
    assert stock.minimum == 50
    page = text_of(client.get(reverse("emergency:warehouse", args=[house.pk])))
    assert f'data-below="{stock.pk}"' in page and "低于最低库存" in page
    write_off = reverse("emergency:batch_write_off", args=[batch.pk])
    too_many = client.post(write_off, {"quantity": "41", "reason": "破损"})
    assert too_many.status_code == 409 and "该批次现存 40件，不能核销 41" in text_of(too_many)
    assert client.post(write_off, {"quantity": "5", "reason": "破损"}).status_code == 302
    batch.refresh_from_db()
    assert batch.quantity == 35
    history = text_of(client.get(reverse("emergency:warehouse", args=[house.pk])))
    assert "报废核销" in history and "物资入库" in history


def test_a_reader_sees_the_warehouse_but_cannot_receive(client, expert, warehouse):
    house = warehouse()
    client.force_login(expert)
    page = text_of(client.get(reverse("emergency:warehouse", args=[house.pk])))
    assert "物资入库" not in page
    response = client.post(
        reverse("emergency:warehouse_receive", args=[house.pk]), {"item": "M01", "quantity": "5"}
    )
    assert response.status_code == 403 and "您的角色无权执行“物资入库”" in text_of(response)
    assert not Stock.objects.exists()


def test_equipment_goes_round_the_pool_through_its_page(client, commander, equipment):
    pump = equipment()
    client.force_login(commander)

    def act(action, **body):
        return client.post(reverse("emergency:equipment_action", args=[pump.pk, action]), body)

    soon = (clock.today() + timedelta(days=5)).isoformat()
    assert act("reserve", borrower="高新区应急局", expected_return=soon).status_code == 302
    assert act("lend").status_code == 302
    pump.refresh_from_db()
    assert pump.status == "deployed"
    assert "高新区应急局" in text_of(client.get(reverse("emergency:equipment", args=[pump.pk])))
    assert act("return", condition="damaged", note="密封圈损坏").status_code == 302
    pump.refresh_from_db()
    assert pump.status == "maintenance"
    past = act("finish_maintenance", next_maintenance=clock.today().isoformat())
    assert past.status_code == 422 and "必须晚于今天" in text_of(past)
    assert act("finish_maintenance", next_maintenance=soon).status_code == 302
    assert act("retire", reason="超过使用年限").status_code == 302
    pump.refresh_from_db()
    assert pump.status == "retired"
    late = act("reserve", borrower="某单位", expected_return=soon)
    assert late.status_code == 409 and "当前状态为“已报废”" in text_of(late)


def test_register_equipment_in_a_warehouse(client, commander, warehouse):
    house = warehouse()
    client.force_login(commander)
    form = text_of(client.get(reverse("emergency:equipment_new"), {"warehouse": house.pk}))
    assert f'<option value="{house.pk}" selected>' in form
    response = client.post(
        reverse("emergency:equipment_new"), {"warehouse": house.pk, "item": "E07", "serial": "SN-1"}
    )
    assert response.status_code == 302
    assert Equipment.objects.get().warehouse_id == house.pk
    twice = client.post(
        reverse("emergency:equipment_new"), {"warehouse": house.pk, "item": "E07", "serial": "SN-1"}
    )
    assert twice.status_code == 422 and "出厂编号“SN-1”已登记" in text_of(twice)


# -- boards ------------------------------------------------------------------------------------


def test_the_pool_board_shows_an_overdue_loan_in_red_with_its_days(client, commander, admin, equipment):
    late, on_time = equipment(), equipment()
    with clock.as_of(clock.now() - timedelta(days=10)):
        services.equipment_action(
            actor=admin,
            equipment=late,
            action="lend",
            borrower="邻县",
            expected_return=clock.today() + timedelta(days=3),
        )
    services.equipment_action(
        actor=admin,
        equipment=on_time,
        action="lend",
        borrower="本县",
        expected_return=clock.today() + timedelta(days=3),
    )
    client.force_login(commander)
    response = client.get(reverse("emergency:pool"))
    body = text_of(response)
    loan = late.loans.get()
    assert re.search(rf'data-loan="{loan.pk}"[^>]*class="table-danger" data-overdue="7"', body)
    assert "逾期 7 天" in body
    assert f'data-loan="{on_time.loans.get().pk}" data-equipment="{on_time.pk}">' in body
    assert re.search(r'id="overdue-count">.*?text-danger">1<', body, re.S)


def test_the_pool_board_lists_maintenance_due_within_30_days(client, commander, equipment):
    due = equipment(next_maintenance=clock.today() + timedelta(days=20))
    equipment(next_maintenance=clock.today() + timedelta(days=40))
    client.force_login(commander)
    response = client.get(reverse("emergency:pool"))
    assert ids(response, "equipment") == {due.pk}


def test_stock_alerts_show_a_low_stock_and_expiring_and_expired_batches(client, commander, warehouse, stock):
    house = warehouse(name="武侯区物资库")
    low = stock(house, "M01", 30, minimum=100).stock
    stock(house, "M02", 500, minimum=100)
    soon = stock(house, "M03", 10, expires_in=12)
    gone = stock(house, "M04", 5, expires_in=-3)
    stock(house, "M05", 5, expires_in=90)
    client.force_login(commander)
    response = client.get(reverse("emergency:stock_alerts"))
    body = text_of(response)
    assert ids(response, "stock") == {low.pk}
    assert ids(response, "batch") == {gone.pk, soon.pk}
    assert "12 天后到期" in body and "已过期 3 天" in body and "缺口" in body
    other = client.get(reverse("emergency:stock_alerts"), {"region": JINJIANG})
    assert ids(other, "stock") == set() and "暂无低于最低库存的物资" in text_of(other)


# -- the map's points --------------------------------------------------------------------------


def test_the_map_data_holds_only_the_points_in_scope(client, wuhou_commander, team, warehouse):
    mine = team(WUHOU)
    team(JINJIANG)
    team("510703")
    depot = warehouse(WUHOU, is_pool=True)
    store = warehouse(WUHOU, is_pool=False)
    warehouse(JINJIANG, is_pool=True)
    client.force_login(wuhou_commander)
    response = client.get(reverse("emergency:map_data"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    layers = {layer["key"]: layer for layer in response.json()["layers"]}
    assert [p[2] for p in layers["teams"]["points"]] == [mine.pk]
    assert [p[2] for p in layers["pools"]["points"]] == [depot.pk]
    assert [p[2] for p in layers["warehouses"]["points"]] == [store.pk]
    lon, lat = layers["teams"]["points"][0][:2]
    assert (lat, lon) == (mine.lat, mine.lon)
    assert layers["teams"]["url"] == reverse("emergency:team", args=[0]).replace("/0/", "/{id}/")


def test_the_map_caps_each_layer_and_says_how_many_there_are(client, commander, team, monkeypatch):
    from benan.emergency.views import map as map_views

    monkeypatch.setattr(map_views, "MAP_LIMIT", 2)
    for _ in range(3):
        team()
    client.force_login(commander)
    teams = next(x for x in client.get(reverse("emergency:map_data")).json()["layers"] if x["key"] == "teams")
    assert (teams["total"], teams["shown"], len(teams["points"])) == (3, 2, 2)
    assert "每类资源在地图上最多显示 2 个点" in text_of(client.get(reverse("emergency:map")))


# -- drills ------------------------------------------------------------------------------------


def test_a_drill_is_planned_held_and_its_follow_up_closed_through_the_pages(
    client, commander, wuhou_inspector, team
):
    rescue = team()
    client.force_login(commander)
    body = {
        "title": "武侯化工园区泄漏演练",
        "kind": "drill",
        "region_code": WUHOU,
        "organiser": "武侯区应急管理局",
        "scenario": "储罐区泄漏，启动二级响应",
        "planned_on": clock.today().isoformat(),
        "lat": "30.64",
        "lon": "104.04",
        "teams": [str(rescue.pk)],
    }
    response = client.post(reverse("emergency:drill_new"), body)
    drill = Drill.objects.get()
    assert response.status_code == 302 and list(drill.teams.all()) == [rescue]
    page = reverse("emergency:drill", args=[drill.pk])
    text = text_of(client.get(page))
    assert "发起演练调度" in text and f"?drill={drill.pk}" in text
    hold = reverse("emergency:drill_action", args=[drill.pk, "hold"])
    early = client.post(reverse("emergency:drill_action", args=[drill.pk, "follow_up"]), {"description": "x"})
    assert early.status_code == 409 and "演练实施并评估后才能登记整改事项" in text_of(early)
    no_rating = client.post(
        hold, {"held_on": clock.today().isoformat(), "participant_count": "60", "evaluation": "好"}
    )
    assert no_rating.status_code == 422 and "评估等级必须是" in text_of(no_rating)
    held = {
        "held_on": clock.today().isoformat(),
        "participant_count": "60",
        "evaluation": "响应迅速",
        "rating": "good",
    }
    assert client.post(hold, held).status_code == 302
    drill.refresh_from_db()
    assert drill.state == "held" and drill.rating == "good"
    form = text_of(client.get(page))
    assert f'<option value="{wuhou_inspector.pk}">' in form  # the county's inspector may be assigned
    due = (clock.today() + timedelta(days=14)).isoformat()
    add = reverse("emergency:drill_action", args=[drill.pk, "follow_up"])
    assert (
        client.post(
            add, {"description": "通信中断", "assignee": wuhou_inspector.pk, "due_date": due}
        ).status_code
        == 302
    )
    item = FollowUp.objects.get()
    # The assignee submits; the commander is offered no submit of someone else's item.
    assert f'data-action="follow_up:{item.pk}:submit"' not in text_of(client.get(page))
    client.force_login(wuhou_inspector)
    submit = reverse("emergency:follow_up_action", args=[item.pk, "submit"])
    assert f'data-action="follow_up:{item.pk}:submit"' in text_of(client.get(page))
    assert client.post(submit, {"result": "已配卫星电话"}).status_code == 302
    accept = reverse("emergency:follow_up_action", args=[item.pk, "accept"])
    refused = client.post(accept, {"comment": ""})
    assert refused.status_code == 403
    item.refresh_from_db()
    assert item.state == "submitted"
    client.force_login(commander)
    assert client.post(accept, {"comment": "合格"}).status_code == 302
    item.refresh_from_db()
    assert item.state == "closed" and item.closed_by == commander
    assert "验收销号" in text_of(client.get(page))


def test_a_dispatch_starts_from_a_drill_with_its_position(client, commander, admin, team):
    rescue = team()
    drill = services.plan_drill(
        actor=admin,
        title="防汛演练",
        kind="drill",
        region_code=WUHOU,
        organiser="应急局",
        scenario="内涝",
        planned_on=clock.today(),
        lat=30.645,
        lon=104.045,
    )
    client.force_login(commander)
    page = text_of(client.get(reverse("emergency:map"), {"drill": drill.pk}))
    assert 'id="origin-drill"' in page and f'name="drill" value="{drill.pk}"' in page
    assert f'data-dispatch="team-{rescue.pk}"' in page  # ranked around the drill's position
    response = client.post(
        reverse("emergency:map_dispatch"),
        {"drill": drill.pk, "lat": "30.645", "lon": "104.045", "kind": "team", "id": rescue.pk},
    )
    assert response.status_code == 302
    dispatch = Dispatch.objects.get()
    assert (
        dispatch.origin == "drill"
        and dispatch.drill_id == drill.pk
        and dispatch.title == "演练调度：防汛演练"
    )
    assert dispatch.number in text_of(client.get(reverse("emergency:drill", args=[drill.pk])))


def test_objects_outside_the_scope_are_404_for_pages_and_posts(client, wuhou_commander, team, warehouse):
    outside = team(JINJIANG)
    house = warehouse(JINJIANG)
    client.force_login(wuhou_commander)
    assert client.get(reverse("emergency:team", args=[outside.pk])).status_code == 404
    assert (
        client.post(
            reverse("emergency:team_action", args=[outside.pk, "stand_down"]), {"note": "x"}
        ).status_code
        == 404
    )
    assert client.get(reverse("emergency:warehouse", args=[house.pk])).status_code == 404
    outside.refresh_from_db()
    assert outside.readiness == "ready"
    # A county user's selects hold only their own county.
    form = text_of(client.get(reverse("emergency:team_new")))
    assert f'value="{WUHOU}"' in form and f'value="{JINJIANG}"' not in form
    assert Warehouse.objects.count() == 1


def test_a_county_assignee_of_a_city_drill_sees_the_drill_and_submits(
    client, cd_office, wuhou_inspector, make_user
):
    jinjiang_commander = make_user("jinjiang-commander", Role.COMMANDER, region=JINJIANG)
    common = {
        "kind": "drill",
        "organiser": "成都市应急管理局",
        "scenario": "地铁隧道进水",
        "planned_on": clock.today(),
    }
    drill = services.plan_drill(actor=cd_office, title="成都市防汛演练", region_code="510100", **common)
    services.drill_action(
        actor=cd_office,
        drill=drill,
        action="hold",
        held_on=clock.today(),
        participant_count=80,
        evaluation="基本达到预期",
        rating="pass",
    )
    client.force_login(cd_office)
    form = text_of(client.get(reverse("emergency:drill", args=[drill.pk])))
    # The drill's region (成都市) and below it (武侯区, 锦江区) may be assigned.
    assert (
        f'<option value="{wuhou_inspector.pk}">' in form
        and f'<option value="{jinjiang_commander.pk}">' in form
    )
    due = (clock.today() + timedelta(days=7)).isoformat()
    add = reverse("emergency:drill_action", args=[drill.pk, "follow_up"])
    assert (
        client.post(
            add, {"description": "泵站值守缺位", "assignee": wuhou_inspector.pk, "due_date": due}
        ).status_code
        == 302
    )
    item = FollowUp.objects.get()
    client.force_login(wuhou_inspector)
    page = client.get(reverse("emergency:drill", args=[drill.pk]))
    assert page.status_code == 200 and 'id="assignee-view"' in text_of(page)
    assert "登记实施和评估" not in text_of(page) and ids(page, "follow-up") == {item.pk}
    response = client.post(
        reverse("emergency:follow_up_action", args=[item.pk, "submit"]), {"result": "已排班"}
    )
    assert response.status_code == 302 and response.url.startswith(
        reverse("emergency:drill", args=[drill.pk])
    )
    item.refresh_from_db()
    assert item.state == "submitted"
    # Another county's commander holds no item of it: the drill stays out of sight.
    client.force_login(jinjiang_commander)
    assert client.get(reverse("emergency:drill", args=[drill.pk])).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "emergency:teams",
        "emergency:warehouses",
        "emergency:equipment_list",
        "emergency:dispatches",
        "emergency:drills",
    ],
)
def test_a_list_page_makes_as_many_queries_for_many_rows_as_for_one(
    client, commander, admin, team, equipment, name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(commander)

    def add_rows(n):
        for _ in range(n):
            rescue = team()
            equipment()
            dispatch_team(client, rescue)
            services.plan_drill(
                actor=admin,
                title="演练",
                kind="drill",
                region_code=WUHOU,
                organiser="应急局",
                scenario="情景",
                planned_on=clock.today(),
            )

    def queries_of() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        return len(captured)

    add_rows(1)
    one = queries_of()
    add_rows(5)
    assert queries_of() == one
