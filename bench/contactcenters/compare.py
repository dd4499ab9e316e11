#!/usr/bin/env python3
"""Prints acdsim's figures of the ContactCenters Blend example beside the
published ones (bench/contactcenters/published.json).

Usage: compare.py PUBLISHED RUN_20S RUN_0S
  RUN_20S: `acdsim run scenarios/contactcenters-blend.json --json --per-replication`
  RUN_0S:  the same run with a 0 s service-level threshold (same seed, hence
           the same days: the threshold only counts), for the calls answered
           without waiting.

Each figure is computed from the per-replication metrics the way the Blend
program computes it (see published.json, field "acdsim"): means of daily
counts, or ratios of means with a delta-method interval, as the program's
FunctionOfMultipleMeansTally does. The last column is the difference over
its standard error, sqrt(se_acdsim^2 + se_published^2); "yes" when the
difference is within the 99.9% bound plus half a unit of the last printed
digit (the criterion of tests/contactcenters.rs).
"""
import json
import math
import statistics
import sys
import textwrap

Z999 = statistics.NormalDist().inv_cdf(0.9995)


def t_quantile(p, df):
    """Student t quantile (Cornish-Fisher expansion; exact enough for df >= 10)."""
    z = statistics.NormalDist().inv_cdf(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    return z + g1 / df + g2 / df**2 + g3 / df**3


def num(x):
    return 0.0 if x is None else x


def per_day(run20, run0):
    """One dict of the needed quantities per replication."""
    days = []
    for r20, r0 in zip(run20["per_replication"], run0["per_replication"]):
        q, q0 = r20["queues"][0], r0["queues"][0]
        c = r20["campaigns"][0]
        assert q["offered"] == q0["offered"] and q["answered"] == q0["answered"], \
            "the two runs must simulate the same days"
        busy, logged = {}, {}
        for g in r20["agent_groups"]:
            cells = g["intervals"][:3]  # 08:00, 10:00, 12:00; the drain left out
            busy[g["name"]] = sum(num(k["occupancy"]) * k["logged_in_hours"] for k in cells)
            logged[g["name"]] = sum(k["logged_in_hours"] for k in cells)
        arrived_in = q["offered"] + q["blocked"]
        wait_in_s = q["answered"] * num(q["asa_s"]) + q["abandoned"] * num(q["abandoned_wait_s"])
        not_in_target = (q["answered"] - q["answered_within_threshold"]) + (
            q["abandoned"] - q["abandoned_within_threshold"])
        days.append({
            "tried_outbound": c["dials"],
            "arrived_inbound": arrived_in,
            "arrived_outbound": c["live_answers"],
            "arrived_all": arrived_in + c["live_answers"],
            "served_inbound": q["answered"],
            "served_outbound": c["connects"],
            "served_all": q["answered"] + c["connects"],
            "abandoned_inbound": q["abandoned"] + q["blocked"],
            "abandoned_outbound": c["abandoned"],
            "abandoned_all": q["abandoned"] + q["blocked"] + c["abandoned"],
            "not_in_target": not_in_target,
            "good": arrived_in - not_in_target,
            "busy_inbound": busy["inbound only"], "logged_inbound": logged["inbound only"],
            "busy_blend": busy["blend"], "logged_blend": logged["blend"],
            "busy_all": busy["inbound only"] + busy["blend"],
            "logged_all": logged["inbound only"] + logged["blend"],
            "wait_in_min": wait_in_s / 60.0,
            "posWait_inbound": (q["answered"] - q0["answered_within_threshold"]) + q["abandoned"]
            + q["blocked"],
            "queue_inbound": wait_in_s / 60.0 / 360.0,
        })
    return days


def mean_est(xs):
    n = len(xs)
    m = statistics.fmean(xs)
    se = statistics.stdev(xs) / math.sqrt(n)
    return m, se


def ratio_est(xs, ys, scale=1.0):
    n = len(xs)
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    r = mx / my
    se = statistics.stdev([x - r * y for x, y in zip(xs, ys)]) / math.sqrt(n) / my
    return scale * r, scale * se


ESTIMATORS = {
    "service_level": lambda d: ratio_est([x["good"] for x in d], [x["arrived_inbound"] for x in d], 100),
    "occupancy_inbound": lambda d: ratio_est([x["busy_inbound"] for x in d], [x["logged_inbound"] for x in d], 100),
    "occupancy_blend": lambda d: ratio_est([x["busy_blend"] for x in d], [x["logged_blend"] for x in d], 100),
    "occupancy_all": lambda d: ratio_est([x["busy_all"] for x in d], [x["logged_all"] for x in d], 100),
    "wait_inbound": lambda d: ratio_est([x["wait_in_min"] for x in d], [x["arrived_inbound"] for x in d]),
}


def published_se(f):
    if "ci" in f:
        lo, hi = f["ci"]
        return (hi - lo) / 2 / t_quantile(0.975, 999)
    return f["sd"] / math.sqrt(f["n"])


def fmt(x, se, decimals):
    return f"{x:.{decimals}f} ±{t_quantile(0.975, 999) * se:.{decimals}f}"


def main():
    pub = json.load(open(sys.argv[1]))
    run20, run0 = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
    days = per_day(run20, run0)
    n = len(days)
    tq = t_quantile(0.975, n - 1)
    src = pub["source"]
    print("ContactCenters' 'Blend call center' example against acdsim (mean ± 95% CI)")
    print(f"acdsim:    {n} replications, seed {run20['seed']}")
    print(f"published: the example's printed output, {src['replications']} days "
          f"({src['repository']} {src['commit'][:12]}")
    print(f"           {src['files']['printed_output']})")
    print()
    head = f"{'figure':20s} {'acdsim':>20s} {'published':>20s} {'z':>6s}  agree"
    print(head)
    missing = []
    for f in pub["figures"]:
        fid, dec = f["id"], f["decimals"]
        label = fid
        if f.get("acdsim") is None:
            missing.append(f)
            continue
        if fid in ESTIMATORS:
            a, se_a = ESTIMATORS[fid](days)
        else:
            a, se_a = mean_est([x[fid] for x in days])
        se_p = published_se(f)
        diff = a - f["value"]
        z = diff / math.hypot(se_a, se_p)
        bound = Z999 * math.hypot(se_a, se_p) + 0.5 * 10 ** -dec
        asserted = fid != "queue_inbound"
        verdict = ("yes" if abs(diff) <= bound else "NO") if asserted else "(shown only)"
        a_txt = f"{a:.{dec}f} ±{tq * se_a:.{dec}f}"
        print(f"{label:20s} {a_txt:>20s} {fmt(f['value'], se_p, dec):>20s} {z:6.2f}  {verdict}")
    print()
    print("not comparable (acdsim does not report it):")
    for f in missing:
        text = f"{f['id']} (published {f['value']}): {f['missing']}"
        print(textwrap.fill(text, width=98, initial_indent="  ", subsequent_indent="    "))


if __name__ == "__main__":
    main()
