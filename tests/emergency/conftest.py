"""Fixtures for emergency resources: a team, a warehouse with stock, a piece of pool equipment,
each registered through the services as a commander would."""

from __future__ import annotations

from datetime import timedelta

import pytest

from benan.core import clock
from benan.emergency import services

from ..conftest import JINJIANG, WUHOU

# 武侯区 and 锦江区 (Chengdu), 涪城区 (Mianyang): points inside each.
PLACES = {WUHOU: (30.642, 104.043), JINJIANG: (30.657, 104.083), "510703": (31.467, 104.741)}


@pytest.fixture
def team(admin):
    def make(region: str = WUHOU, lat: float | None = None, lon: float | None = None, **data):
        y, x = PLACES.get(region, PLACES[WUHOU])
        body = {
            "name": f"救援队{services.RescueTeam.objects.count() + 1}",
            "region_code": region,
            "lat": y if lat is None else lat,
            "lon": x if lon is None else lon,
            "kind": "hazchem",
            "members": 30,
            "capabilities": ["hazchem", "fire"],
            "contact": "张队长",
            "phone": "13800000000",
            **data,
        }
        return services.create_team(actor=admin, **body)

    return make


@pytest.fixture
def warehouse(admin):
    def make(region: str = WUHOU, lat: float | None = None, lon: float | None = None, **data):
        y, x = PLACES.get(region, PLACES[WUHOU])
        body = {
            "name": f"物资库{services.Warehouse.objects.count() + 1}",
            "region_code": region,
            "lat": y if lat is None else lat,
            "lon": x if lon is None else lon,
            "level": "county",
            "is_pool": True,
            **data,
        }
        return services.create_warehouse(actor=admin, **body)

    return make


@pytest.fixture
def stock(admin):
    """`stock(warehouse, item, quantity, expires_in=None, minimum=None)` → the new batch."""

    def make(warehouse, item: str = "M01", quantity: int = 100, expires_in: int | None = None, minimum=None):
        expiry = clock.today() + timedelta(days=expires_in) if expires_in is not None else None
        return services.receive(
            actor=admin,
            warehouse=warehouse,
            item=item,
            quantity=quantity,
            expiry_date=expiry,
            minimum=minimum,
            received_on=clock.today() - timedelta(days=400),
        )

    return make


@pytest.fixture
def equipment(admin, warehouse):
    def make(home=None, item: str = "E07", **data):
        home = home or warehouse()
        serial = f"SN-{services.Equipment.objects.count() + 1:05d}"
        return services.register_equipment(actor=admin, warehouse=home, item=item, serial=serial, **data)

    return make
