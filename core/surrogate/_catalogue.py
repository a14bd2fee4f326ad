"""The list of every built-in surrogate class."""

from __future__ import annotations

from ._base import Surrogate
from ._exponential import PiecewiseExp, SlayerGrad, SpikeRateEscape
from ._gaussian import ERF, GaussianGrad, MultiGaussianGrad
from ._periodic import SquarewaveFourierSeries
from ._piecewise import (
    S2NN,
    Boxcar,
    LeakyRelu,
    LogTailedRelu,
    PiecewiseLeakyRelu,
    PiecewiseQuadratic,
    ReluGrad,
    StraightThrough,
    Triangular,
)
from ._sigmoidal import (
    Arctan,
    Circ,
    InvSquareGrad,
    NonzeroSignLog,
    QPseudoSpike,
    Sigmoid,
    SoftSign,
    SuperSpike,
    Tanh,
)

_CATALOGUE: tuple[type[Surrogate], ...] = (
    # the braintools 0.3.0 catalogue, in its order
    Sigmoid,
    PiecewiseQuadratic,
    PiecewiseExp,
    SoftSign,
    Arctan,
    NonzeroSignLog,
    ERF,
    PiecewiseLeakyRelu,
    SquarewaveFourierSeries,
    S2NN,
    QPseudoSpike,
    LeakyRelu,
    LogTailedRelu,
    ReluGrad,
    GaussianGrad,
    MultiGaussianGrad,
    InvSquareGrad,
    SlayerGrad,
    # what other libraries have and braintools lacks
    SuperSpike,
    Triangular,
    Boxcar,
    StraightThrough,
    Tanh,
    SpikeRateEscape,
    Circ,
)


def catalogue() -> tuple[type[Surrogate], ...]:
    """Every built-in surrogate class: braintools' 18 first, then the others.

    Returns:
        A tuple of classes; each can be built with no arguments (its defaults).

    Example:
        >>> from core.surrogate import catalogue
        >>> len(catalogue())
        25
        >>> [cls.__name__ for cls in catalogue()][:3]
        ['Sigmoid', 'PiecewiseQuadratic', 'PiecewiseExp']
    """
    return _CATALOGUE
