"""benan (本安): work-safety supervision for regulators and the enterprises they regulate."""

__version__ = "0.1.0"
