"""Alignment core: costs, the banded DP and the multi-pass search behind :class:`Aligner`."""

from __future__ import annotations

from .aligner import Aligner, bead_types
from .cost import LENGTH_MODELS, LengthModel
from .dp import Band, banded_dp, full_band, make_band

__all__ = ["Aligner", "Band", "LENGTH_MODELS", "LengthModel", "banded_dp", "bead_types", "full_band", "make_band"]
