"""The absorbing solve and the Monte Carlo forecast from Python, against
numpy (and PyDTMC when importable) in one run, with equality checks.

    python benchmarks/python/bench_markov.py [--states 50] [--trials 2000] [--deals 1000]

PyDTMC pins numpy < 2 and matplotlib <= 3.7.3; keep it out of the main
environment: ``pip install --no-deps --target /tmp/pydtmc PyDTMC`` and run
with ``PYTHONPATH=/tmp/pydtmc``.

The chain: states - 2 transient stages S0..S(n-3) plus Won and Lost; each
transient stage moves forward, back to one earlier stage, to Won and to Lost
(fixed seed). Solve timings are the median of many calls.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import salesfunnel as sf


def chain(states: int, seed: int = 42):
    rng = np.random.default_rng(seed)
    t = states - 2
    names = [f"S{i}" for i in range(t)] + ["Won", "Lost"]
    g = sf.StageGraph("bench")
    for i, n in enumerate(names):
        g.add_stage(n, "entry" if i == 0 else "won" if n == "Won" else "lost" if n == "Lost" else "open")
    probs = {}
    for i in range(t):
        to = ["Won", "Lost"] + ([f"S{i + 1}"] if i + 1 < t else []) + ([f"S{rng.integers(i)}"] if i else [])
        w = rng.uniform(0.05, 1.0, len(to))
        if i + 1 < t:
            w[2] *= 6.0  # forward moves dominate, as in a real funnel
        for b, x in zip(to, w / w.sum()):
            g.add_transition(f"S{i}", b)
            probs[(f"S{i}", b)] = float(x)
    dwell = {f"S{i}": 1.0 + i % 5 for i in range(t)}
    return g, probs, dwell, names


def median_seconds(f, reps):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def numpy_forecast(P, dwell, absorbing_won, entry, walkers, rng):
    """Vectorised: every walker advances one move per loop iteration."""
    cum = np.cumsum(P, axis=1)
    state = np.full(walkers, entry)
    alive = np.ones(walkers, dtype=bool)
    moves = 0
    ends = P.sum(axis=1) == 0
    while alive.any():
        idx = np.flatnonzero(alive)
        s = state[idx]
        _ = rng.exponential(dwell[s])  # the stay, as the C++ engine samples it
        u = rng.random(len(idx))
        nxt = (u[:, None] >= cum[s]).sum(axis=1)
        nxt = np.minimum(nxt, P.shape[0] - 1)
        state[idx] = nxt
        moves += len(idx)
        alive[idx] = ~ends[nxt]
    return (absorbing_won[state]).astype(np.int64), moves


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--states", type=int, default=50)
    ap.add_argument("--reps", type=int, default=2001)
    ap.add_argument("--trials", type=int, default=2000)
    ap.add_argument("--deals", type=int, default=1000)
    a = ap.parse_args()

    g, probs, dwell, names = chain(a.states)
    model = sf.MarkovModel.from_probabilities(g, probs, dwell_days=dwell)
    P = model.transition_matrix().to_numpy()
    t = a.states - 2
    Q, R = P[:t, :t], P[:t, t:]
    B_np = np.linalg.solve(np.eye(t) - Q, R)
    B_sf = model.absorption().to_numpy()[:t]
    assert np.abs(B_np - B_sf).max() < 1e-12
    print(f"chain: {a.states} states, {len(probs)} edges; P(won | S0) = {B_sf[0, 0]:.6f}")

    core = model._m
    rows = []
    rows.append(("salesfunnel _core analyze (absorption, steps, days)",
                 median_seconds(core.analyze, a.reps)))
    rows.append(("salesfunnel MarkovModel.absorption() (pandas out)",
                 median_seconds(model.absorption, a.reps // 4)))
    # A fresh model's first win_probability() solves the chain; later calls reuse the solve.
    rows.append(("salesfunnel fresh model .win_probability() (solve + pandas)",
                 median_seconds(lambda: sf.MarkovModel(core).win_probability(), a.reps // 4)))
    rows.append(("salesfunnel .win_probability() again (solved once per model)",
                 median_seconds(model.win_probability, a.reps // 4)))
    rows.append(("numpy solve(I - Q, R)", median_seconds(lambda: np.linalg.solve(np.eye(t) - Q, R), a.reps)))
    try:
        from pydtmc import MarkovChain

        mc = MarkovChain(P + np.diag(P.sum(axis=1) == 0), names)
        B_py = np.asarray(mc.absorption_probabilities()).T
        assert np.abs(B_py - B_np).max() < 1e-10, np.abs(B_py - B_np).max()
        # PyDTMC caches properties per chain: time a fresh chain each call, as a user would.
        rows.append(("PyDTMC MarkovChain(...).absorption_probabilities()",
                     median_seconds(lambda: MarkovChain(P + np.diag(P.sum(axis=1) == 0), names)
                                    .absorption_probabilities(), max(5, a.reps // 100))))
    except ImportError:
        print("PyDTMC not importable: skipped")
    base = rows[0][1]
    for name, s in rows:
        print(f"  {name:58s} {s * 1e6:10.1f} us  {s / base:8.1f}x")

    steps = float(model.expected_steps()["S0"])
    walkers = a.trials * a.deals
    # Open deals all at the entry stage: through the core directly (no log needed).
    t0 = time.perf_counter()
    r = sf._core.forecast(core, [0] * a.deals, [1.0] * a.deals, 1e12, a.trials, 1, 0.0, float("nan"),
                          float("nan"), 1e12, 1, None)
    s_sf = time.perf_counter() - t0
    moves = walkers * steps
    won = np.zeros(a.states)
    won[names.index("Won")] = 1
    t0 = time.perf_counter()
    w_np, moves_np = numpy_forecast(P, np.asarray([dwell.get(n, 0.0) for n in names]), won, 0,
                                    walkers, np.random.default_rng(1))
    s_np = time.perf_counter() - t0
    exact = a.deals * B_sf[0, 0]
    mean_np = w_np.reshape(a.trials, a.deals).sum(axis=1).mean()
    # Both means within 4.5 standard errors of the exact value (the check is on correctness, not speed).
    se = np.sqrt(a.deals * B_sf[0, 0] * (1 - B_sf[0, 0]) / a.trials)
    assert abs(r.mean_wins - exact) < 4.5 * se and abs(mean_np - exact) < 4.5 * se
    print(f"forecast {a.trials} trials x {a.deals} deals from S0 (exact mean wins {exact:.2f}):")
    print(f"  salesfunnel, 1 thread   {s_sf:7.3f} s  {moves / s_sf / 1e6:7.1f} M transitions/s  "
          f"mean {r.mean_wins:.2f}")
    print(f"  numpy vectorised        {s_np:7.3f} s  {moves_np / s_np / 1e6:7.1f} M transitions/s  "
          f"mean {mean_np:.2f}  ({s_np / s_sf:.1f}x slower)")


if __name__ == "__main__":
    main()
