"""Page tests reuse the hazard fixtures (the official criteria, evidence uploads and `walk`) and
the enforcement ones (`case_in`, evidence `upload`, a second Wuhou inspector)."""

from tests.enforcement.conftest import case_in, upload, wuhou_inspector2  # noqa: F401
from tests.hazards.conftest import criteria, evidence, walk  # noqa: F401
