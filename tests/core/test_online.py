"""core.online: e-prop and OTTT against direct implementations of the papers and BPTT."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from core import neuron, online, optim, surrogate

T, B, N_IN, N_H, N_OUT = 7, 3, 4, 5, 2
SLOPE = 4.0
SPIKE = surrogate.Sigmoid(alpha=SLOPE)


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """The logistic surrogate's derivative, written out: a sigma(a x) (1 - sigma(a x))."""
    s = 1.0 / (1.0 + np.exp(-SLOPE * x))
    return SLOPE * s * (1.0 - s)


def mse(y: jax.Array, target: tuple[jax.Array, jax.Array]) -> jax.Array:
    """0.5 c_t |y_t - y*_t|^2: c_t weights the step (0 everywhere but T-1: last-step loss)."""
    goal, weight = target
    return 0.5 * weight * jnp.sum((y - goal) ** 2)


def problem(seed: int, recurrent: bool = False) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """float64 parameters, inputs (T, B, N_IN) and targets (T, B, N_OUT)."""
    rng = np.random.default_rng(seed)
    params = {
        "w_in": rng.normal(0.0, 1.2, (N_IN, N_H)),
        "b_in": rng.normal(0.3, 0.2, N_H),
        "w_out": rng.normal(0.0, 1.0, (N_H, N_OUT)),
        "b_out": rng.normal(0.0, 0.1, N_OUT),
    }
    if recurrent:
        params["w_rec"] = rng.normal(0.0, 0.5, (N_H, N_H))
    xs = rng.uniform(0.0, 2.0, (T, B, N_IN))
    goals = rng.normal(0.0, 1.0, (T, B, N_OUT))
    return params, xs, goals


def direct(
    kind: str,
    params: dict[str, np.ndarray],
    xs: np.ndarray,
    goals: np.ndarray,
    weights: np.ndarray,
    *,
    alpha: float,
    kappa: float,
    rho: float = 0.0,
    beta: float = 0.0,
    feedback: np.ndarray | None = None,
    rule: str = "eprop",
) -> dict[str, np.ndarray]:
    """The papers' formulas, in NumPy float64, one time step after another.

    LIF (threshold 1, soft reset not differentiated): e_ji,t = psi_j,t xbar_i,t with
    xbar_t = alpha xbar_{t-1} + (1 - alpha) p_t. ALIF (Bellec et al. 2020, Methods, in
    this library's order a_t = rho b_{t-1}, threshold 1 + beta a_t, b_t = a_t + s_t):
    e_t = psi_t (eps^v_t - beta rho eps^a_{t-1}),
    eps^a_t = psi_t eps^v_t + (rho - psi_t beta rho) eps^a_{t-1}. e-prop: the gradient is
    sum_t L_t F_kappa(e)_t with L = dl/dy B^T. OTTT (Xiao et al. 2022): ahat_t =
    alpha ahat_{t-1} + p_t and the gradient sum_t ahat_t (dl_t/du_t), dl_t/du_t =
    (1 - kappa) L_t psi_t (1 - alpha) for the input current I_t.
    """
    w_in, w_out = params["w_in"], params["w_out"]
    w_rec = params.get("w_rec")
    back = w_out if feedback is None else feedback
    v = np.zeros((B, N_H))
    b = np.zeros((B, N_H))
    s = np.zeros((B, N_H))
    y = np.zeros((B, N_OUT))
    keys = [k for k in ("w_in", "w_rec", "b_in") if k in params]
    n_pre = {"w_in": N_IN, "w_rec": N_H, "b_in": 1}
    eps_v = {k: np.zeros((B, n_pre[k], N_H)) for k in keys}
    eps_a = {k: np.zeros((B, n_pre[k], N_H)) for k in keys}
    ebar = {k: np.zeros((B, n_pre[k], N_H)) for k in keys}
    ahat = {k: np.zeros((B, n_pre[k])) for k in keys}
    sbar, bbar = np.zeros((B, N_H)), np.zeros((B, 1))
    grads = {k: np.zeros_like(np.asarray(v_)) for k, v_ in params.items()}
    for t in range(xs.shape[0]):
        pre = {"w_in": xs[t], "w_rec": s, "b_in": np.ones((B, 1))}
        current = xs[t] @ w_in + params["b_in"]
        if w_rec is not None:
            current = current + s @ w_rec
        a = rho * b
        u = alpha * v + (1.0 - alpha) * current
        threshold = 1.0 + beta * a
        s = (u >= threshold).astype(np.float64)
        psi = sigmoid_grad(u - threshold)
        v = u - s
        b = a + s
        y = kappa * y + (1.0 - kappa) * (s @ w_out + params["b_out"])
        dy = weights[t] * (y - goals[t])
        signal = dy @ back.T
        for k in keys:
            p = pre[k][:, :, None]
            eps_v[k] = alpha * eps_v[k] + (1.0 - alpha) * p
            e = psi[:, None, :] * (eps_v[k] - beta * rho * eps_a[k])
            eps_a[k] = psi[:, None, :] * eps_v[k] + (rho - psi[:, None, :] * beta * rho) * eps_a[k]
            ebar[k] = kappa * ebar[k] + (1.0 - kappa) * e
            ahat[k] = alpha * ahat[k] + pre[k]
            if rule == "eprop":
                g = np.einsum("bj,bij->ij", signal, ebar[k])
            else:
                g = ahat[k].T @ ((1.0 - kappa) * signal * psi * (1.0 - alpha))
            grads[k] += g[0] if k == "b_in" else g
        sbar = kappa * sbar + (1.0 - kappa) * s
        bbar = kappa * bbar + (1.0 - kappa)
        grads["w_out"] += sbar.T @ dy
        grads["b_out"] += (bbar * dy).sum(0)
    return grads


