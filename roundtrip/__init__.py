"""roundtrip: backend docs compiled like source code.

The public, CLI-free entry points live in :mod:`roundtrip.api`.
"""

__version__ = "0.1.0"
