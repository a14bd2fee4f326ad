"""L-BFGS: the two-loop preconditioner, a backtracking (Armijo) line search and their chain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp

from core._validation import as_int, check_real, check_same_structure

from . import _tree as tu
from ._base import (
    GradientTransformation,
    NeedsParams,
    OptState,
    Params,
    ScalarOrSchedule,
    TransformLike,
    Updates,
    call_update,
    chain,
)
from ._named import named_optimizer
from ._scale import scale, scale_by_learning_rate


def _vdot(a: Any, b: Any) -> jax.Array:
    def one(x: jax.Array, y: jax.Array) -> jax.Array:
        dtype = tu.wider(tu.wider(x.dtype, y.dtype), jnp.float32)
        return jnp.vdot(x.astype(dtype), y.astype(dtype)).real.astype(jnp.float32)

    parts = [one(x, y) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True)]
    return sum(parts, start=jnp.zeros([], jnp.float32))


def _axpy(a: jax.Array, x: Any, y: Any) -> Any:
    """``y + a * x`` leaf by leaf, in each leaf's dtype."""
    return jax.tree.map(lambda xi, yi: yi + a.astype(yi.dtype) * xi.astype(yi.dtype), x, y)


class ScaleByLBFGSState(NamedTuple):
    """Previous params and gradients, and the ring buffers of their differences."""

    count: jax.Array  # type: ignore[assignment]  # shadows tuple.count, as in optax
    params: Params
    updates: Updates
    diff_params_memory: Any
    diff_updates_memory: Any
    weights_memory: jax.Array


class _ScaleByLBFGS(NeedsParams):
    memory_size: int = eqx.field(static=True)
    scale_init_precond: bool = eqx.field(static=True)
    public_name = "scale_by_lbfgs"

    def init(self, params: Params) -> OptState:
        zeros = tu.zeros_like(params)
        stacked = jax.tree.map(lambda p: jnp.zeros((self.memory_size, *p.shape), p.dtype), zeros)
        return ScaleByLBFGSState(
            tu.zero_count(),
            zeros,
            zeros,
            stacked,
            stacked,
            jnp.zeros(self.memory_size, jnp.float32),
        )

    def step(self, updates: Updates, state: OptState, params: Params) -> tuple[Updates, OptState]:
        check_same_structure("updates", updates, state.updates)
        given = updates
        # computed (and remembered) in the state's dtypes; the result goes back to the updates'
        updates = jax.tree.map(lambda g, h: g.astype(h.dtype), updates, state.updates)
        m = self.memory_size
        idx = state.count % m
        prev_idx = (state.count - 1) % m
        started = state.count > 0
        dp = jax.tree.map(
            lambda p, q: jnp.where(started, p - q, jnp.zeros_like(p)), params, state.params
        )
        du = jax.tree.map(
            lambda g, h: jnp.where(started, g - h, jnp.zeros_like(g)), updates, state.updates
        )
        curvature = _vdot(du, dp)
        # pairs without positive curvature (non-convex regions) are left out, as usual for
        # L-BFGS; on convex problems this is optax's update exactly
        positive = curvature > 0.0
        weight = jnp.where(positive, 1.0 / jnp.where(positive, curvature, 1.0), 0.0)
        dp_mem = jax.tree.map(lambda mem, x: mem.at[prev_idx].set(x), state.diff_params_memory, dp)
        du_mem = jax.tree.map(lambda mem, x: mem.at[prev_idx].set(x), state.diff_updates_memory, du)
        w_mem = state.weights_memory.at[prev_idx].set(jnp.where(started, weight, 0.0))
        if self.scale_init_precond:
            denom = _vdot(du, du)
            gamma = jnp.where(positive & (denom > 0.0), curvature / denom, 1.0)
            first = jnp.minimum(1.0, 1.0 / jnp.sqrt(_vdot(updates, updates)))
            gamma = jnp.where(started, gamma, first)
        else:
            gamma = jnp.ones([], jnp.float32)
        order = (idx + jnp.arange(m, dtype=idx.dtype)) % m

        def backward(vec: Any, i: jax.Array) -> tuple[Any, jax.Array]:
            s, y = (jax.tree.map(lambda x: x[i], mem) for mem in (dp_mem, du_mem))
            alpha = w_mem[i] * _vdot(s, vec)
            return _axpy(-alpha, y, vec), alpha

        vec, alphas = jax.lax.scan(backward, updates, order, reverse=True)
        vec = jax.tree.map(lambda v: v * gamma.astype(v.dtype), vec)

        def forward(vec: Any, i_alpha: tuple[jax.Array, jax.Array]) -> tuple[Any, None]:
            i, alpha = i_alpha
            s, y = (jax.tree.map(lambda x: x[i], mem) for mem in (dp_mem, du_mem))
            beta = w_mem[i] * _vdot(y, vec)
            return _axpy(alpha - beta, s, vec), None

        vec, _ = jax.lax.scan(forward, vec, (order, alphas))
        new_state = ScaleByLBFGSState(
            tu.increment(state.count), params, updates, dp_mem, du_mem, w_mem
        )
        return jax.tree.map(lambda v, g: v.astype(g.dtype), vec, given), new_state