def lif(**kw: Any) -> neuron.LIF:
    return neuron.LIF(N_H, tau=3.0, spike_fun=SPIKE, **kw)


def alif(**kw: Any) -> neuron.ALIF:
    return neuron.ALIF(N_H, tau=3.0, tau_a=4.0, beta=0.7, spike_fun=SPIKE, **kw)


ALPHA, RHO, KAPPA = float(np.exp(-1 / 3)), float(np.exp(-1 / 4)), float(np.exp(-1 / 2))


def close(ours: dict[str, jax.Array], reference: dict[str, Any]) -> None:
    assert set(ours) == set(reference)
    for key in reference:
        np.testing.assert_allclose(np.asarray(ours[key]), reference[key], rtol=1e-9, atol=1e-12)


def online_against_direct(
    rule: online.Rule,
    cell: Any,
    kind: str,
    seed: int,
    weights: np.ndarray,
    *,
    recurrent: bool = False,
    leaky: bool = False,
    rho: float = 0.0,
    beta: float = 0.0,
    feedback: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], online.OnlineResult]:
    """``online_grad`` of sum_t mse on ``problem(seed)``, checked against :func:`direct`.

    ``leaky`` adds a LeakyReadout of tau 2 (kappa = KAPPA); returns the reference
    gradients and the online result.
    """
    params, xs, goals = problem(seed, recurrent=recurrent)
    grads, result = online.online_grad(
        rule,
        cell,
        jax.tree.map(jnp.asarray, params),
        jnp.asarray(xs),
        (jnp.asarray(goals), jnp.asarray(weights)),
        loss_fn=mse,
        readout=neuron.LeakyReadout(N_OUT, tau=2.0) if leaky else None,
        feedback=None if feedback is None else jnp.asarray(feedback),
    )
    expected = direct(
        kind, params, xs, goals, weights, alpha=ALPHA, kappa=KAPPA if leaky else 0.0,
        rho=rho, beta=beta, feedback=feedback, rule=rule,
    )  # fmt: skip
    close(grads, expected)
    return expected, result


