#!/usr/bin/env python3
"""Exact Erlang A (M/M/n+M) figures, computed without simulation.

Model: Poisson arrivals (rate lam), n agents with exponential handle times
(rate mu = 1/AHT), one FIFO queue, exponential patience (rate theta =
1/patience): a waiting caller leaves when its patience runs out.  No blocking,
no retrials.  All times are in seconds.

Method (written for acdsim's bench/peers; independent of acdsim's
src/erlang.rs, which uses different algorithms, so each checks the other):

1. Stationary distribution.  The number of calls in the system is a
   birth-death chain: birth rate lam, death rate min(k, n) mu +
   max(k - n, 0) theta.  Its detailed-balance ratios are multiplied out
   outward from state n (downwards to 0, upwards into the queue; rescaled if
   they would overflow) and the chain is truncated at K = n + J, the first state above the mode whose weight
   is below exp(-70) (about 4e-31) of the largest: the mass cut off is far
   below double precision.  The global balance residual of the result is
   printed as a check.

2. What an arrival sees (PASTA): with probability p_k it finds k calls.  If
   k < n it is answered at once.  If k = n + j it joins behind j waiting
   callers.  From then on its position is a continuous-time chain on
   i = j, j-1, ..., 0 (callers ahead of it): it moves up from i at rate
   r_i = n mu + i theta (an agent frees up and takes the head of the queue, or
   one of the i callers ahead abandons; at i = 0 the move is "answered"), and
   it leaves by its own abandonment at rate theta from every position.  This
   is a phase-type distribution with a lower-bidiagonal sub-generator T and
   initial vector alpha_i = p_{n+i}.

3. P(answered), the mean wait of answered calls (ASA) and of abandoned calls
   come from the linear systems (-T) u = s_answer, (-T) v = u,
   (-T) w = s_abandon (solved numerically with scipy.linalg.solve_banded):
   P(answered after waiting) = alpha.u, E[wait; answered] = alpha.v,
   E[wait; abandoned] = alpha.w.

4. Service level (answered within t, over offered) = P(k < n) +
   P(the phase-type chain is absorbed in "answered" by time t), computed by
   uniformization: with Lambda = max_i (r_i + theta), the chain is a discrete
   chain P = I + T / Lambda observed at the jumps of a Poisson(Lambda t)
   process; the answered mass after m jumps is weighted by the Poisson
   probabilities, which are built by recurrence outward from the mode and
   normalised (no overflow, no large exponentials).  Everything is
   non-negative, so there is no cancellation.

Cross-checks printed by --checks: P(abandon) against the rate balance
theta E[Q] / lam, occupancy against lam P(answered) AHT / n, Little's law
E[Q] / lam = P(answered) ASA + P(abandon) W_abandoned, and the service level
at t = 60 mean patiences (by uniformization) against P(answered).

Usage:
    erlang_a.py                        # mmc-abandon: 6000/h, AHT 3m, patience 2m, 310 agents, 20 s
    erlang_a.py --calls-per-hour 120 --aht 3m --patience 2m --agents 5 --threshold 20s
    erlang_a.py --digits 12            # every figure with 12 significant digits
    erlang_a.py --json
Durations: seconds, or a number with a unit suffix s, m or h ("3m", "20s").
"""
import argparse
import json
import math
import sys

import numpy as np
from scipy.linalg import solve_banded

LOG_CUTOFF = 70.0  # truncate where the stationary weight is below exp(-70) of the largest


def duration(text):
    """Seconds from "180", "180s", "3m", "0.5h"."""
    units = {"s": 1.0, "m": 60.0, "h": 3600.0}
    t = text.strip().lower()
    scale = 1.0
    if t and t[-1] in units:
        scale = units[t[-1]]
        t = t[:-1]
    try:
        value = float(t) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r}")
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"not a finite non-negative duration: {text!r}")
    return value


def stationary(lam, mu, theta, n):
    """Stationary probabilities p[0..K] of the birth-death chain, K = n + J."""
    # Unnormalised weights with w_n = 1, by plain products of the detailed-balance
    # ratios (each step is one correctly rounded multiplication, so the relative
    # error grows only linearly with the distance from n; far below n the weights
    # underflow harmlessly to 0).
    #   below n: w_{k-1} = w_k * k mu / lam
    #   above n: w_{n+j} = w_{n+j-1} * lam / (n mu + j theta)
    below = np.empty(n + 1)
    below[n] = 1.0
    w = 1.0
    for k in range(n, 0, -1):
        w *= k * mu / lam
        below[k - 1] = w
    above = []
    w, best = 1.0, float(below.max())
    j = 0
    while True:
        j += 1
        ratio = lam / (n * mu + j * theta)
        w *= ratio
        above.append(w)
        if w > best:
            best = w
        if w > 1e250:                               # heavy overload: rescale everything
            below /= w
            above = [x / w for x in above]
            best /= w
            w = 1.0
        # walk up past the mode until the weight is LOG_CUTOFF (in log) below the largest
        if ratio < 1.0 and w < best * math.exp(-LOG_CUTOFF):
            break
    p = np.concatenate((below, np.array(above)))
    return p / p.sum()


