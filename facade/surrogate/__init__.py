"""braintools-compatible surrogate names, e.g. ``braintools.surrogate.ReluGrad()``.

The built-in classes and functions are the :mod:`core.surrogate` objects themselves, so
a surrogate built here is the same Equinox module the functional core uses. The
braintools call forms work: ``spike_fun=surrogate.ReluGrad()``,
``surrogate.sigmoid(alpha=4.0)`` (returns the surrogate) and
``surrogate.sigmoid(x, alpha=4.0)`` (returns spikes). :class:`Surrogate` is the one
name of its own: a plain (non-Equinox) base class, so custom surrogates can be written
the braintools way, with an ``__init__`` that assigns attributes.
"""

from __future__ import annotations

from core import surrogate as _core_surrogate
from core.surrogate import ERF as ERF
from core.surrogate import S2NN as S2NN
from core.surrogate import Arctan as Arctan
from core.surrogate import Boxcar as Boxcar
from core.surrogate import Circ as Circ
from core.surrogate import GaussianGrad as GaussianGrad
from core.surrogate import InvSquareGrad as InvSquareGrad
from core.surrogate import LeakyRelu as LeakyRelu
from core.surrogate import LogTailedRelu as LogTailedRelu
from core.surrogate import MultiGaussianGrad as MultiGaussianGrad
from core.surrogate import NonzeroSignLog as NonzeroSignLog
from core.surrogate import PiecewiseExp as PiecewiseExp
from core.surrogate import PiecewiseLeakyRelu as PiecewiseLeakyRelu
from core.surrogate import PiecewiseQuadratic as PiecewiseQuadratic
from core.surrogate import QPseudoSpike as QPseudoSpike
from core.surrogate import Rect as Rect
from core.surrogate import ReluGrad as ReluGrad
from core.surrogate import Sigmoid as Sigmoid
from core.surrogate import SlayerGrad as SlayerGrad
from core.surrogate import SoftSign as SoftSign
from core.surrogate import SpikeFunction as SpikeFunction
from core.surrogate import SpikeRateEscape as SpikeRateEscape
from core.surrogate import SquarewaveFourierSeries as SquarewaveFourierSeries
from core.surrogate import StraightThrough as StraightThrough
from core.surrogate import SuperSpike as SuperSpike
from core.surrogate import SurrogateFunction as SurrogateFunction
from core.surrogate import Tanh as Tanh
from core.surrogate import Triangular as Triangular
from core.surrogate import arctan as arctan
from core.surrogate import boxcar as boxcar
from core.surrogate import catalogue as catalogue
from core.surrogate import circ as circ
from core.surrogate import erf as erf
from core.surrogate import gaussian_grad as gaussian_grad
from core.surrogate import inv_square_grad as inv_square_grad
from core.surrogate import leaky_relu as leaky_relu
from core.surrogate import log_tailed_relu as log_tailed_relu
from core.surrogate import multi_gaussian_grad as multi_gaussian_grad
from core.surrogate import nonzero_sign_log as nonzero_sign_log
from core.surrogate import piecewise_exp as piecewise_exp
from core.surrogate import piecewise_leaky_relu as piecewise_leaky_relu
from core.surrogate import piecewise_quadratic as piecewise_quadratic
from core.surrogate import plot_gallery as plot_gallery
from core.surrogate import q_pseudo_spike as q_pseudo_spike
from core.surrogate import relu_grad as relu_grad
from core.surrogate import s2nn as s2nn
from core.surrogate import sigmoid as sigmoid
from core.surrogate import slayer_grad as slayer_grad
from core.surrogate import soft_sign as soft_sign
from core.surrogate import spike_rate_escape as spike_rate_escape
from core.surrogate import squarewave_fourier_series as squarewave_fourier_series
from core.surrogate import straight_through as straight_through
from core.surrogate import super_spike as super_spike
from core.surrogate import tanh as tanh
from core.surrogate import triangular as triangular

from ._base import Surrogate as Surrogate

_CORE_ONLY = ("SurrogateLike", "hyperparameter", "spike")
"""Names of :mod:`core.surrogate` that belong to the functional core only (the protocol, the
field declaration, the spike kernel): braintools has none of them."""

# core.surrogate's public names less those; "Surrogate" here is the class of ._base
__all__ = [name for name in _core_surrogate.__all__ if name not in _CORE_ONLY]
