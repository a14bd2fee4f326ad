"""braintools-style optimizers on brainstate states, as thin shells over :mod:`core.optim`.

``import facade as braintools`` gives the "Training Utilities" page's
``braintools.optim.Adam(learning_rate=1e-3)``, ``register_trainable_weights`` and
``update(grads)``. Every number comes from a :mod:`core.optim` kernel.
"""

from __future__ import annotations

from ._checkpoint import Checkpoint as Checkpoint
from ._checkpoint import CheckpointError as CheckpointError
from ._checkpoint import Stateful as Stateful
from ._checkpoint import load_checkpoint as load_checkpoint
from ._checkpoint import save_checkpoint as save_checkpoint
from ._named import SGD as SGD
from ._named import Adam as Adam
from ._named import AdamW as AdamW
from ._named import NamedOptimizer as NamedOptimizer
from ._named import RMSprop as RMSprop
from ._named_adaptive import AdaBelief as AdaBelief
from ._named_adaptive import Adadelta as Adadelta
from ._named_adaptive import Adagrad as Adagrad
from ._named_adaptive import Adamax as Adamax
from ._named_adaptive import Nadam as Nadam
from ._named_adaptive import RAdam as RAdam
from ._named_adaptive import Yogi as Yogi
from ._named_layerwise import SM3 as SM3
from ._named_layerwise import Adafactor as Adafactor
from ._named_layerwise import Lamb as Lamb
from ._named_layerwise import Novograd as Novograd
from ._named_other import Fromage as Fromage
from ._named_other import Lars as Lars
from ._named_other import Lion as Lion
from ._named_other import Momentum as Momentum
from ._named_other import MomentumNesterov as MomentumNesterov
from ._named_other import Rprop as Rprop
from ._named_wrappers import LBFGS as LBFGS
from ._named_wrappers import Lookahead as Lookahead
from ._optax_optimizer import OptaxOptimizer as OptaxOptimizer
from ._optimizer import Optimizer as Optimizer
from ._optimizer_lr import LRSchedulerLike as LRSchedulerLike
from ._states import UniqueStateManager as UniqueStateManager

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "Stateful",
    "load_checkpoint",
    "save_checkpoint",
    "LBFGS",
    "SM3",
    "AdaBelief",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adamax",
    "Fromage",
    "Lamb",
    "Lars",
    "Lion",
    "Lookahead",
    "Momentum",
    "MomentumNesterov",
    "Nadam",
    "Novograd",
    "RAdam",
    "Rprop",
    "Yogi",
    "SGD",
    "Adam",
    "AdamW",
    "LRSchedulerLike",
    "NamedOptimizer",
    "OptaxOptimizer",
    "Optimizer",
    "RMSprop",
    "UniqueStateManager",
]

# --- LR schedulers (owned by the LR-scheduler helper: facade/optim/_scheduler*.py) ---
from ._scheduler_base import LRScheduler as LRScheduler
from ._schedulers_composite import ChainedScheduler as ChainedScheduler
from ._schedulers_composite import ReduceLROnPlateau as ReduceLROnPlateau
from ._schedulers_composite import SequentialLR as SequentialLR
from ._schedulers_cyclic import (
    CosineAnnealingWarmRestarts as CosineAnnealingWarmRestarts,
)
from ._schedulers_cyclic import CyclicLR as CyclicLR
from ._schedulers_cyclic import OneCycleLR as OneCycleLR
from ._schedulers_cyclic import WarmupCosineSchedule as WarmupCosineSchedule
from ._schedulers_cyclic import WarmupScheduler as WarmupScheduler
from ._schedulers_decay import ConstantLR as ConstantLR
from ._schedulers_decay import CosineAnnealingLR as CosineAnnealingLR
from ._schedulers_decay import ExponentialDecayLR as ExponentialDecayLR
from ._schedulers_decay import ExponentialLR as ExponentialLR
from ._schedulers_decay import LinearLR as LinearLR
from ._schedulers_decay import MultiStepLR as MultiStepLR
from ._schedulers_decay import (
    PiecewiseConstantSchedule as PiecewiseConstantSchedule,
)
from ._schedulers_decay import PolynomialLR as PolynomialLR
from ._schedulers_decay import StepLR as StepLR

__all__ += [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialDecayLR",
    "ExponentialLR",
    "LRScheduler",
    "LinearLR",
    "MultiStepLR",
    "OneCycleLR",
    "PiecewiseConstantSchedule",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
    "WarmupCosineSchedule",
    "WarmupScheduler",
]
# --- end LR schedulers ---