def scale_by_lbfgs(
    memory_size: int = 10, scale_init_precond: bool = True
) -> GradientTransformation:
    r"""Precondition updates by the L-BFGS inverse-Hessian estimate (two-loop recursion).

    With :math:`s_i = \theta_{i+1} - \theta_i`, :math:`y_i = g_{i+1} - g_i` and
    :math:`\rho_i = 1 / \langle y_i, s_i\rangle` over the last ``memory_size`` pairs,
    :math:`u_t = H_t g_t` where :math:`H_t` is the BFGS update of
    :math:`\gamma_t I`, :math:`\gamma_t = \langle s, y\rangle / \langle y, y\rangle`.

    Args:
        memory_size: number of stored pairs, >= 1.
        scale_init_precond: use :math:`\gamma_t` (else the identity).

    Returns:
        The transform (needs ``params``); its output is an ascent direction.

    Example:
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> tx = optim.scale_by_lbfgs()
        >>> p = jnp.array([1.0, 2.0])
        >>> u, _ = tx.update(jnp.array([3.0, 4.0]), tx.init(p), p)
        >>> print(jnp.round(u, 3))  # first step: normalised gradient
        [0.6 0.8]

    References:
        Nocedal & Wright, *Numerical Optimization*, 2006, algorithm 7.4.
    """
    as_int("memory_size", memory_size, minimum=1)
    return _ScaleByLBFGS(memory_size, scale_init_precond)


class BacktrackingState(NamedTuple):
    """The accepted step size and the loss at the accepted point."""

    learning_rate: jax.Array
    value: jax.Array
    num_linesearch_steps: jax.Array


class _Backtracking(GradientTransformation):
    slope_rtol: float
    decrease_factor: float
    increase_factor: float
    max_learning_rate: float
    max_backtracking_steps: int = eqx.field(static=True)

    def init(self, params: Params) -> OptState:
        del params
        f32 = jnp.float32
        return BacktrackingState(jnp.ones([], f32), jnp.asarray(jnp.inf, f32), tu.zero_count())

    def update(
        self, updates: Updates, state: OptState, params: Params | None = None, **extra: Any
    ) -> tuple[Updates, OptState]:
        value_fn: Callable[[Params], jax.Array] | None = extra.get("value_fn")
        value = extra.get("value")
        grad = extra.get("grad")
        if params is None or value_fn is None or value is None or grad is None:
            raise ValueError(
                "the line search needs params and the extra arguments value (the loss at params), "
                "value_fn (params -> loss) and grad: update(g, state, params, value=loss, "
                "grad=g, value_fn=loss_fn)."
            )
        value = jnp.asarray(value, jnp.float32)
        slope = _vdot(updates, grad)

        def error(lr: jax.Array, new_value: jax.Array) -> jax.Array:
            err = new_value - value - lr * self.slope_rtol * slope
            return jnp.maximum(jnp.where(jnp.isnan(err), jnp.inf, err), 0.0)

        def cond(carry: tuple[jax.Array, jax.Array, jax.Array, jax.Array]) -> jax.Array:
            _, _, err, it = carry
            return (err > 0.0) & (it <= self.max_backtracking_steps)

        def body(carry: tuple[jax.Array, jax.Array, jax.Array, jax.Array]) -> Any:
            lr, _, _, it = carry
            lr = jnp.where(it > 0, self.decrease_factor * lr, lr)
            new_value = jnp.asarray(value_fn(_axpy(lr, updates, params)), jnp.float32)
            return lr, new_value, error(lr, new_value), it + 1

        lr0 = jnp.minimum(self.increase_factor * state.learning_rate, self.max_learning_rate)
        init = (lr0, value, jnp.asarray(jnp.inf, jnp.float32), tu.zero_count())
        lr, new_value, err, it = jax.lax.while_loop(cond, body, init)
        lr = jnp.where(jnp.isinf(err), 0.0, lr)
        out = jax.tree.map(lambda u: u * lr.astype(u.dtype), updates)
        return out, BacktrackingState(lr, new_value, it)


