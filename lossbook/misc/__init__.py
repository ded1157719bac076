"""Small helpers shared by the library modules."""
from .flatten import flatten

__all__ = ["flatten"]
