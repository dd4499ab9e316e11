#!/usr/bin/env python3
"""mmc-abandon (see workload.py) modelled in SimPy the way SimPy models are
usually written: the agents are a `simpy.Resource` with one slot per agent
(its request queue is FIFO), every caller is a process, and a caller gives up
by racing its request against a patience timeout (`req | timeout`).

Usage: mmc_simpy.py [SEED]
Prints key/value lines, then `JSON {...}` (offered, answered, abandoned,
service_level_20s, abandon_rate, asa_sec, wall_s, calls_per_s, ...).
"""
import random
import sys
import time

import simpy

from workload import (AGENTS, ARRIVAL_RATE, END, MEAN_HANDLE, MEAN_PATIENCE,
                      SL_THRESHOLD, WARMUP, Counts, seed_arg)


class CallCenter:
    def __init__(self, seed):
        self.env = simpy.Environment()
        self.agents = simpy.Resource(self.env, capacity=AGENTS)
        self.rng = random.Random(seed)
        self.counts = Counts()

    def arrivals(self):
        env, draw = self.env, self.rng.expovariate
        while True:
            yield env.timeout(draw(ARRIVAL_RATE))
            self.counts.generated += 1
            env.process(self.caller(env.now))

    def caller(self, arrived):
        env, c = self.env, self.counts
        in_window = arrived >= WARMUP
        if in_window:
            c.offered += 1
        patience = self.rng.expovariate(1.0 / MEAN_PATIENCE)
        with self.agents.request() as req:
            fired = yield req | env.timeout(patience)
            if req not in fired:              # patience ran out first: the caller hangs up
                if in_window:
                    c.abandoned += 1
                return                        # leaving the `with` withdraws the request
            wait = env.now - arrived
            if in_window:
                c.answered += 1
                c.wait_answered += wait
                if wait <= SL_THRESHOLD:
                    c.answered_in_sl += 1
            yield env.timeout(self.rng.expovariate(1.0 / MEAN_HANDLE))

    def run(self):
        self.env.process(self.arrivals())
        self.env.run(until=END)
        return self.counts


def main():
    seed = seed_arg(sys.argv, 1)
    start = time.perf_counter()
    counts = CallCenter(seed).run()
    wall = time.perf_counter() - start
    counts.report(f"simpy-{simpy.__version__}", seed, wall)


if __name__ == "__main__":
    main()
