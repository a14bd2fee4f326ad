"""Spike functions with surrogate derivatives.

Every surrogate is an Equinox module: calling it on ``x`` (membrane potential
minus threshold) gives Heaviside spikes ``x >= 0`` in the dtype of ``x``, and its
derivative is the surrogate :meth:`~Surrogate.surrogate_grad`, through
:func:`jax.custom_jvp`. Each class has a lowercase functional form
(``Sigmoid`` / ``sigmoid``) that returns spikes when given ``x`` and the module
when not.
"""

from __future__ import annotations

from ._base import SpikeFunction as SpikeFunction
from ._base import Surrogate as Surrogate
from ._base import SurrogateLike as SurrogateLike
from ._base import hyperparameter as hyperparameter
from ._base import spike as spike
from ._exponential import PiecewiseExp as PiecewiseExp
from ._exponential import SlayerGrad as SlayerGrad
from ._exponential import SpikeRateEscape as SpikeRateEscape
from ._functional import SurrogateFunction as SurrogateFunction
from ._functional import arctan as arctan
from ._functional import boxcar as boxcar
from ._functional import catalogue as catalogue
from ._functional import circ as circ
from ._functional import erf as erf
from ._functional import gaussian_grad as gaussian_grad
from ._functional import inv_square_grad as inv_square_grad
from ._functional import leaky_relu as leaky_relu
from ._functional import log_tailed_relu as log_tailed_relu
from ._functional import multi_gaussian_grad as multi_gaussian_grad
from ._functional import nonzero_sign_log as nonzero_sign_log
from ._functional import piecewise_exp as piecewise_exp
from ._functional import piecewise_leaky_relu as piecewise_leaky_relu
from ._functional import piecewise_quadratic as piecewise_quadratic
from ._functional import q_pseudo_spike as q_pseudo_spike
from ._functional import relu_grad as relu_grad
from ._functional import s2nn as s2nn
from ._functional import sigmoid as sigmoid
from ._functional import slayer_grad as slayer_grad
from ._functional import soft_sign as soft_sign
from ._functional import spike_rate_escape as spike_rate_escape
from ._functional import squarewave_fourier_series as squarewave_fourier_series
from ._functional import straight_through as straight_through
from ._functional import super_spike as super_spike
from ._functional import tanh as tanh
from ._functional import triangular as triangular
from ._gallery import plot_gallery as plot_gallery
from ._gaussian import ERF as ERF
from ._gaussian import GaussianGrad as GaussianGrad
from ._gaussian import MultiGaussianGrad as MultiGaussianGrad
from ._periodic import SquarewaveFourierSeries as SquarewaveFourierSeries
from ._piecewise import S2NN as S2NN
from ._piecewise import Boxcar as Boxcar
from ._piecewise import LeakyRelu as LeakyRelu
from ._piecewise import LogTailedRelu as LogTailedRelu
from ._piecewise import PiecewiseLeakyRelu as PiecewiseLeakyRelu
from ._piecewise import PiecewiseQuadratic as PiecewiseQuadratic
from ._piecewise import Rect as Rect
from ._piecewise import ReluGrad as ReluGrad
from ._piecewise import StraightThrough as StraightThrough
from ._piecewise import Triangular as Triangular
from ._sigmoidal import Arctan as Arctan
from ._sigmoidal import Circ as Circ
from ._sigmoidal import InvSquareGrad as InvSquareGrad
from ._sigmoidal import NonzeroSignLog as NonzeroSignLog
from ._sigmoidal import QPseudoSpike as QPseudoSpike
from ._sigmoidal import Sigmoid as Sigmoid
from ._sigmoidal import SoftSign as SoftSign
from ._sigmoidal import SuperSpike as SuperSpike
from ._sigmoidal import Tanh as Tanh

__all__ = [
    "ERF",
    "Arctan",
    "Boxcar",
    "Circ",
    "GaussianGrad",
    "InvSquareGrad",
    "LeakyRelu",
    "LogTailedRelu",
    "MultiGaussianGrad",
    "NonzeroSignLog",
    "PiecewiseExp",
    "PiecewiseLeakyRelu",
    "PiecewiseQuadratic",
    "QPseudoSpike",
    "Rect",
    "ReluGrad",
    "S2NN",
    "Sigmoid",
    "SlayerGrad",
    "SoftSign",
    "SpikeFunction",
    "SpikeRateEscape",
    "SquarewaveFourierSeries",
    "StraightThrough",
    "SuperSpike",
    "Surrogate",
    "SurrogateFunction",
    "SurrogateLike",
    "Tanh",
    "Triangular",
    "arctan",
    "boxcar",
    "catalogue",
    "circ",
    "erf",
    "gaussian_grad",
    "hyperparameter",
    "inv_square_grad",
    "leaky_relu",
    "log_tailed_relu",
    "multi_gaussian_grad",
    "nonzero_sign_log",
    "piecewise_exp",
    "piecewise_leaky_relu",
    "piecewise_quadratic",
    "plot_gallery",
    "q_pseudo_spike",
    "relu_grad",
    "s2nn",
    "sigmoid",
    "slayer_grad",
    "soft_sign",
    "spike",
    "spike_rate_escape",
    "squarewave_fourier_series",
    "straight_through",
    "super_spike",
    "tanh",
    "triangular",
]