def balance_residual(p, lam, mu, theta, n):
    """max |flow in - flow out| over the states of the truncated chain."""
    k = np.arange(len(p), dtype=float)
    death = np.minimum(k, n) * mu + np.maximum(k - n, 0) * theta
    out = p * (lam + death)
    out[-1] -= p[-1] * lam                          # no births out of the last state
    inflow = np.zeros_like(p)
    inflow[1:] += p[:-1] * lam
    inflow[:-1] += p[1:] * death[1:]
    return float(np.abs(inflow - out).max())


def poisson_weights(x, eps=1e-18):
    """Poisson(x) probabilities for 0..M, M such that the upper tail is below eps."""
    mode = int(x)
    hi = mode + int(12.0 * math.sqrt(x + 1.0)) + 40
    w = np.zeros(hi + 1)
    w[mode] = 1.0
    for m in range(mode, hi):                      # upwards: w_{m+1} = w_m x / (m + 1)
        w[m + 1] = w[m] * x / (m + 1)
    for m in range(mode, 0, -1):                   # downwards: w_{m-1} = w_m m / x
        w[m - 1] = w[m] * m / x
        if w[m - 1] < 1e-300:
            break
    w /= w.sum()
    # drop the negligible far tail so the loop below stays short
    last = len(w) - 1
    while last > mode and w[last] < eps * 1e-3:
        last -= 1
    return w[: last + 1]