def scale_by_backtracking_linesearch(
    max_backtracking_steps: int = 15,
    slope_rtol: float = 1e-4,
    decrease_factor: float = 0.8,
    increase_factor: float = 1.5,
    max_learning_rate: float = 1.0,
) -> GradientTransformation:
    r"""Backtracking line search: shrink the step until the Armijo condition holds.

    Starting from :math:`\min(c_+ \eta_{t-1}, \eta_{\max})`, multiply by :math:`c_-` until

    .. math::

        f(\theta + \eta u) \le f(\theta) + c\,\eta\,\langle u, \nabla f(\theta)\rangle

    Needs the extra arguments ``value`` (loss at ``params``), ``grad`` and ``value_fn``.

    Args:
        max_backtracking_steps: at most this many shrinks.
        slope_rtol: :math:`c`.
        decrease_factor: :math:`c_-`.
        increase_factor: :math:`c_+`.
        max_learning_rate: :math:`\eta_{\max}`.

    Returns:
        The transform.

    Example:
        >>> import jax
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> f = lambda p: jnp.sum(p**2)
        >>> tx = optim.scale_by_backtracking_linesearch()
        >>> p = jnp.array([1.0])
        >>> g = jax.grad(f)(p)
        >>> u, s = tx.update(-g, tx.init(p), p, value=f(p), grad=g, value_fn=f)
        >>> print(jnp.round(u, 3), round(float(s.learning_rate), 2))
        [-1.6] 0.8
    """
    as_int("max_backtracking_steps", max_backtracking_steps, minimum=0)
    check_real("decrease_factor", decrease_factor, low=0, low_open=True)
    check_real("slope_rtol", slope_rtol, low=0)
    check_real("increase_factor", increase_factor, low=0, low_open=True)
    check_real("max_learning_rate", max_learning_rate, low=0, low_open=True)
    return _Backtracking(
        slope_rtol, decrease_factor, increase_factor, max_learning_rate, max_backtracking_steps
    )


class _WithGrad(GradientTransformation):
    """Pass the incoming gradient on as the ``grad`` extra argument (for the line search)."""

    inner: TransformLike

    def init(self, params: Params) -> OptState:
        return self.inner.init(params)

    def update(
        self, updates: Updates, state: OptState, params: Params | None = None, **extra: Any
    ) -> tuple[Updates, OptState]:
        extra.setdefault("grad", updates)
        return call_update(self.inner, updates, state, params, extra)


@named_optimizer
def lbfgs(
    learning_rate: ScalarOrSchedule = 1.0,
    memory_size: int = 10,
    scale_init_precond: bool = True,
    linesearch: TransformLike | str | None = "backtracking",
) -> GradientTransformation:
    r"""L-BFGS with a backtracking line search driven by ``value`` / ``value_fn``.

    .. math::

        \theta_{t+1} = \theta_t - \eta_t\, \alpha\, H_t g_t

    with :math:`\alpha` from :func:`scale_by_backtracking_linesearch`. Call
    ``update(grads, state, params, value=loss, value_fn=loss_fn)``.

    Args:
        learning_rate: :math:`\alpha` scale before the line search (number or schedule).
        memory_size: stored pairs.
        scale_init_precond: scale the initial inverse Hessian.
        linesearch: ``"backtracking"`` (default), ``None`` (no line search), or a transform.

    Returns:
        The optimizer.

    Example:
        >>> import jax
        >>> import jax.numpy as jnp
        >>> from core import optim
        >>> f = lambda p: jnp.sum((p - 3.0) ** 2 * jnp.array([1.0, 10.0]))
        >>> tx = optim.lbfgs()
        >>> p = jnp.zeros(2)
        >>> state = tx.init(p)
        >>> for _ in range(5):
        ...     value, g = jax.value_and_grad(f)(p)
        ...     u, state = tx.update(g, state, p, value=value, value_fn=f)
        ...     p = optim.apply_updates(p, u)
        >>> print([round(float(x), 3) for x in p])
        [3.0, 3.0]

    References:
        Liu & Nocedal, *On the limited memory BFGS method for large scale optimization*, 1989.
    """
    search: TransformLike
    if linesearch == "backtracking":
        search = scale_by_backtracking_linesearch()
    elif linesearch is None:
        search = scale(1.0)
    elif isinstance(linesearch, str):
        raise ValueError(
            f"linesearch must be 'backtracking', None or a transform, got {linesearch!r}."
        )
    else:
        search = linesearch
    return _WithGrad(
        chain(
            scale_by_lbfgs(memory_size, scale_init_precond),
            scale_by_learning_rate(learning_rate),
            search,
        )
    )