@pytest.mark.parametrize("rule", ["eprop", "ottt"])
def test_last_step_loss_matches_the_papers_formulas(rule: online.Rule) -> None:
    """One LIF layer, non-leaky linear readout, a loss at the last step only."""
    with jax.enable_x64(True):
        weights = np.zeros(T)
        weights[-1] = 1.0
        expected, result = online_against_direct(rule, lif(detach_reset=True), "lif", 0, weights)
        assert np.abs(expected["w_in"]).max() > 1e-3  # the hidden layer did get a gradient
        assert result.losses[:-1].sum() == 0.0 and result.losses[-1] > 0.0


@pytest.mark.parametrize("rule", ["eprop", "ottt"])
def test_recurrent_alif_and_random_feedback_match_the_papers_formulas(
    rule: online.Rule,
) -> None:
    """ALIF (e-prop's adaptive eligibility) or LIF (OTTT), recurrent, leaky readout."""
    with jax.enable_x64(True):
        feedback = np.random.default_rng(5).normal(size=(N_H, N_OUT))
        cell, rho, beta = (
            (alif(detach_reset=True), RHO, 0.7)
            if rule == "eprop"
            else (lif(detach_reset=True), 0.0, 0.0)
        )
        online_against_direct(
            rule, cell, "alif", 1, np.ones(T), recurrent=True, leaky=True, rho=rho, beta=beta,
            feedback=feedback,
        )  # fmt: skip


def bptt_grads(
    cell: Any, readout: neuron.LeakyReadout | None, params: Any, xs: Any, goals: Any
) -> Any:
    """Plain BPTT (jax.grad through core.neuron.run) of sum_t mse(y_t, goal_t)."""

    def total(p: Any) -> jax.Array:
        def step(carry: Any, x: jax.Array) -> tuple[Any, jax.Array]:
            h, y = carry
            h, s = cell.update(h, x @ p["w_in"] + p["b_in"])
            drive = s @ p["w_out"] + p["b_out"]
            y = drive if readout is None else readout.update(y, drive)[1]
            return (h, y), y

        start = (cell.init(B, jnp.float64), jnp.zeros((B, N_OUT)))
        _, ys = neuron.run(step, start, xs)
        return 0.5 * jnp.sum((ys - goals) ** 2)

    return jax.grad(total)(params)


@pytest.mark.parametrize(
    ("make", "leaky"),
    [
        (lambda: lif(detach_reset=True), False),
        (lambda: lif(detach_reset=True), True),
        (lambda: lif(reset="hard"), False),
        (lambda: alif(detach_reset=True), True),
    ],
    ids=["lif", "lif-leaky-readout", "lif-hard-reset-not-detached", "alif-leaky-readout"],
)
def test_eprop_and_ottt_equal_bptt_where_their_factorisation_is_exact(
    make: Any, leaky: bool
) -> None:
    """One feedforward layer, a loss at every step: e-prop's gradient is BPTT's."""
    with jax.enable_x64(True):
        params, xs, goals = problem(2)
        params = jax.tree.map(jnp.asarray, params)
        cell, readout = make(), neuron.LeakyReadout(N_OUT, tau=2.0) if leaky else None

        def grad(rule: online.Rule) -> dict[str, jax.Array]:
            targets = (jnp.asarray(goals), jnp.ones(T))
            return online.online_grad(
                rule, cell, params, jnp.asarray(xs), targets, loss_fn=mse, readout=readout
            )[0]

        grads, ottt = grad("eprop"), grad("ottt")
        expected = bptt_grads(cell, readout, params, jnp.asarray(xs), jnp.asarray(goals))
        close(grads, jax.tree.map(np.asarray, expected))
        np.testing.assert_allclose(ottt["w_out"], expected["w_out"], rtol=1e-9)
        if not leaky and cell.detach_reset and isinstance(cell, neuron.LIF):
            close(ottt, jax.tree.map(np.asarray, expected))  # OTTT is exact here too
        else:  # OTTT drops the readout's memory / the reset's derivative: approximate
            assert not np.allclose(ottt["w_in"], expected["w_in"], rtol=1e-3)


