"""Table groups for a session: who sits with whom. Pure Python, no database.

`plan_tables()` assigns people to tables (groups) so that, in this order of importance:

0. every unlocked table's size is within the range (a hard rule unless attendance makes it impossible:
   then sizes never exceed the maximum and are as even as they can be);
1. every table mixes sectors as evenly as the attendance allows (each table's sector counts close to
   the room's proportions: the sum of squared deviations is minimised);
2. people from the same organisation are spread (fewest same-organisation pairs at a table);
3. pairs who already shared a table at an earlier session sit apart (fewest repeat pairs);
4. on a re-plan, people stay at the table they had (fewest moves) — so walk-ins and no-shows on the
   day disturb as few printed badges as possible.

The objective is lexicographic: a lower level never trades away a higher one. The five levels are
folded into one integer with weights larger than each lower level's maximum, which is exactly the
lexicographic order and keeps the inner loop to integer additions.

Search: a greedy start (rarest sectors first, each person to the table where they cost least; on a
re-plan, the previous tables), then local search over moves and swaps, then iterated local search
(random kicks, keep the best). Moves and swaps are scored by their exact change of the total, from
per-person, per-table shares kept up to date in place (see "The search" below), so a pass over all
n² swaps is a few list look-ups each. Everything random comes from `random.Random(seed)` and every loop runs
in a fixed order, so the same input and seed give the same plan. Locked tables are never touched and
pinned people stay at their table. The result is checked to hold everyone exactly once.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

DEFAULT_EFFORT = 40  # iterated-local-search kicks for 50 people (about 0.15 s); fewer for bigger rooms


@dataclass(frozen=True)
class Person:
    key: int
    sector: Hashable | None = None
    organisation: str = ""

    @property
    def organisation_key(self) -> str:
        return " ".join(self.organisation.split()).casefold()


@dataclass(frozen=True)
class Table:
    """A table as it is now (for a re-plan): its members, whether it is locked, who is pinned to it."""

    number: int
    members: tuple[int, ...] = ()
    locked: bool = False
    pinned: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Cost:
    size_violation: int
    sector_imbalance: int
    same_organisation_pairs: int
    repeat_pairs: int
    moved: int

    def as_tuple(self) -> tuple[int, int, int, int, int]:
        return (
            self.size_violation,
            self.sector_imbalance,
            self.same_organisation_pairs,
            self.repeat_pairs,
            self.moved,
        )


@dataclass(frozen=True)
class Plan:
    tables: dict[int, tuple[int, ...]]  # table number -> sorted keys
    cost: Cost
    min_size: int = 0
    max_size: int = 0


def choose_table_count(n: int, min_size: int, max_size: int) -> int:
    """The fewest tables whose sizes can all lie in [min_size, max_size]; if none can, never exceed the maximum."""
    if n <= 0:
        return 0
    return max(1, math.ceil(n / max_size))


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def normalise_met(met: Iterable[Iterable[int]]) -> set[tuple[int, int]]:
    pairs = set()
    for pair in met:
        a, b = tuple(pair)
        if a != b:
            pairs.add(pair_key(a, b))
    return pairs


# --- The search --------------------------------------------------------------------------------
#
# Speed: a pass of the local search weighs every swap (n² of them), so a swap's delta must be a few
# list look-ups. It is: with the table sizes unchanged, every level of a swap's cost change splits into
# a part that depends on (i, j's table) and one on (j, i's table), plus a correction for the pair.
# `_State.share[p][t]` holds person p's weighted share of the cost at table t:
#
#     2N·w_sector·dev[t][sector(p)] + w_org·orgcount[t][org(p)] + w_repeat·met_at[p][t] + w_moved·(t ≠ prev(p))
#
# (dev[t][s] = count·N − total_s·size, the sector term's deviation) and, for i at a and j at b,
#
#     swap_delta = share[i][b] − share[i][a] + share[j][a] − share[j][b]
#                  + w_org·(has_org(i) + has_org(j)) + 4N²·w_sector·(sectors differ)
#                  − 2·w_org·(same organisation) − 2·w_repeat·(i and j met)
#
# which is exactly the change of the lexicographic total (integers, no rounding). A move or swap
# changes two tables, so only those two columns of `share` are recomputed (2n additions).


@dataclass
class _State:
    """Arrays indexed by person index i and table index t; updated in place by moves and swaps."""

    n_total: int
    sector_totals: list[int]
    sector_of: list[int]
    org_of: list[int]
    neighbours: list[list[int]]
    met: set[tuple[int, int]]
    prev: list[int]
    lo: int
    hi: list[int]
    locked: list[bool]
    table_of: list[int]
    size: list[int] = field(default_factory=list)
    scount: list[list[int]] = field(default_factory=list)
    ocount: list[list[int]] = field(default_factory=list)
    mcount: list[list[int]] = field(default_factory=list)
    dev: list[list[int]] = field(default_factory=list)  # dev[t][s] = scount·N − sector_total·size
    dev_dot_totals: list[int] = field(default_factory=list)  # Σ_s dev[t][s]·sector_total[s]
    share: list[list[int]] = field(default_factory=list)  # share[i][t], once weights are set
    weights: tuple[int, int, int, int, int] | None = None
    sum_sq_totals: int = 0
    grow: list[int] = field(default_factory=list)  # grow[t]: the size violation's change if t gains one
    shrink: list[int] = field(default_factory=list)  # shrink[t]: … if t loses one

    def rebuild(self, table_of: list[int]) -> None:
        n_tables = len(self.hi)
        n_sectors = len(self.sector_totals)
        n_orgs = 1 + max(self.org_of, default=-1)
        self.table_of = list(table_of)
        self.size = [0] * n_tables
        self.scount = [[0] * n_sectors for _ in range(n_tables)]
        self.ocount = [[0] * n_orgs for _ in range(n_tables)]
        self.mcount = [[0] * n_tables for _ in range(len(table_of))]
        for i, t in enumerate(self.table_of):
            if t < 0:
                continue
            self._add(i, t)
        self.sum_sq_totals = sum(total * total for total in self.sector_totals)
        self.dev = [[] for _ in range(n_tables)]
        self.dev_dot_totals = [0] * n_tables
        self.grow, self.shrink = [0] * n_tables, [0] * n_tables
        for t in range(n_tables):
            self._refresh_dev(t)
        if self.weights is not None:
            self.share = [[0] * n_tables for _ in range(len(table_of))]
            for t in range(n_tables):
                self._refresh_share(t)

    def set_weights(self, weights: tuple[int, int, int, int, int]) -> None:
        """Weigh the levels and work out every share (kept up to date by moves and swaps from now on)."""
        self.weights = weights
        self.rebuild(self.table_of)

    def _add(self, i: int, t: int) -> None:
        self.size[t] += 1
        self.scount[t][self.sector_of[i]] += 1
        if self.org_of[i] >= 0:
            self.ocount[t][self.org_of[i]] += 1
        for k in self.neighbours[i]:
            self.mcount[k][t] += 1
        self.table_of[i] = t

    def _remove(self, i: int, t: int) -> None:
        self.size[t] -= 1
        self.scount[t][self.sector_of[i]] -= 1
        if self.org_of[i] >= 0:
            self.ocount[t][self.org_of[i]] -= 1
        for k in self.neighbours[i]:
            self.mcount[k][t] -= 1
        self.table_of[i] = -1

    def _refresh_dev(self, t: int) -> None:
        n, size, totals = self.n_total, self.size[t], self.sector_totals
        row = [c * n - total * size for c, total in zip(self.scount[t], totals, strict=True)]
        self.dev[t] = row
        self.dev_dot_totals[t] = sum(d * total for d, total in zip(row, totals, strict=True))
        now = self.violation(t, size)
        self.grow[t] = self.violation(t, size + 1) - now
        self.shrink[t] = self.violation(t, size - 1) - now

    def _refresh_share(self, t: int) -> None:
        _, w_sector, w_org, w_repeat, w_moved = self.weights
        by_sector = [2 * self.n_total * w_sector * d for d in self.dev[t]]
        by_org = [w_org * c for c in self.ocount[t]]
        share, mcount, prev = self.share, self.mcount, self.prev
        for p, (s, o) in enumerate(zip(self.sector_of, self.org_of, strict=True)):
            v = by_sector[s] + w_repeat * mcount[p][t]
            if o >= 0:
                v += by_org[o]
            q = prev[p]
            if q >= 0 and q != t:
                v += w_moved
            share[p][t] = v

    def _touched(self, *tables: int) -> None:
        for t in set(tables):
            if t >= 0:
                self._refresh_dev(t)
                if self.share:
                    self._refresh_share(t)

    def move(self, i: int, b: int) -> None:
        a = self.table_of[i]
        if a >= 0:
            self._remove(i, a)
        self._add(i, b)
        self._touched(a, b)

    def swap(self, i: int, j: int) -> None:
        a, b = self.table_of[i], self.table_of[j]
        self._remove(i, a)
        self._remove(j, b)
        self._add(i, b)
        self._add(j, a)
        self._touched(a, b)

    # Cost pieces -------------------------------------------------------------------------

    def violation(self, t: int, size: int) -> int:
        if self.locked[t]:
            return 0
        return max(0, self.lo - size) + max(0, size - self.hi[t])

    def sector_term(self, t: int, s: int, count: int, size: int) -> int:
        dev = count * self.n_total - self.sector_totals[s] * size
        return dev * dev

    def table_sector_cost(self, t: int, size: int, changes: Mapping[int, int] | None = None) -> int:
        total = 0
        counts = self.scount[t]
        for s in range(len(counts)):
            c = counts[s] + (changes.get(s, 0) if changes else 0)
            dev = c * self.n_total - self.sector_totals[s] * size
            total += dev * dev
        return total

    def cost(self) -> Cost:
        violation = sum(self.violation(t, self.size[t]) for t in range(len(self.size)))
        sector = sum(self.table_sector_cost(t, self.size[t]) for t in range(len(self.size)))
        orgs = sum(c * (c - 1) // 2 for row in self.ocount for c in row)
        table_of = self.table_of
        repeats = sum(1 for a, b in self.met if table_of[a] == table_of[b] and table_of[a] >= 0)
        moved = sum(1 for i, t in enumerate(table_of) if self.prev[i] >= 0 and t != self.prev[i])
        return Cost(violation, sector, orgs, repeats, moved)


class _Search:
    def __init__(self, state: _State, movable: list[int], open_tables: list[int], rng: random.Random):
        self.s = state
        self.movable = movable
        self.open_tables = open_tables
        self.rng = rng
        # Lexicographic weights: each level's weight exceeds the largest total the levels below can reach.
        n = len(state.table_of)
        w_moved = 1
        w_repeat = (n + 1) * w_moved
        w_org = (len(state.met) + 1) * w_repeat
        org_sizes = Counter(o for o in state.org_of if o >= 0)
        max_org_pairs = sum(c * (c - 1) // 2 for c in org_sizes.values())
        w_sector = (max_org_pairs + 1) * w_org
        max_size = max([n, *state.hi])
        max_sector = len(state.hi) * max(1, len(state.sector_totals)) * (state.n_total * max_size) ** 2
        w_size = (max_sector + 1) * w_sector
        self.w = (w_size, w_sector, w_org, w_repeat, w_moved)
        self.met_with = [set(ks) for ks in state.neighbours]

    def total(self, cost: Cost) -> int:
        return sum(w * c for w, c in zip(self.w, cost.as_tuple(), strict=True))

    def move_delta(self, i: int, a: int, b: int) -> int:
        """The change of the total when i moves from table a to table b."""
        s = self.s
        w_size, w_sector, w_org, _, _ = self.w
        d0 = s.shrink[a] + s.grow[b]
        # Sector level: table a loses i and one seat, table b gains both. With e = the change of each
        # deviation, Σ(dev + e)² − Σdev² = Σ2·dev·e + Σe²; the dev-dependent part of i's own sector is in share.
        n, total_i = s.n_total, s.sector_totals[s.sector_of[i]]
        own = n * n - 2 * n * total_i + s.sum_sq_totals
        d1 = 2 * (s.dev_dot_totals[a] - s.dev_dot_totals[b]) + 2 * own
        share = s.share[i]
        rest = share[b] - share[a] + (w_org if s.org_of[i] >= 0 else 0)
        return d0 * w_size + d1 * w_sector + rest

    def swap_delta(self, i: int, j: int) -> int:
        """The change of the total when i and j (at different tables) trade places."""
        s = self.s
        a, b = s.table_of[i], s.table_of[j]
        _, w_sector, w_org, w_repeat, _ = self.w
        share_i, share_j = s.share[i], s.share[j]
        d = share_i[b] - share_i[a] + share_j[a] - share_j[b]
        oi, oj = s.org_of[i], s.org_of[j]
        if oi >= 0:
            d += w_org
        if oj >= 0:
            d += w_org
        if oi >= 0 and oi == oj:
            d -= 2 * w_org
        if s.sector_of[i] != s.sector_of[j]:
            n = s.n_total
            d += 4 * n * n * w_sector
        if j in self.met_with[i]:
            d -= 2 * w_repeat
        return d

    def local_search(self) -> None:
        s = self.s
        movable = self.movable
        open_tables = self.open_tables
        w_size, w_sector, w_org, w_repeat, _ = self.w
        n = s.n_total
        differ = 4 * n * n * w_sector
        own = [n * n - 2 * n * total + s.sum_sq_totals for total in s.sector_totals]
        grow, shrink, dev_dot = s.grow, s.shrink, s.dev_dot_totals
        same_org = 2 * w_org
        repeat = 2 * w_repeat
        table_of, share, sector_of, org_of = s.table_of, s.share, s.sector_of, s.org_of
        has_org = [w_org if o >= 0 else 0 for o in org_of]
        slack = repeat + same_org  # the most the pair's corrections can take off a swap's delta
        improved = True
        while improved:
            improved = False
            order = list(movable)
            self.rng.shuffle(order)
            for i in order:
                a = table_of[i]
                best, best_delta = None, 0
                # Moves, inlined (see move_delta).
                share_i = share[i]
                leave = shrink[a] * w_size + 2 * w_sector * (dev_dot[a] + own[sector_of[i]]) - share_i[a] + has_org[i]
                for b in open_tables:
                    if b != a:
                        d = leave + grow[b] * w_size - 2 * w_sector * dev_dot[b] + share_i[b]
                        if d < best_delta:
                            best, best_delta = ("move", b), d
                threshold = best_delta + slack
                # Swaps, inlined (see swap_delta): the inner loop of the whole planner.
                base = has_org[i] - share_i[a]
                si, oi = sector_of[i], org_of[i]
                met_i = self.met_with[i]
                for j in movable:
                    b = table_of[j]
                    if b == a:
                        continue
                    share_j = share[j]
                    d = base + share_i[b] + share_j[a] - share_j[b] + has_org[j]
                    if sector_of[j] != si:
                        d += differ
                    if d >= threshold:
                        continue  # even both corrections cannot make it the best
                    if oi >= 0 and org_of[j] == oi:
                        d -= same_org
                    if j in met_i:
                        d -= repeat
                    if d < best_delta:
                        best, best_delta = ("swap", j), d
                        threshold = best_delta + slack
                if best is None:
                    continue
                kind, target = best
                if kind == "move":
                    s.move(i, target)
                else:
                    s.swap(i, target)
                improved = True

    def kick(self, swaps: int) -> None:
        s = self.s
        if len(self.movable) < 2:
            return
        for _ in range(swaps):
            i, j = self.rng.sample(self.movable, 2)
            a, b = s.table_of[i], s.table_of[j]
            if a != b:
                s.swap(i, j)

    def prepare(self) -> None:
        """Work out the shares the deltas use (after the greedy start, which needs none)."""
        self.s.set_weights(self.w)

    def run(self, effort: int) -> None:
        self.prepare()
        self.local_search()
        best_assignment = list(self.s.table_of)
        best_total = self.total(self.s.cost())
        if len(self.movable) < 3 or len(self.open_tables) < 2:
            return
        swaps = max(2, min(6, len(self.movable) // 8))
        # A pass costs about n² evaluations: scale the kicks so a big room stays within the same time.
        kicks = effort if len(self.movable) <= 50 else max(3, round(effort * (50 / len(self.movable)) ** 2))
        for _ in range(kicks):
            self.kick(swaps)
            self.local_search()
            total = self.total(self.s.cost())
            if total <= best_total:
                best_total, best_assignment = total, list(self.s.table_of)
            else:
                self.s.rebuild(best_assignment)
        self.s.rebuild(best_assignment)


def plan_tables(
    people: Sequence[Person],
    *,
    min_size: int,
    max_size: int,
    seed: int,
    met: Iterable[Iterable[int]] = (),
    tables: Sequence[Table] = (),
    effort: int = DEFAULT_EFFORT,
) -> Plan:
    """Seat `people` at tables. `tables` are the current tables (empty for a new plan).

    Locked tables keep exactly their members who are still present; pinned people keep their table;
    everyone else may move. People of `tables` who are not in `people` (cancelled, no-shows) are dropped.
    `met` holds pairs of keys who shared a table before. Tables that are needed are added (numbered
    after the highest); unlocked tables without pins that are no longer needed are dropped.
    """
    if min_size < 1 or max_size < min_size:
        raise ValueError("need 1 <= min_size <= max_size")
    by_key: dict[int, Person] = {}
    for person in people:
        if person.key in by_key:
            raise ValueError(f"duplicate person {person.key!r}")
        by_key[person.key] = person
    keys = sorted(by_key)
    index = {key: i for i, key in enumerate(keys)}
    n = len(keys)

    # Current tables: drop absent people and (corrupt input) people listed twice.
    seen: set[int] = set()
    current: list[tuple[Table, list[int], set[int]]] = []
    for table in sorted(tables, key=lambda t: t.number):
        members = []
        for key in table.members:
            if key in by_key and key not in seen:
                seen.add(key)
                members.append(key)
        pinned = {key for key in table.pinned if key in members}
        current.append((table, members, pinned))
    locked = [(t, m) for t, m, _ in current if t.locked]
    unlocked = [(t, m, p) for t, m, p in current if not t.locked]
    in_locked = {key for _, members in locked for key in members}
    movable_keys = [key for key in keys if key not in in_locked]

    # How many unlocked tables: enough for the movable people, never fewer than those holding pins.
    needed = choose_table_count(len(movable_keys), min_size, max_size)
    with_pins = [entry for entry in unlocked if entry[2]]
    needed = max(needed, len(with_pins))
    if len(unlocked) > needed:
        droppable = sorted((entry for entry in unlocked if not entry[2]), key=lambda e: (len(e[1]), -e[0].number))
        dropped = {entry[0].number for entry in droppable[: len(unlocked) - needed]}
        unlocked = [entry for entry in unlocked if entry[0].number not in dropped]
    taken = {t.number for t, _ in locked} | {t.number for t, _, _ in unlocked}
    number = 1
    while len(unlocked) < needed:  # new tables take the lowest free numbers
        while number in taken:
            number += 1
        unlocked.append((Table(number=number), [], set()))
        taken.add(number)

    # Table indexes: locked first, then unlocked, each in number order.
    all_tables = [(t, m, set(), True) for t, m in locked] + [(t, m, p, False) for t, m, p in unlocked]
    all_tables.sort(key=lambda entry: entry[0].number)
    numbers = [entry[0].number for entry in all_tables]
    is_locked = [entry[3] for entry in all_tables]
    open_tables = [t for t, entry in enumerate(all_tables) if not entry[3]]

    sectors = sorted({by_key[k].sector for k in keys}, key=lambda s: (s is None, str(s)))
    sector_index = {s: i for i, s in enumerate(sectors)}
    orgs = sorted({by_key[k].organisation_key for k in keys} - {""})
    org_index = {o: i for i, o in enumerate(orgs)}
    sector_of = [sector_index[by_key[k].sector] for k in keys]
    org_of = [org_index.get(by_key[k].organisation_key, -1) for k in keys]
    met_pairs = {pair_key(index[a], index[b]) for a, b in normalise_met(met) if a in index and b in index}
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in sorted(met_pairs):
        neighbours[a].append(b)
        neighbours[b].append(a)

    pins_at = {t: {index[k] for k in entry[2]} for t, entry in enumerate(all_tables)}
    pinned = {i for members in pins_at.values() for i in members}
    movable_count = len(movable_keys)
    n_open = len(open_tables)
    lo = min(min_size, movable_count // n_open) if n_open else min_size
    hi = [max(max_size, len(pins_at[t])) for t in range(len(all_tables))]

    prev = [-1] * n
    table_of = [-1] * n
    for t, (_table, members, _pins, _locked) in enumerate(all_tables):
        for key in members:
            prev[index[key]] = t
    for t, entry in enumerate(all_tables):
        if entry[3]:
            for key in entry[1]:
                table_of[index[key]] = t
    for t, members in pins_at.items():
        for i in members:
            table_of[i] = t

    state = _State(
        n_total=n,
        sector_totals=[sum(1 for s in sector_of if s == si) for si in range(len(sectors))],
        sector_of=sector_of,
        org_of=org_of,
        neighbours=neighbours,
        met=met_pairs,
        prev=prev,
        lo=lo,
        hi=hi,
        locked=is_locked,
        table_of=table_of,
    )
    state.rebuild(table_of)
    rng = random.Random(seed)
    free = [index[k] for k in movable_keys if index[k] not in pinned]
    search = _Search(state, movable=free, open_tables=open_tables, rng=rng)

    if open_tables:
        _greedy_start(state, search, free, open_tables, rng)
        search.run(effort)

    # The result, checked: everyone exactly once, locked tables as they were, pins kept.
    result: dict[int, list[int]] = {number: [] for number in numbers}
    for i, t in enumerate(state.table_of):
        if t < 0:
            raise AssertionError(f"person {keys[i]!r} was left without a table")
        result[numbers[t]].append(keys[i])
    placed = [k for members in result.values() for k in members]
    if sorted(placed) != keys:
        raise AssertionError("a person was lost or seated twice")
    for table, members in locked:
        if sorted(result[table.number]) != sorted(members):
            raise AssertionError(f"locked table {table.number} changed")
    for t, members in pins_at.items():
        for i in members:
            if state.table_of[i] != t:
                raise AssertionError(f"pinned person {keys[i]!r} moved")
    tables_out = {number: tuple(sorted(members)) for number, members in sorted(result.items()) if members}
    # Keep empty unlocked tables only if they hold a pin (they cannot be empty then) — drop the rest.
    return Plan(tables=tables_out, cost=state.cost(), min_size=min_size, max_size=max_size)


def _greedy_start(state: _State, search: _Search, free: list[int], open_tables: list[int], rng) -> None:
    """Previous tables where they still exist and have room; everyone else, rarest sector first,
    to the table where they cost least (within balanced target sizes on a new plan)."""
    to_place = []
    for i in free:
        t = state.prev[i]
        if t >= 0 and not state.locked[t] and t in open_tables and state.size[t] < state.hi[t]:
            state.move(i, t)
        else:
            to_place.append(i)
    # Target sizes: even water-filling from the current sizes.
    target = {t: state.size[t] for t in open_tables}
    for _ in range(len(to_place)):
        t = min(open_tables, key=lambda x: (target[x], x))
        target[t] += 1
    sector_freq = Counter(state.sector_of[i] for i in range(len(state.table_of)))
    org_freq = Counter(o for o in state.org_of if o >= 0)
    tiebreak = {i: rng.random() for i in to_place}
    to_place.sort(
        key=lambda i: (
            sector_freq[state.sector_of[i]],
            -org_freq.get(state.org_of[i], 0),
            -len(state.neighbours[i]),
            tiebreak[i],
        )
    )
    for i in to_place:
        best_t, best_cost = None, None
        for t in open_tables:
            if state.size[t] >= target[t]:
                continue
            cost = _insert_cost(state, search, i, t)
            if best_cost is None or cost < best_cost:
                best_t, best_cost = t, cost
        if best_t is None:  # every table at target (cannot happen), fall back to the smallest
            best_t = min(open_tables, key=lambda x: (state.size[x], x))
        state.move(i, best_t)


def _insert_cost(state: _State, search: _Search, i: int, t: int) -> int:
    _, w_sector, w_org, w_repeat, w_moved = search.w
    size = state.size[t]
    sec = state.sector_of[i]
    d1 = state.table_sector_cost(t, size + 1, {sec: 1}) - state.table_sector_cost(t, size)
    o = state.org_of[i]
    d2 = state.ocount[t][o] if o >= 0 else 0
    d3 = state.mcount[i][t]
    d4 = 1 if state.prev[i] >= 0 and state.prev[i] != t else 0
    return d1 * w_sector + d2 * w_org + d3 * w_repeat + d4 * w_moved


# --- Explaining a plan -------------------------------------------------------------------------


@dataclass(frozen=True)
class TableFigures:
    number: int
    size: int
    sectors: dict[Hashable | None, int]
    all_sectors: bool
    pairs: int
    first_time_pairs: int
    same_organisation_pairs: int


@dataclass(frozen=True)
class Figures:
    tables: list[TableFigures]
    pairs: int
    first_time_pairs: int
    groups_with_all_sectors: int
    sector_count: int
    same_organisation_pairs: int

    @property
    def first_time_share(self) -> float | None:
        return self.first_time_pairs / self.pairs if self.pairs else None


def evaluate(
    tables: Mapping[int, Sequence[int]], people: Mapping[int, Person], met: Iterable[Iterable[int]] = ()
) -> Figures:
    """Per table its sector mix; overall, the pairs meeting for the first time and tables with every sector.

    "Every sector" means every sector present in the room (people without a sector are not a sector).
    """
    met_pairs = normalise_met(met)
    room_sectors = {people[k].sector for members in tables.values() for k in members} - {None}
    rows = []
    for number in sorted(tables):
        members = [k for k in tables[number] if k in people]
        counts = Counter(people[k].sector for k in members)
        orgs = Counter(people[k].organisation_key for k in members if people[k].organisation_key)
        pairs = len(members) * (len(members) - 1) // 2
        repeats = sum(
            1
            for x in range(len(members))
            for y in range(x + 1, len(members))
            if pair_key(members[x], members[y]) in met_pairs
        )
        rows.append(
            TableFigures(
                number=number,
                size=len(members),
                sectors=dict(sorted(counts.items(), key=lambda kv: (kv[0] is None, str(kv[0])))),
                all_sectors=bool(room_sectors) and room_sectors <= set(counts),
                pairs=pairs,
                first_time_pairs=pairs - repeats,
                same_organisation_pairs=sum(c * (c - 1) // 2 for c in orgs.values()),
            )
        )
    return Figures(
        tables=rows,
        pairs=sum(r.pairs for r in rows),
        first_time_pairs=sum(r.first_time_pairs for r in rows),
        groups_with_all_sectors=sum(1 for r in rows if r.all_sectors),
        sector_count=len(room_sectors),
        same_organisation_pairs=sum(r.same_organisation_pairs for r in rows),
    )


def random_tables(keys: Iterable[int], sizes: Sequence[int], *, seed: int) -> dict[int, tuple[int, ...]]:
    """A random seating with the given table sizes (the baseline): shuffle with the seed and deal out."""
    shuffled = sorted(keys)
    random.Random(seed).shuffle(shuffled)
    out, start = {}, 0
    for number, size in enumerate(sizes, start=1):
        out[number] = tuple(sorted(shuffled[start : start + size]))
        start += size
    if start < len(shuffled):  # more people than seats: the rest join the last table
        last = len(sizes) or 1
        out[last] = tuple(sorted((*out.get(last, ()), *shuffled[start:])))
    return out
