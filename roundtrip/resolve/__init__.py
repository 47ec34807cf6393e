"""Resolve Facts into one Spec: pick a primary statement per fact, link API types to tables."""

from roundtrip.resolve.merge import resolve

__all__ = ["resolve"]
