"""DuckDB and Spark run the very same detector: identical alerts and findings on the same data.

Spark runs in local mode (PySpark and Java 17 are installed by `make test`); this is the parity
test the CI runs on every push.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from benan.power import simulate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim")
    simulate.run(out, enterprises=160, days=75, seed=4)
    return out


def detect(out, engine):
    alerts, quality = out / f"alerts-{engine}.csv", out / f"quality-{engine}.csv"
    call_command(
        "power",
        "detect",
        "--readings",
        str(out / "readings"),
        "--meters",
        str(out / "meters.csv"),
        "--status",
        str(out / "status.csv"),
        "--out",
        str(alerts),
        "--quality",
        str(quality),
        "--engine",
        engine,
    )
    return alerts.read_text(encoding="utf-8"), quality.read_text(encoding="utf-8")


def test_duckdb_and_pyspark_give_identical_alerts(simulated):
    duck_alerts, duck_quality = detect(simulated, "duckdb")
    spark_alerts, spark_quality = detect(simulated, "pyspark")
    lines = duck_alerts.splitlines()
    # The set is worth comparing: both kinds occur, and data-quality findings too.
    assert any(",covert_operation," in x for x in lines) and any(",premature_operation," in x for x in lines)
    assert len(duck_quality.splitlines()) > 1
    assert spark_alerts == duck_alerts
    assert spark_quality == duck_quality
