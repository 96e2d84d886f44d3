"""Emergency resources (应急资源) and dispatch (调度): rescue teams, warehouses with their stock,
the equipment pool (装备公物仓), nearest-resource search, dispatch orders and drills (演练/培训).

Imports core, enterprises (nothing yet) and accidents (a dispatch may start from an accident).
"""
