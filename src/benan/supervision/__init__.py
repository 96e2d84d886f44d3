"""Supervision (监管督办): the dashboards of a province, city or county, the ranking of
sub-regions (晾晒), the weekly dispatch sheet (周调度), the monthly circular (月通报) and
supervised assignments (督办交办).

The figures are read from the other apps through their `queries.py`, never their models, so a
dashboard number always equals the statistics endpoint of the module it comes from.
"""
