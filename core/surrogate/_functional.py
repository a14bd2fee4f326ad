"""The catalogue of built-in surrogate classes and their lowercase functional forms.

:func:`catalogue` lists the classes. Each lowercase function (``sigmoid``,
``relu_grad``, ...) takes the spike input ``x`` first and the class's hyperparameters
after it. Called with ``x`` it returns spikes; called without ``x`` it returns the
surrogate module, which is how the braintools "Training Utilities" page writes
``surrogate.sigmoid(alpha=4.0)``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, Protocol, TypeVar, overload

from jax import Array
from jax.typing import ArrayLike

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

P = ParamSpec("P")
S_co = TypeVar("S_co", bound=Surrogate, covariant=True)


class SurrogateFunction(Protocol[P, S_co]):
    """The type of a lowercase surrogate function such as :func:`sigmoid`.

    ``f(x, **hyperparameters)`` (or ``f(x=x, ...)``, as braintools spells it) returns
    spikes (an array); ``f(**hyperparameters)`` returns the surrogate module.
    Hyperparameters are those of the class.

    Example:
        >>> from core.surrogate import SurrogateFunction, Sigmoid, sigmoid
        >>> def use(f: SurrogateFunction[..., Sigmoid]) -> Sigmoid:
        ...     return f(alpha=2.0)
        >>> use(sigmoid)
        Sigmoid(alpha=2.0)
    """

    @overload
    def __call__(self, x: None = None, *args: P.args, **kwargs: P.kwargs) -> S_co: ...

    @overload
    def __call__(self, x: ArrayLike, *args: P.args, **kwargs: P.kwargs) -> Array: ...


_DOC = """Functional form of :class:`~core.surrogate.{cls}`.

``{name}(x, **hyperparameters)`` returns the spikes ``{cls}(**hyperparameters)(x)``;
``{name}(**hyperparameters)`` without ``x`` returns the :class:`~core.surrogate.{cls}`
module itself (for example to pass as ``spike_fun=``). The hyperparameters and
their defaults are those of the class.

Example:
    >>> import jax, jax.numpy as jnp
    >>> from core.surrogate import {name}
    >>> print({name}(jnp.array([-1.0, 0.0, 1.0])))
    [0. 1. 1.]
    >>> type({name}()).__name__
    '{cls}'
"""


def _functional(cls: Callable[P, S_co], name: str) -> SurrogateFunction[P, S_co]:
    """Build the lowercase function ``name`` over the surrogate class ``cls``."""

    def function(x: Any = None, *args: Any, **hyperparameters: Any) -> Any:
        surrogate = cls(*args, **hyperparameters)
        return surrogate if x is None else surrogate(x)

    class_signature = inspect.signature(cls)
    x_parameter = inspect.Parameter("x", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None)
    function.__signature__ = class_signature.replace(  # type: ignore[attr-defined]
        parameters=[x_parameter, *class_signature.parameters.values()],
        return_annotation=inspect.Signature.empty,
    )
    function.__name__ = function.__qualname__ = name
    function.__module__ = "core.surrogate"
    function.__doc__ = _DOC.format(name=name, cls=cls.__name__)
    return function


sigmoid = _functional(Sigmoid, "sigmoid")
tanh = _functional(Tanh, "tanh")
soft_sign = _functional(SoftSign, "soft_sign")
super_spike = _functional(SuperSpike, "super_spike")
inv_square_grad = _functional(InvSquareGrad, "inv_square_grad")
arctan = _functional(Arctan, "arctan")
circ = _functional(Circ, "circ")
nonzero_sign_log = _functional(NonzeroSignLog, "nonzero_sign_log")
q_pseudo_spike = _functional(QPseudoSpike, "q_pseudo_spike")
piecewise_quadratic = _functional(PiecewiseQuadratic, "piecewise_quadratic")
triangular = _functional(Triangular, "triangular")
relu_grad = _functional(ReluGrad, "relu_grad")
boxcar = _functional(Boxcar, "boxcar")
straight_through = _functional(StraightThrough, "straight_through")
piecewise_leaky_relu = _functional(PiecewiseLeakyRelu, "piecewise_leaky_relu")
leaky_relu = _functional(LeakyRelu, "leaky_relu")
log_tailed_relu = _functional(LogTailedRelu, "log_tailed_relu")
s2nn = _functional(S2NN, "s2nn")
piecewise_exp = _functional(PiecewiseExp, "piecewise_exp")
slayer_grad = _functional(SlayerGrad, "slayer_grad")
spike_rate_escape = _functional(SpikeRateEscape, "spike_rate_escape")
erf = _functional(ERF, "erf")
gaussian_grad = _functional(GaussianGrad, "gaussian_grad")
multi_gaussian_grad = _functional(MultiGaussianGrad, "multi_gaussian_grad")
squarewave_fourier_series = _functional(SquarewaveFourierSeries, "squarewave_fourier_series")

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
