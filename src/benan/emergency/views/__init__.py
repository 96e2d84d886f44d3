"""Emergency pages (应急资源与调度): the map with the nearest-resource ranking and one-click
dispatch, the registries of teams, warehouses (stock) and pool equipment, the pool board and the
stock alerts, dispatches with their orders, and drills with their follow-up items.

The modules, each importing only those before it: `common` (shared helpers and the action
panels), `history` (the timeline's labels and summaries), `teams`, `warehouses`, `equipment`,
`boards` (pool board, stock alerts), `ranking` (the nearest ranking), `map`, `dispatches`,
`drills`. This package re-exports the views `urls.py` names.
"""

from .boards import pool_board, stock_alerts
from .dispatches import dispatch_detail, dispatch_list, dispatch_orders, order_action
from .drills import drill_action, drill_detail, drill_list, drill_new, follow_up_action
from .equipment import equipment_action, equipment_detail, equipment_list, equipment_new
from .map import map_data, map_dispatch, map_page, nearest
from .teams import team_action, team_detail, team_edit, team_list, team_new
from .warehouses import (
    batch_write_off,
    stock_minimum,
    warehouse_detail,
    warehouse_edit,
    warehouse_list,
    warehouse_new,
    warehouse_receive,
)

__all__ = [
    "batch_write_off",
    "dispatch_detail",
    "dispatch_list",
    "dispatch_orders",
    "drill_action",
    "drill_detail",
    "drill_list",
    "drill_new",
    "equipment_action",
    "equipment_detail",
    "equipment_list",
    "equipment_new",
    "follow_up_action",
    "map_data",
    "map_dispatch",
    "map_page",
    "nearest",
    "order_action",
    "pool_board",
    "stock_alerts",
    "stock_minimum",
    "team_action",
    "team_detail",
    "team_edit",
    "team_list",
    "team_new",
    "warehouse_detail",
    "warehouse_edit",
    "warehouse_list",
    "warehouse_new",
    "warehouse_receive",
]
