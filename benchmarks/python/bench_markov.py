"""The absorbing solve and the Monte Carlo forecast from Python, against
numpy (and PyDTMC when importable) in one run, with equality checks.

    python benchmarks/python/bench_markov.py [--states 50] [--trials 2000] [--deals 1000] [--chains 10000]

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
    ap.add_argument("--chains", type=int, default=10_000, help="many-chains batch (0: skip)")
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

    walkers = a.trials * a.deals
    # Open deals all at the entry stage: through the core directly (no log needed).
    t0 = time.perf_counter()
    r = sf._core.forecast(core, [0] * a.deals, [1.0] * a.deals, 1e12, a.trials, 1, 0.0, float("nan"),
                          float("nan"), 1e12, 1, None)
    s_sf = time.perf_counter() - t0
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
    # Both answer the same question: each deal's outcome in each trial. The
    # forecast draws it once per deal from the exact P(won by the horizon);
    # the numpy walk gets it by simulating every move (moves_np of them).
    print(f"forecast {a.trials} trials x {a.deals} deals from S0 (exact mean wins {exact:.2f}):")
    print(f"  salesfunnel, 1 thread   {s_sf:7.3f} s  {walkers / s_sf / 1e6:7.1f} M deal outcomes/s  "
          f"mean {r.mean_wins:.2f}")
    print(f"  numpy walk, vectorised  {s_np:7.3f} s  {walkers / s_np / 1e6:7.1f} M deal outcomes/s  "
          f"({moves_np / s_np / 1e6:.1f} M moves/s)  mean {mean_np:.2f}  ({s_np / s_sf:.1f}x slower)")
    if a.chains:
        many_chains(g, probs, dwell, names, a.chains)


def many_chains(g, probs, dwell, names, n):
    """n chains over one graph (each transient row's weights re-drawn around
    the base chain's): one MarkovChains call, numpy's batched solve, and a
    loop of the one-model API, answers checked equal."""
    rng = np.random.default_rng(5)
    S = len(names)
    t = S - 2
    index = {x: i for i, x in enumerate(names)}
    base = np.zeros((S, S))
    for (x, y), v in probs.items():
        base[index[x], index[y]] = v
    mask = base > 0
    p = np.zeros((n, S, S))
    for k in range(n):
        w = np.where(mask, base * rng.uniform(0.5, 1.5, (S, S)), 0.0)
        rows = w.sum(axis=1, keepdims=True)
        p[k] = np.divide(w, rows, out=np.zeros_like(w), where=rows > 0)
    d = np.tile([dwell.get(x, 0.0) for x in names], (n, 1))
    t0 = time.perf_counter()
    chains = sf.MarkovChains.from_matrices(g, p, d)
    won = chains.win_probability()
    s_sf = time.perf_counter() - t0
    t0 = time.perf_counter()
    Q = p[:, :t, :t]
    B = np.linalg.solve(np.eye(t)[None] - Q, p[:, :t, t:])
    s_np = time.perf_counter() - t0
    assert np.abs(won.to_numpy()[:, :t] - B[:, :, names.index("Won") - t]).max() < 1e-10
    loop_n = min(n, 1000)
    t0 = time.perf_counter()
    for k in range(loop_n):
        m = sf.MarkovModel.from_probabilities(
            g, {(x, y): float(p[k, index[x], index[y]]) for (x, y) in probs}, dwell_days=dwell)
        row = m.win_probability()
    s_loop = (time.perf_counter() - t0) * n / loop_n
    assert np.abs(row.to_numpy() - won.iloc[loop_n - 1].to_numpy()).max() < 1e-12
    print(f"{n} chains of {S} states, win probability of every stage (answers checked equal):")
    print(f"  salesfunnel MarkovChains.from_matrices (one call)  {s_sf:8.3f} s")
    print(f"  numpy batched solve(I - Q, R) (absorption only)     {s_np:8.3f} s  ({s_np / s_sf:.1f}x)")
    print(f"  loop of MarkovModel.from_probabilities + .win_probability() "
          f"{s_loop:8.3f} s  ({s_loop / s_sf:.1f}x; {loop_n} timed, scaled to {n})")


if __name__ == "__main__":
    main()
