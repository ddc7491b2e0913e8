"""The version of dockerfix (one place; the package and the result cache read it)."""

__version__ = "0.1.0"