def test_online_train_updates_every_k_steps_like_a_manual_loop() -> None:
    params, xs, goals = problem(3)
    params = jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), params)
    xs32, targets = jnp.asarray(xs, jnp.float32), (jnp.asarray(goals, jnp.float32), jnp.ones(T))
    cell, tx = lif(detach_reset=True), optim.sgd(0.1)
    train = jax.jit(online.online_train, static_argnames=("rule", "tx", "every", "loss_fn"))
    trained, _, result = train(
        "eprop", cell, params, tx.init(params), xs32, targets, tx=tx, every=4, loss_fn=mse
    )
    manual, state, losses = params, None, list[jax.Array]()
    grad = jax.jit(online.online_grad, static_argnames=("rule", "loss_fn"))
    for start in range(0, T, 4):
        part = jax.tree.map(lambda a, i=start: a[i : i + 4], (xs32, targets))
        grads, res = grad("eprop", cell, manual, *part, loss_fn=mse, state=state)
        manual = jax.tree.map(lambda p, g: p - 0.1 * g, manual, grads)
        state, losses = res.state, [*losses, res.losses]
    for key in params:
        np.testing.assert_allclose(trained[key], manual[key], rtol=1e-5, atol=1e-6)
        assert not np.allclose(trained[key], params[key])
    np.testing.assert_allclose(result.losses, jnp.concatenate(losses), rtol=1e-5)


def test_step_functions_jit_and_return_a_gradient_per_step() -> None:
    params, xs, goals = problem(4)
    params = jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), params)
    cell = lif()
    step = jax.jit(online.ottt_step, static_argnames=("loss_fn", "readout", "feedback"))
    state = online.ottt_init(cell, params, B)
    state, grads, out = step(
        cell,
        params,
        state,
        jnp.asarray(xs[0], jnp.float32),
        (jnp.asarray(goals[0], jnp.float32), 1.0),
        loss_fn=mse,
    )
    assert list(grads) == list(params)
    assert out.y.shape == (B, N_OUT) and out.spikes.shape == (B, N_H)
    assert all(g.dtype == jnp.float32 for g in jax.tree.leaves(grads))


def test_bad_input_is_refused_with_the_argument_named() -> None:
    params = {"w_in": jnp.ones((N_IN, N_H)), "w_out": jnp.ones((N_H, N_OUT))}
    xs, targets = jnp.ones((T, B, N_IN)), (jnp.zeros((T, B, N_OUT)), jnp.ones(T))
    with pytest.raises(ValueError, match="rule"):
        online.online_grad("bptt", lif(), params, xs, targets, loss_fn=mse)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="params\\['w_out'\\]"):
        online.eprop_init(lif(), {**params, "w_out": jnp.ones((N_H + 1, N_OUT))})
    with pytest.raises(ValueError, match="unknown \\['w'\\]"):
        online.eprop_init(lif(), {**params, "w": jnp.ones(2)})
    with pytest.raises(TypeError, match="cell"):
        online.ottt_init(object(), params)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="readout"):
        online.eprop_init(lif(), params, readout=neuron.LeakyReadout(N_OUT, learn_tau=True))
    with pytest.raises(ValueError, match="one tau"):
        online.ottt_init(neuron.LIF(N_H, tau=np.arange(1.0, N_H + 1)), params)
    with pytest.raises(ValueError, match="feedback"):
        online.online_grad(
            "eprop", lif(), params, xs, targets, loss_fn=mse, feedback=jnp.ones((N_OUT, N_H))
        )
    with pytest.raises(ValueError, match="every"):
        online.online_train(
            "ottt", lif(), params, None, xs, targets, tx=optim.sgd(0.1), every=0, loss_fn=mse
        )
    with pytest.raises(ValueError, match="scalar"):
        online.online_grad("ottt", lif(), params, xs, targets, loss_fn=lambda y, t: y)
