"""Geography helpers: Sichuan's bounding box and great-circle distance."""

from __future__ import annotations

import math

# Sichuan lies between 97°21′ and 108°33′ E and 26°03′ and 34°19′ N (the province's
# published extent); anything outside cannot be a Sichuan site.
SICHUAN_LAT = (26.05, 34.3167)
SICHUAN_LON = (97.35, 108.55)


def in_sichuan(lat: float, lon: float) -> bool:
    return SICHUAN_LAT[0] <= lat <= SICHUAN_LAT[1] and SICHUAN_LON[0] <= lon <= SICHUAN_LON[1]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance on a sphere of the Earth's mean radius."""
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))
