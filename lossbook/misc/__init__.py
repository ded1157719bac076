"""Small helpers shared by the library modules."""
from .flatten import flatten, unflatten_batch

__all__ = ["flatten", "unflatten_batch"]
