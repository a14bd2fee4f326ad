"""Closed-form surrogate derivatives, written independently of ``core`` (numpy, float64).

Each entry: the class name, its closed-form :math:`g(x; \\theta)` and a set of
non-default hyperparameters. The tests compare ``jax.grad`` of our spike
functions with these formulas, and with braintools 0.3.0 where it has the class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import expit

Formula = Callable[..., np.ndarray]


def _normal(x: np.ndarray, mean: float, std: float) -> np.ndarray:
    return np.exp(-((x - mean) ** 2) / (2 * std**2)) / (np.sqrt(2 * np.pi) * std)


def _sigmoid_grad(x: np.ndarray, alpha: float) -> np.ndarray:
    s = expit(alpha * x)
    return alpha * s * (1 - s)


def _squarewave(x: np.ndarray, n: int, t_period: float) -> np.ndarray:
    w = 2 * np.pi / t_period
    return 4 / t_period * sum(np.cos((2 * i - 1) * w * x) for i in range(1, n + 1))


FORMULAS: dict[str, Formula] = {
    "Sigmoid": lambda x, alpha: _sigmoid_grad(x, alpha),
    "PiecewiseQuadratic": lambda x, alpha: np.where(
        np.abs(x) > 1 / alpha, 0.0, alpha - alpha**2 * np.abs(x)
    ),
    "PiecewiseExp": lambda x, alpha: alpha / 2 * np.exp(-alpha * np.abs(x)),
    "SoftSign": lambda x, alpha: alpha / (2 * (1 + np.abs(alpha * x)) ** 2),
    "Arctan": lambda x, alpha: alpha / 2 / (1 + (np.pi / 2 * alpha * x) ** 2),
    "NonzeroSignLog": lambda x, alpha: 1 / (1 / alpha + np.abs(x)),
    "ERF": lambda x, alpha: alpha / np.sqrt(np.pi) * np.exp(-(alpha**2) * x**2),
    "PiecewiseLeakyRelu": lambda x, c, w: np.where(np.abs(x) > w, c, 1 / (2 * w)),
    "SquarewaveFourierSeries": _squarewave,
    "S2NN": lambda x, alpha, beta, epsilon: np.where(
        x < 0, _sigmoid_grad(x, alpha), beta / (np.maximum(x, 0) + 1)
    ),
    "QPseudoSpike": lambda x, alpha: (1 + 2 * np.abs(x) / (alpha + 1)) ** (-alpha),
    "LeakyRelu": lambda x, alpha, beta: np.where(x < 0, alpha, beta),
    "LogTailedRelu": lambda x, alpha: np.where(
        x > 1, 1 / np.maximum(x, 1), np.where(x > 0, 1.0, alpha)
    ),
    "ReluGrad": lambda x, alpha, width: np.maximum(alpha * width - alpha * np.abs(x), 0),
    "GaussianGrad": lambda x, sigma, alpha: alpha * _normal(x, 0, sigma),
    "MultiGaussianGrad": lambda x, h, s, sigma, scale: (
        scale
        * (
            (1 + h) * _normal(x, 0, sigma)
            - h * _normal(x, sigma, s * sigma)
            - h * _normal(x, -sigma, s * sigma)
        )
    ),
    "InvSquareGrad": lambda x, alpha: 1 / (alpha * np.abs(x) + 1) ** 2,
    "SlayerGrad": lambda x, alpha: np.exp(-alpha * np.abs(x)),
    "SuperSpike": lambda x, beta: 1 / (1 + beta * np.abs(x)) ** 2,
    "Triangular": lambda x, width: np.maximum(1 - np.abs(x) / width, 0) / width,
    "Boxcar": lambda x, width: np.where(np.abs(x) <= width / 2, 1 / width, 0.0),
    "StraightThrough": lambda x: np.ones_like(x),
    "Tanh": lambda x, alpha: alpha / 2 * (1 - np.tanh(alpha * x) ** 2),
    "SpikeRateEscape": lambda x, beta, slope: slope * np.exp(-beta * np.abs(x)),
    "Circ": lambda x, alpha: alpha**2 / (2 * (x**2 + alpha**2) ** 1.5),
}

# Non-default hyperparameters for each class (every hyperparameter changed).
OTHER_HYPERPARAMETERS: dict[str, dict[str, Any]] = {
    "Sigmoid": {"alpha": 2.5},
    "PiecewiseQuadratic": {"alpha": 1.7},
    "PiecewiseExp": {"alpha": 2.2},
    "SoftSign": {"alpha": 1.6},
    "Arctan": {"alpha": 2.0},
    "NonzeroSignLog": {"alpha": 0.7},
    "ERF": {"alpha": 1.3},
    "PiecewiseLeakyRelu": {"c": 0.05, "w": 0.8},
    "SquarewaveFourierSeries": {"n": 4, "t_period": 5.0},
    "S2NN": {"alpha": 3.0, "beta": 0.6, "epsilon": 1e-6},
    "QPseudoSpike": {"alpha": 3.5},
    "LeakyRelu": {"alpha": 0.2, "beta": 0.7},
    "LogTailedRelu": {"alpha": 0.1},
    "ReluGrad": {"alpha": 0.3, "width": 1.4},
    "GaussianGrad": {"sigma": 0.8, "alpha": 1.2},
    "MultiGaussianGrad": {"h": 0.3, "s": 4.0, "sigma": 0.7, "scale": 0.9},
    "InvSquareGrad": {"alpha": 7.0},
    "SlayerGrad": {"alpha": 1.0},
    "SuperSpike": {"beta": 10.0},
    "Triangular": {"width": 0.6},
    "Boxcar": {"width": 1.3},
    "StraightThrough": {},
    "Tanh": {"alpha": 1.3},
    "SpikeRateEscape": {"beta": 2.0, "slope": 3.0},
    "Circ": {"alpha": 0.4},
}

BRAINTOOLS_NAMES = (
    "Sigmoid",
    "PiecewiseQuadratic",
    "PiecewiseExp",
    "SoftSign",
    "Arctan",
    "NonzeroSignLog",
    "ERF",
    "PiecewiseLeakyRelu",
    "SquarewaveFourierSeries",
    "S2NN",
    "QPseudoSpike",
    "LeakyRelu",
    "LogTailedRelu",
    "ReluGrad",
    "GaussianGrad",
    "MultiGaussianGrad",
    "InvSquareGrad",
    "SlayerGrad",
)
