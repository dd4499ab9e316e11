#!/usr/bin/env python3
"""mmc-abandon (see workload.py) as a plain Python event loop on heapq: about
the fastest a straightforward pure-Python simulation of this model gets.

Both modes keep the single pending arrival in a variable (there is only ever
one) and the service completions in a heap; agents are interchangeable, so a
completion carries no agent.  They differ in how abandonment is found:

  timer  each caller who has to wait gets a patience-expiry event in the heap,
         as a general-purpose simulator would schedule it.  A caller answered
         before its expiry is only marked; its stale expiry is popped and
         ignored later, and an abandoned caller stays in the FIFO deque until
         an agent skips over it.
  lazy   no patience events: the queue is FIFO and each caller's deadline
         (arrival + patience) is drawn on arrival, so when an agent frees up,
         callers at the head whose deadline has passed are dropped as having
         abandoned at their deadline.  Same model and same counts, one heap
         push and pop fewer per waiting caller.

Usage: mmc_heapq.py timer|lazy [SEED]
Prints key/value lines, then `JSON {...}` (offered, answered, abandoned,
service_level_20s, abandon_rate, asa_sec, wall_s, calls_per_s, ...).
"""
import heapq
import random
import sys
import time
from collections import deque

from workload import (AGENTS, ARRIVAL_RATE, END, MEAN_HANDLE, MEAN_PATIENCE,
                      SL_THRESHOLD, WARMUP, Counts, seed_arg)

SERVICE_END = -1   # heap tag of a completion; tags >= 0 are waiting-caller ids (timer mode)


def run_timer(seed):
    draw = random.Random(seed).expovariate
    push, pop, replace = heapq.heappush, heapq.heappop, heapq.heapreplace
    handle_rate, patience_rate = 1.0 / MEAN_HANDLE, 1.0 / MEAN_PATIENCE
    heap = []                  # (time, tag)
    queue = deque()            # ids of waiting callers, FIFO (abandoned ones skipped lazily)
    arrived = []               # arrival time by waiting-caller id
    waiting = []               # True while that caller is still in the queue
    idle = AGENTS
    generated = offered = answered = abandoned = in_sl = events = 0
    wait_sum = 0.0
    next_arrival = draw(ARRIVAL_RATE)
    while True:
        if heap and heap[0][0] < next_arrival:
            now, tag = heap[0]
            if now >= END:
                break
            events += 1
            if tag == SERVICE_END:
                while queue:
                    cid = queue.popleft()
                    if waiting[cid]:
                        waiting[cid] = False
                        t0 = arrived[cid]
                        if t0 >= WARMUP:
                            w = now - t0
                            answered += 1
                            wait_sum += w
                            if w <= SL_THRESHOLD:
                                in_sl += 1
                        replace(heap, (now + draw(handle_rate), SERVICE_END))
                        break
                else:
                    pop(heap)
                    idle += 1
            else:
                pop(heap)
                if waiting[tag]:                # patience ran out while still waiting
                    waiting[tag] = False
                    if arrived[tag] >= WARMUP:
                        abandoned += 1
        else:
            now = next_arrival
            if now >= END:
                break
            events += 1
            generated += 1
            next_arrival = now + draw(ARRIVAL_RATE)
            counted = now >= WARMUP
            if counted:
                offered += 1
            if idle:
                idle -= 1
                if counted:
                    answered += 1
                    in_sl += 1
                push(heap, (now + draw(handle_rate), SERVICE_END))
            else:
                cid = len(arrived)
                arrived.append(now)
                waiting.append(True)
                queue.append(cid)
                push(heap, (now + draw(patience_rate), cid))
    return _counts(generated, offered, answered, abandoned, in_sl, wait_sum), events


def run_lazy(seed):
    draw = random.Random(seed).expovariate
    push, pop, replace = heapq.heappush, heapq.heappop, heapq.heapreplace
    handle_rate, patience_rate = 1.0 / MEAN_HANDLE, 1.0 / MEAN_PATIENCE
    ends = []                  # completion times only
    queue = deque()            # (arrival time, deadline), FIFO
    idle = AGENTS
    generated = offered = answered = abandoned = in_sl = events = 0
    wait_sum = 0.0
    next_arrival = draw(ARRIVAL_RATE)
    while True:
        if ends and ends[0] < next_arrival:
            now = ends[0]
            if now >= END:
                break
            events += 1
            while queue:
                t0, deadline = queue.popleft()
                if deadline <= now:             # gave up at its deadline, before this agent freed
                    if t0 >= WARMUP:
                        abandoned += 1
                    continue
                if t0 >= WARMUP:
                    w = now - t0
                    answered += 1
                    wait_sum += w
                    if w <= SL_THRESHOLD:
                        in_sl += 1
                replace(ends, now + draw(handle_rate))
                break
            else:
                pop(ends)
                idle += 1
        else:
            now = next_arrival
            if now >= END:
                break
            events += 1
            generated += 1
            next_arrival = now + draw(ARRIVAL_RATE)
            counted = now >= WARMUP
            if counted:
                offered += 1
            if idle:
                idle -= 1
                if counted:
                    answered += 1
                    in_sl += 1
                push(ends, now + draw(handle_rate))
            else:
                queue.append((now, now + draw(patience_rate)))
    # Callers still queued at the end whose deadline fell inside the run abandoned.
    for t0, deadline in queue:
        if deadline < END and t0 >= WARMUP:
            abandoned += 1
    return _counts(generated, offered, answered, abandoned, in_sl, wait_sum), events


def _counts(generated, offered, answered, abandoned, in_sl, wait_sum):
    c = Counts()
    c.generated, c.offered, c.answered, c.abandoned = generated, offered, answered, abandoned
    c.answered_in_sl, c.wait_answered = in_sl, wait_sum
    return c


def main():
    modes = {"timer": run_timer, "lazy": run_lazy}
    mode = sys.argv[1] if len(sys.argv) > 1 else "timer"
    if mode not in modes:
        sys.exit(f"usage: {sys.argv[0]} timer|lazy [SEED]")
    seed = seed_arg(sys.argv, 2)
    start = time.perf_counter()
    counts, events = modes[mode](seed)
    wall = time.perf_counter() - start
    counts.report(f"python-heapq-{mode}", seed, wall, events=events)


if __name__ == "__main__":
    main()
