"""Stateless layers of pure functions over explicit parameters."""

from __future__ import annotations

from ._dense import dense as dense

__all__ = ["dense"]
