"""The learning rates a transform keeps itself, and whether a facade ``lr`` may drive them.

A :mod:`core.optim` named optimizer (``core.optim.sgd(0.1)``, alone or inside a chain, a
partition, a wrapper) holds its learning rate in its state; an optimizer facade writes its
own ``lr`` into every such rate before each step (:func:`core.optim.set_learning_rate`).
These helpers find the transform's own rates, so that an ``lr`` the user did not give never
overwrites them, and an ``lr`` that could not drive them (a schedule) is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax

from core import optim as core_optim
from core.optim._hyperparams import hyper_states

from .._state_access import traced


@dataclass(frozen=True)
class OwnRates:
    """The learning rates found in a transform: distinct numbers and distinct schedules.

    Example:
        >>> from core import optim
        >>> from facade.optim._own_lr import own_learning_rates
        >>> rates = own_learning_rates(optim.partition(
        ...     {"a": optim.sgd(0.1), "b": optim.adam(0.01)}, {"w1": "a", "w2": "b"}))
        >>> rates.numbers, rates.single, rates.describe()
        ((0.01, 0.1), None, '0.01, 0.1')
    """

    numbers: tuple[float, ...]
    """The numeric rates, distinct and sorted."""
    schedules: tuple[Callable[..., Any], ...]
    """The rates given as schedules (distinct function objects)."""

    @property
    def single(self) -> float | None:
        """The one numeric rate, when the transform holds exactly one and no schedule."""
        return self.numbers[0] if len(self.numbers) == 1 and not self.schedules else None

    @property
    def hidden(self) -> bool:
        """Whether the walk found no rate: the transform keeps none, or hides the blocks that
        keep them in closures (an optax transform around a core optimizer)."""
        return not (self.numbers or self.schedules)

    @property
    def several(self) -> bool:
        """Whether the transform holds more than one distinct rate (numbers or schedules)."""
        return len(self.numbers) + len(self.schedules) > 1

    def describe(self) -> str:
        """The rates for messages (``0.01, 0.1, a schedule``)."""
        schedules = ["a schedule"] * len(self.schedules)
        return ", ".join([f"{rate:g}" for rate in self.numbers] + schedules)


def own_learning_rates(tx: Any) -> OwnRates:
    """The learning rates ``tx`` keeps in its state, found by walking its pytree.

    Every :class:`core.optim.InjectHyperparams` node with a ``learning_rate`` (each named
    optimizer is one) contributes its rate. A transform that hides its blocks from the pytree
    (an optax transform, which keeps them in closures) shows none.

    Args:
        tx: a :mod:`core.optim` or optax transform.

    Returns:
        The distinct numeric rates and schedules.

    Example:
        >>> from core import optim
        >>> from facade.optim._own_lr import own_learning_rates
        >>> own_learning_rates(optim.chain(optim.clip(1.0), optim.sgd(0.1))).single
        0.1
        >>> len(own_learning_rates(optim.sgd(optim.exponential_decay(1.0, 1, 0.5))).schedules)
        1
    """

    def is_named(node: object) -> bool:
        return isinstance(node, core_optim.InjectHyperparams)

    numbers: set[float] = set()
    schedules: dict[int, Callable[..., Any]] = {}
    for node in jax.tree.leaves(tx, is_leaf=is_named):
        if isinstance(node, core_optim.InjectHyperparams) and "learning_rate" in node.hyperparams:
            rate = node.hyperparams["learning_rate"]
            if callable(rate):
                schedules.setdefault(id(rate), rate)
            else:
                numbers.add(float(rate))
    return OwnRates(tuple(sorted(numbers)), tuple(schedules.values()))


def refuse_lr_for_schedules(rates: OwnRates, holder: str) -> None:
    """Refuse a given ``lr`` for a transform whose learning rate is a schedule.

    The schedule is re-evaluated at every step, so a written ``lr`` would only be reported,
    never used.

    Args:
        rates: the transform's own rates (:func:`own_learning_rates`).
        holder: the transform's argument name, for the message (``"tx"``).

    Raises:
        ValueError: naming ``lr`` when ``rates`` holds a schedule.

    Example:
        >>> from core import optim
        >>> from facade.optim._own_lr import own_learning_rates, refuse_lr_for_schedules
        >>> refuse_lr_for_schedules(own_learning_rates(optim.sgd(0.1)), "tx")  # a number: ok
    """
    if rates.schedules:
        raise ValueError(
            f"lr: {holder}'s learning rate is a schedule, which lr cannot drive; leave lr "
            f"unset to keep the schedule, or give {holder} a number"
        )


def stored_learning_rates(opt_state: Any) -> list[jax.Array]:
    """Every learning rate stored in a core optimizer state, in tree order.

    Args:
        opt_state: the state of a transform (anything containing
            :class:`core.optim.InjectHyperparamsState` nodes).

    Returns:
        The ``learning_rate`` entries (``float32`` scalars): the last ones used, or the
        initial ones before the first step.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> from facade.optim._own_lr import stored_learning_rates
        >>> tx = optim.partition({"a": optim.sgd(0.1), "b": optim.sgd(1.0)}, {"u": "a", "v": "b"})
        >>> state = tx.init({"u": jnp.zeros(1), "v": jnp.zeros(1)})
        >>> [round(float(rate), 3) for rate in stored_learning_rates(state)]
        [0.1, 1.0]
    """
    return [
        node.hyperparams["learning_rate"]
        for node in hyper_states(opt_state, nested=True)
        if "learning_rate" in node.hyperparams
    ]


def why_no_single_rate(
    owner: str, rates: OwnRates, stored: list[jax.Array] | None, *, setting: bool
) -> str:
    """Why an optimizer has no single learning rate to read (or set), for its error message.

    Args:
        owner: the optimizer's class name.
        rates: its transform's own rates (:func:`own_learning_rates`).
        stored: the rates in a group's state (:func:`stored_learning_rates`), or ``None``
            before registration.
        setting: whether the rate was to be set (else read).

    Returns:
        The message: the transform keeps no rate, several (listed), or a schedule.

    Example:
        >>> from core import optim
        >>> from facade.optim._own_lr import own_learning_rates, why_no_single_rate
        >>> tx = optim.partition({"a": optim.sgd(0.1), "b": optim.sgd(1.0)}, {"u": "a", "v": "b"})
        >>> message = why_no_single_rate("Optimizer", own_learning_rates(tx), None, setting=False)
        >>> "keeps several learning rates (0.1, 1)" in message
        True
    """
    if stored is not None:
        if not stored:
            return (
                f"the transform of this {owner} keeps no learning rate in its state; build it "
                "with a named core optimizer or core.optim.inject_hyperparams"
            )
        if rates.hidden:  # in closures: what the state holds
            if not traced(stored):
                rates = OwnRates(tuple(sorted({float(rate) for rate in stored})), ())
            if not rates.several:
                return (
                    f"the transform of this {owner} hides its learning rate (a core optimizer "
                    "inside an optax transform, perhaps with a schedule): current_lr reads the "
                    "rate of its last step from the state but cannot set it; pass lr to drive "
                    "it, or compose with core.optim.chain"
                )
    if rates.several:
        return (
            f"the transform of this {owner} keeps several learning rates ({rates.describe()}), "
            "each used for its own parameters: there is no single current_lr; pass lr to drive "
            "them all with one"
        )
    if rates.schedules:
        what = (
            "it cannot be set (build the transform with a number to set it)"
            if setting
            else "current_lr reads it from the state after register_trainable_weights"
        )
        return f"the learning rate of this {owner}'s transform is a schedule: {what}"
    return f"this {owner} has no learning rate"
