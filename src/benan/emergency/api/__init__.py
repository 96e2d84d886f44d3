"""Emergency endpoints: registries (teams, warehouses and their stock, equipment), the nearest
resources to a point, material cover plans, stock alerts, the pool board, dispatch orders and
drills, one endpoint per action. Government users only; enterprises get 403 on lists and 404 on
objects. Each module adds its endpoints to the one router."""

from . import dispatch, drills, pool, registry  # noqa: F401  (they register their endpoints)
from .common import router

__all__ = ["router"]
