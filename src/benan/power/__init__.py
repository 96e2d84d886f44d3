"""Power analytics (电力助应急): catch covert production (明停暗开) and premature production
(边建边开) from 15-minute meter readings, and route each alert through the closed loop.

The detector is written once as Ibis expressions (detector.py) and runs on DuckDB or Spark
(engines.py); simulate.py makes realistic data with the true violation periods, evaluate.py
scores alerts against them; lake.py keeps the app's readings as partitioned Parquet.
"""
