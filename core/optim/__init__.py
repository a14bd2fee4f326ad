"""Pure optimizers: transforms with ``init`` / ``update``, named optimizers, schedules, wrappers.

Everything here follows one protocol (:class:`GradientTransformation`): ``init(params) ->
state`` and ``update(updates, state, params=None, **extra) -> (updates, state)``, both pure,
plus :func:`apply_updates`. The transforms are duck-type compatible with optax in both
directions. Named optimizers are compositions of small building blocks and keep their
learning rate in the state (:func:`get_learning_rate` / :func:`set_learning_rate`).

Example:
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from core import optim
    >>> tx = optim.chain(optim.clip_by_global_norm(1.0), optim.adam(learning_rate=0.1))
    >>> params = {"w": jnp.array([1.0, -2.0])}
    >>> state = tx.init(params)
    >>> grads = jax.grad(lambda p: jnp.sum(p["w"] ** 2))(params)
    >>> updates, state = tx.update(grads, state, params)
    >>> params = optim.apply_updates(params, updates)
    >>> print([round(float(x), 3) for x in params["w"]])
    [0.9, -1.9]
    >>> state = optim.set_learning_rate(state, 0.01)
    >>> print(round(float(optim.get_learning_rate(state)), 3))
    0.01
"""

from __future__ import annotations

from ._adam import scale_by_adam as scale_by_adam
from ._adam import scale_by_adamax as scale_by_adamax
from ._adam import scale_by_nadam as scale_by_nadam
from ._adam import scale_by_radam as scale_by_radam
from ._alias_adam import adabelief as adabelief
from ._alias_adam import adam as adam
from ._alias_adam import adamax as adamax
from ._alias_adam import adamw as adamw
from ._alias_adam import amsgrad as amsgrad
from ._alias_adam import lamb as lamb
from ._alias_adam import lion as lion
from ._alias_adam import nadam as nadam
from ._alias_adam import novograd as novograd
from ._alias_adam import radam as radam
from ._alias_adam import yogi as yogi
from ._alias_adaptive import adadelta as adadelta
from ._alias_adaptive import adafactor as adafactor
from ._alias_adaptive import adagrad as adagrad
from ._alias_adaptive import rmsprop as rmsprop
from ._alias_adaptive import sm3 as sm3
from ._alias_sgd import fromage as fromage
from ._alias_sgd import lars as lars
from ._alias_sgd import noisy_sgd as noisy_sgd
from ._alias_sgd import rprop as rprop
from ._alias_sgd import sgd as sgd
from ._alias_sgd import sign_sgd as sign_sgd
from ._base import EmptyState as EmptyState
from ._base import GradientTransformation as GradientTransformation
from ._base import ScalarOrSchedule as ScalarOrSchedule  # type alias (not in __all__)
from ._base import Schedule as Schedule  # type alias (not in __all__: no docstring)
from ._base import TransformLike as TransformLike
from ._base import apply_updates as apply_updates
from ._base import chain as chain
from ._base import identity as identity
from ._base import named_chain as named_chain
from ._clipping import adaptive_grad_clip as adaptive_grad_clip
from ._clipping import clip as clip
from ._clipping import clip_by_block_rms as clip_by_block_rms
from ._clipping import clip_by_global_norm as clip_by_global_norm
from ._combine import MaskedNode as MaskedNode
from ._combine import masked as masked
from ._combine import partition as partition
from ._hyperparams import InjectHyperparams as InjectHyperparams
from ._hyperparams import get_hyperparams as get_hyperparams
from ._hyperparams import get_learning_rate as get_learning_rate
from ._hyperparams import inject_hyperparams as inject_hyperparams
from ._hyperparams import set_hyperparams as set_hyperparams
from ._hyperparams import set_learning_rate as set_learning_rate
from ._lbfgs import lbfgs as lbfgs
from ._lbfgs import scale_by_backtracking_linesearch as scale_by_backtracking_linesearch
from ._lbfgs import scale_by_lbfgs as scale_by_lbfgs
from ._rms import scale_by_adadelta as scale_by_adadelta
from ._rms import scale_by_factored_rms as scale_by_factored_rms
from ._rms import scale_by_rms as scale_by_rms
from ._rms import scale_by_rss as scale_by_rss
from ._rms import scale_by_sm3 as scale_by_sm3
from ._scale import add_decayed_weights as add_decayed_weights
from ._scale import add_noise as add_noise
from ._scale import ema as ema
from ._scale import scale as scale
from ._scale import scale_by_learning_rate as scale_by_learning_rate
from ._scale import scale_by_param_block_rms as scale_by_param_block_rms
from ._scale import scale_by_schedule as scale_by_schedule
from ._scale import scale_by_sign as scale_by_sign
from ._scale import scale_by_trust_ratio as scale_by_trust_ratio
from ._scale import trace as trace
from ._sign_based import scale_by_lion as scale_by_lion
from ._sign_based import scale_by_novograd as scale_by_novograd
from ._sign_based import scale_by_rprop as scale_by_rprop
from ._wrappers import ema_params as ema_params
from ._wrappers import lookahead as lookahead
from ._wrappers import multi_steps as multi_steps
from ._wrappers import reduce_on_plateau as reduce_on_plateau
from ._wrappers import skip_not_finite as skip_not_finite
from ._yogi_belief import scale_by_belief as scale_by_belief
from ._yogi_belief import scale_by_yogi as scale_by_yogi

