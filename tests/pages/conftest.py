"""Page tests reuse the hazard fixtures: the official criteria, evidence uploads and `walk`."""

from tests.hazards.conftest import criteria, evidence, walk  # noqa: F401
