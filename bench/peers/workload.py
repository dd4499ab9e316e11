"""The mmc-abandon reference workload and the report every peer script prints.

Times are in seconds, as in acdsim (scenarios/mmc-abandon.json):
  arrivals      Poisson, 6000 calls per hour
  handle time   exponential, mean 180 s (offered load 300 Erlangs)
  agents        310, one FIFO queue, no wrap-up
  patience      exponential, mean 120 s
  horizon       1800 s warm-up, then a 36000 s (10 h) measured window; the run stops at 37800 s

Counting (the same in every script):
  offered    calls arriving in [WARMUP, END)
  answered   offered calls that reached an agent before END
  abandoned  offered calls whose patience ran out before END while waiting
  unresolved offered calls still waiting at END
  service level  offered calls answered within 20 s / offered
  ASA            mean wait of the answered calls (s)
  calls_per_s    every call generated, warm-up included / wall seconds
"""
import json
import sys

ARRIVAL_RATE = 6000.0 / 3600.0   # calls per second
MEAN_HANDLE = 180.0              # s
MEAN_PATIENCE = 120.0            # s
AGENTS = 310
WARMUP = 1800.0                  # s
WINDOW = 36000.0                 # s
END = WARMUP + WINDOW
SL_THRESHOLD = 20.0              # s
DEFAULT_SEED = 1


def seed_arg(argv, position):
    """The integer seed at argv[position], or the default."""
    if len(argv) > position:
        try:
            return int(argv[position])
        except ValueError:
            sys.exit(f"seed must be an integer, got {argv[position]!r}")
    return DEFAULT_SEED


class Counts:
    """Tallies of one run; `report` prints them and returns the dict."""

    def __init__(self):
        self.generated = 0        # every arrival, warm-up included
        self.offered = 0
        self.answered = 0
        self.abandoned = 0
        self.answered_in_sl = 0
        self.wait_answered = 0.0  # summed waits of the answered calls (s)

    def report(self, engine, seed, wall, events=None):
        off = self.offered
        res = {
            "engine": engine,
            "seed": seed,
            "offered": off,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "unresolved": off - self.answered - self.abandoned,
            "service_level_20s": self.answered_in_sl / off if off else None,
            "abandon_rate": self.abandoned / off if off else None,
            "asa_sec": self.wait_answered / self.answered if self.answered else None,
            "calls_generated": self.generated,
            "wall_s": wall,
            "calls_per_s": self.generated / wall if wall > 0 else None,
        }
        if events is not None:
            res["events"] = events
            res["events_per_s"] = events / wall if wall > 0 else None
        for key, value in res.items():
            shown = f"{value:.6g}" if isinstance(value, float) else value
            print(f"{key:<18} {shown}")
        print("JSON " + json.dumps(res), flush=True)
        return res