def erlang_a(calls_per_hour, aht, patience, agents, threshold, checks=False):
    """Erlang A figures; arguments in calls per hour and seconds."""
    if not (calls_per_hour > 0 and aht > 0 and patience > 0 and agents >= 1):
        raise ValueError("need calls_per_hour > 0, aht > 0, patience > 0, agents >= 1")
    lam, mu, theta, n = calls_per_hour / 3600.0, 1.0 / aht, 1.0 / patience, int(agents)

    p = stationary(lam, mu, theta, n)
    K = len(p) - 1
    J = K - n
    k = np.arange(K + 1, dtype=float)
    queue = np.maximum(k - n, 0.0)
    e_queue = float((queue * p).sum())
    e_busy = float((np.minimum(k, n) * p).sum())
    p_nowait = float(p[:n].sum())
    alpha = p[n:]                                   # arrival finds i = 0..J callers ahead

    # Phase-type sub-generator T: T[i, i] = -(r_i + theta), T[i, i-1] = r_i (one caller
    # ahead fewer).  Row i of (-T) x = b reads (r_i + theta) x_i - r_i x_{i-1} = b_i,
    # a lower-bidiagonal system solved by forward substitution.
    r = n * mu + theta * np.arange(J + 1, dtype=float)
    ab = np.zeros((2, J + 1))                       # solve_banded layout, (l, u) = (1, 0)
    ab[0] = r + theta                               # main diagonal
    ab[1, :-1] = -r[1:]                             # sub-diagonal
    s_answer = np.zeros(J + 1)
    s_answer[0] = r[0]
    s_abandon = np.full(J + 1, theta)
    u = solve_banded((1, 0), ab, s_answer)          # P(answered | start at i)
    v = solve_banded((1, 0), ab, u)                 # E[wait; answered | i]
    w_ab = solve_banded((1, 0), ab, solve_banded((1, 0), ab, s_abandon))  # E[wait; abandoned | i]

    p_answered = p_nowait + float(alpha @ u)
    p_abandon = 1.0 - p_answered
    asa = float(alpha @ v) / p_answered
    wait_abandoned = float(alpha @ w_ab) / p_abandon if p_abandon > 0 else 0.0

    def answered_within(t):
        if t == 0:
            return p_nowait
        if math.isinf(t):
            return p_answered
        big = float((r + theta).max())
        weights = poisson_weights(big * t)
        stay = 1.0 - (r + theta) / big
        move = r / big
        x = alpha.copy()
        answered = 0.0
        acc = 0.0
        used = 0.0
        for wm in weights:
            acc += wm * answered                    # answered mass after m jumps
            used += wm
            answered += x[0] * move[0]
            nxt = x * stay
            nxt[:-1] += x[1:] * move[1:]
            x = nxt
            if x.sum() < 1e-22:                     # nothing left waiting: the rest is flat
                acc += (1.0 - used) * answered
                break
        return p_nowait + acc

    sl = answered_within(threshold)
    res = {
        "calls_per_hour": calls_per_hour,
        "aht_s": aht,
        "patience_s": patience,
        "agents": n,
        "threshold_s": threshold,
        "load_erlangs": lam * aht,
        "p_wait": 1.0 - p_nowait,
        "p_abandon": p_abandon,
        "service_level": sl,
        "asa_s": asa,
        "occupancy": e_busy / n,
        "mean_queue": e_queue,
        "mean_wait_abandoned_s": wait_abandoned,
        "truncation_K": K,
    }
    if checks:
        res["checks"] = {
            "balance_residual": balance_residual(p, lam, mu, theta, n),
            "p_abandon_rate_balance": theta * e_queue / lam,
            "occupancy_flow": lam * p_answered * aht / n,
            "little_lhs_EQ_over_lam_s": e_queue / lam,
            "little_rhs_s": p_answered * asa + p_abandon * wait_abandoned,
            # after 60 mean patiences at most exp(-60) of the callers still wait
            "sl_at_60_patiences": answered_within(60.0 * patience),
            "p_answered": p_answered,
        }
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description="Exact Erlang A (M/M/n+M) figures.")
    ap.add_argument("--calls-per-hour", type=float, default=6000.0)
    ap.add_argument("--aht", type=duration, default=180.0, help="mean handle time (default 3m)")
    ap.add_argument("--patience", type=duration, default=120.0, help="mean patience (default 2m)")
    ap.add_argument("--agents", type=int, default=310)
    ap.add_argument("--threshold", type=duration, default=20.0, help="service-level threshold (default 20s)")
    ap.add_argument("--window", type=duration, default=36000.0,
                    help="measured window for the expected counts (default 10h)")
    ap.add_argument("--digits", type=int, default=None,
                    help="print every figure with this many significant digits")
    ap.add_argument("--checks", action="store_true", help="also print the cross-checks")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if a.patience == 0 or a.aht == 0 or a.agents < 1 or a.calls_per_hour <= 0:
        ap.error("need --calls-per-hour > 0, --aht > 0, --patience > 0, --agents >= 1")
    res = erlang_a(a.calls_per_hour, a.aht, a.patience, a.agents, a.threshold, checks=a.checks)
    if a.json:
        print(json.dumps(res, indent=2))
        return
    d = a.digits

    def fmt(x, decimals):
        return f"{x:.{d}g}" if d else f"{x:.{decimals}f}"

    print(f"Erlang A: {a.calls_per_hour:g} calls/h, AHT {a.aht:g} s, patience {a.patience:g} s, "
          f"{a.agents} agents, load {res['load_erlangs']:.4g} Erlangs, threshold {a.threshold:g} s")
    rows = [
        ("P(wait)", fmt(res["p_wait"], 6)),
        ("P(abandon)", fmt(res["p_abandon"], 6)),
        (f"service level ({a.threshold:g} s, over offered)", fmt(res["service_level"], 6)),
        ("ASA (s)", fmt(res["asa_s"], 4)),
        ("occupancy", fmt(res["occupancy"], 4)),
        ("mean queue length", fmt(res["mean_queue"], 4)),
        ("mean wait of abandoned calls (s)", fmt(res["mean_wait_abandoned_s"], 4)),
    ]
    for name, value in rows:
        print(f"  {name:40s} {value}")
    offered = a.calls_per_hour * a.window / 3600.0
    print(f"  expected per {a.window:g} s window: offered {offered:,.0f}; "
          f"answered {offered * (1 - res['p_abandon']):,.0f}; abandoned {offered * res['p_abandon']:,.0f}")
    if a.checks:
        c = res["checks"]
        print(f"  checks (truncated at K = {res['truncation_K']}):")
        print(f"    global balance residual                {c['balance_residual']:.3e}")
        print(f"    P(abandon) vs theta E[Q]/lam           {res['p_abandon']:.15g} vs {c['p_abandon_rate_balance']:.15g}")
        print(f"    occupancy vs lam P(ans) AHT / n        {res['occupancy']:.15g} vs {c['occupancy_flow']:.15g}")
        print(f"    Little E[Q]/lam vs P(ans)ASA+P(ab)W_ab {c['little_lhs_EQ_over_lam_s']:.15g} vs {c['little_rhs_s']:.15g}")
        print(f"    SL(60 patiences) vs P(answered)        {c['sl_at_60_patiences']:.15g} vs {c['p_answered']:.15g}")


if __name__ == "__main__":
    sys.exit(main())