__all__ = [
    "EmptyState",
    "GradientTransformation",
    "InjectHyperparams",
    "MaskedNode",
    "TransformLike",
    "adabelief",
    "adadelta",
    "adafactor",
    "adagrad",
    "adam",
    "adamax",
    "adamw",
    "adaptive_grad_clip",
    "add_decayed_weights",
    "add_noise",
    "amsgrad",
    "apply_updates",
    "chain",
    "clip",
    "clip_by_block_rms",
    "clip_by_global_norm",
    "ema",
    "ema_params",
    "fromage",
    "get_hyperparams",
    "get_learning_rate",
    "identity",
    "inject_hyperparams",
    "lamb",
    "lars",
    "lbfgs",
    "lion",
    "lookahead",
    "masked",
    "multi_steps",
    "nadam",
    "named_chain",
    "noisy_sgd",
    "novograd",
    "partition",
    "radam",
    "reduce_on_plateau",
    "rmsprop",
    "rprop",
    "scale",
    "scale_by_adadelta",
    "scale_by_adam",
    "scale_by_adamax",
    "scale_by_backtracking_linesearch",
    "scale_by_belief",
    "scale_by_factored_rms",
    "scale_by_lbfgs",
    "scale_by_learning_rate",
    "scale_by_lion",
    "scale_by_nadam",
    "scale_by_novograd",
    "scale_by_param_block_rms",
    "scale_by_radam",
    "scale_by_rms",
    "scale_by_rprop",
    "scale_by_rss",
    "scale_by_schedule",
    "scale_by_sign",
    "scale_by_sm3",
    "scale_by_trust_ratio",
    "scale_by_yogi",
    "set_hyperparams",
    "set_learning_rate",
    "sgd",
    "sign_sgd",
    "skip_not_finite",
    "sm3",
    "trace",
    "yogi",
]

# --- schedules (owned by the schedules helper: core/optim/_schedules.py) ---
from ._schedules import constant_schedule as constant_schedule
from ._schedules import cosine_decay_schedule as cosine_decay_schedule
from ._schedules import exponential_decay as exponential_decay
from ._schedules import linear_schedule as linear_schedule
from ._schedules import polynomial_schedule as polynomial_schedule
from ._schedules_joined import join_schedules as join_schedules
from ._schedules_joined import sgdr_schedule as sgdr_schedule
from ._schedules_joined import warmup_constant_schedule as warmup_constant_schedule
from ._schedules_joined import warmup_cosine_decay_schedule as warmup_cosine_decay_schedule
from ._schedules_joined import (
    warmup_exponential_decay_schedule as warmup_exponential_decay_schedule,
)
from ._schedules_piecewise import cosine_onecycle_schedule as cosine_onecycle_schedule
from ._schedules_piecewise import linear_onecycle_schedule as linear_onecycle_schedule
from ._schedules_piecewise import piecewise_constant_schedule as piecewise_constant_schedule
from ._schedules_piecewise import (
    piecewise_interpolate_schedule as piecewise_interpolate_schedule,
)

__all__ += [
    "constant_schedule",
    "cosine_decay_schedule",
    "cosine_onecycle_schedule",
    "exponential_decay",
    "join_schedules",
    "linear_onecycle_schedule",
    "linear_schedule",
    "piecewise_constant_schedule",
    "piecewise_interpolate_schedule",
    "polynomial_schedule",
    "sgdr_schedule",
    "warmup_constant_schedule",
    "warmup_cosine_decay_schedule",
    "warmup_exponential_decay_schedule",
]
# --- end schedules ---

# --- epoch schedules (owned by the LR-scheduler helper: core/optim/_epoch_*.py) ---
from ._epoch_plateau import PlateauState as PlateauState  # noqa: E402
from ._epoch_plateau import plateau_init as plateau_init  # noqa: E402
from ._epoch_plateau import plateau_update as plateau_update  # noqa: E402
from ._epoch_schedules import chained_value as chained_value  # noqa: E402
from ._epoch_schedules import (  # noqa: E402
    cosine_warm_restarts_schedule as cosine_warm_restarts_schedule,
)
from ._epoch_schedules import cyclic_schedule as cyclic_schedule  # noqa: E402
from ._epoch_schedules import one_cycle_lr_schedule as one_cycle_lr_schedule  # noqa: E402

__all__ += [
    "PlateauState",
    "chained_value",
    "cosine_warm_restarts_schedule",
    "cyclic_schedule",
    "one_cycle_lr_schedule",
    "plateau_init",
    "plateau_update",
]
# --- end epoch schedules ---
