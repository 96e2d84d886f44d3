"""Page tests reuse the hazard fixtures (the official criteria, evidence uploads and `walk`), the
enforcement ones (`case_in`, evidence `upload`, a second Wuhou inspector) and the accident ones
(`accident(...)` through the services, a `pdf` and a `photo`)."""

from tests.accidents.conftest import accident, pdf, photo  # noqa: F401
from tests.enforcement.conftest import case_in, upload, wuhou_inspector2  # noqa: F401
from tests.hazards.conftest import criteria, evidence, walk  # noqa: F401
