"""The smallest set of changes between two node graphs: which node of A is which node of B.

A *mapping* pairs some nodes of A with nodes of B (one to one). Its cost is the number of changes it
implies, each weighted :data:`EFFECTIVE` (a difference that counts) or ``1`` (a difference a
normalisation rule ignores):

- a node of A or B left unpaired: one change (node removed / added);
- a pair of different classes: one change (node replaced), plus its inputs' differences;
- per input of a pair: one change if the input is only on one side, if the literals differ, or if a
  link does not point to the partner of the other side's source (or its slot differs).

:func:`best_mapping` looks for the cheapest mapping in three steps, each keeping the best so far:
1. **anchors and neighbours**: nodes are refined by class, literals and their up- and downstream
   neighbourhood (Weisfeiler-Lehman, both directions); equal signatures are paired from the deepest
   round to the shallowest, look-alikes preferring the partner whose linked neighbours are already
   paired alike (so symmetric and duplicated branches are paired branch by branch);
2. **local search**: swap the partners of two nodes, unpair or pair nodes, while the cost goes down;
3. **branch and bound** over every mapping, starting from that cost, with an admissible bound and a
   budget of :data:`BUDGET` search steps: on small graphs it proves the mapping minimal (measured
   against brute force in ``tests/test_graphmatch.py``); on large ones it stops at the budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from comfy_contract.snapshot.canonical import MISSING, GraphNode, NodeGraph, Ref, Value

__all__ = ["BUDGET", "EFFECTIVE", "Mapping_", "best_mapping", "input_weight", "mapping_cost"]

#: the weight of a difference that counts; an ignored one weighs 1 (so fewer real changes always win)
EFFECTIVE = 1 << 20
#: search steps of the branch and bound (a 20-node pair needs a few hundred)
BUDGET = 20_000

Mapping_ = dict[str, str]  # A id -> B id


def input_weight(va: Value | None, vb: Value | None, m: Mapping[str, str], ignored: bool) -> int:
    """0 if input values ``va`` (in A) and ``vb`` (in B) agree under mapping ``m``, 1 if only a rule hides
    the difference, else :data:`EFFECTIVE` (``ignored``: the nodes are opaque, every difference is 1)."""
    heavy = 1 if ignored else EFFECTIVE
    if va is None or vb is None:
        return 0 if va is vb else heavy
    ra, rb = va.raw, vb.raw
    if isinstance(ra, Ref) and isinstance(rb, Ref):
        if ra.slot == rb.slot and (m.get(ra.node) == rb.node or (ra.node == rb.node == MISSING)):
            return 0
    elif not isinstance(ra, Ref) and not isinstance(rb, Ref) and _same(ra, rb):
        return 0
    ma, mb = va.masked, vb.masked
    if not isinstance(ma, Ref) and not isinstance(mb, Ref) and _same(ma, mb):
        return 1
    return heavy


def _same(x: object, y: object) -> bool:
    return x == y and repr(x) == repr(y)  # repr: 1 vs 1.0 vs True differ, as in the canonical label


def _unpaired(node: GraphNode) -> int:
    return 1 if node.opaque is not None else EFFECTIVE


@dataclass
class _Problem:
    a: Mapping[str, GraphNode]
    b: Mapping[str, GraphNode]

    def __post_init__(self) -> None:
        self.cons_a = _consumers(self.a)
        self.cons_b = _consumers(self.b)
        self._local: dict[tuple[str, str], int] = {}
        self.by_class_b: dict[str, list[str]] = {}
        for y, node in self.b.items():
            self.by_class_b.setdefault(node.class_type, []).append(y)

    def allowed(self, x: str, y: str) -> bool:
        return (self.a[x].opaque is None) == (self.b[y].opaque is None)

    def local(self, x: str, y: str) -> int:
        """The part of a pair's cost that does not depend on the mapping (links counted as agreeing when
        both sides are links, to sources still to be decided)."""
        key = (x, y)
        known = self._local.get(key)
        if known is not None:
            return known
        na, nb = self.a[x], self.b[y]
        ignored = na.opaque is not None
        cost = 0 if na.class_type == nb.class_type else (1 if ignored else EFFECTIVE)
        for name in na.inputs.keys() | nb.inputs.keys():
            va, vb = na.inputs.get(name), nb.inputs.get(name)
            if va is not None and vb is not None and isinstance(va.raw, Ref) and isinstance(vb.raw, Ref):
                if va.raw.slot != vb.raw.slot or (va.raw.node == MISSING) != (vb.raw.node == MISSING):
                    cost += input_weight(va, vb, {}, ignored)
                continue
            cost += input_weight(va, vb, {}, ignored)
        self._local[key] = cost
        return cost

    def links_cost(self, x: str, y: str, m: Mapping[str, str]) -> int:
        """The cost of the pair's links whose both sides are links (the rest is in :meth:`local`)."""
        na, nb = self.a[x], self.b[y]
        ignored = na.opaque is not None
        cost = 0
        for name, va in na.inputs.items():
            vb = nb.inputs.get(name)
            if vb is None or not isinstance(va.raw, Ref) or not isinstance(vb.raw, Ref):
                continue
            if va.raw.slot != vb.raw.slot or (va.raw.node == MISSING) != (vb.raw.node == MISSING):
                continue  # counted in local
            if va.raw.node != MISSING and m.get(va.raw.node) != vb.raw.node:
                cost += input_weight(va, vb, m, ignored)
        return cost

    def pair_cost(self, x: str, y: str, m: Mapping[str, str]) -> int:
        return self.local(x, y) + self.links_cost(x, y, m)

    def cost(self, m: Mapping[str, str]) -> int:
        used = set(m.values())
        total = sum(_unpaired(n) for k, n in self.a.items() if k not in m)
        total += sum(_unpaired(n) for k, n in self.b.items() if k not in used)
        return total + sum(self.pair_cost(x, y, m) for x, y in m.items())


def _consumers(nodes: Mapping[str, GraphNode]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {k: [] for k in nodes}
    for nid, node in nodes.items():
        for v in node.inputs.values():
            if isinstance(v.raw, Ref) and v.raw.node in out and nid not in out[v.raw.node]:
                out[v.raw.node].append(nid)
    return out


def mapping_cost(a: NodeGraph, b: NodeGraph, m: Mapping[str, str]) -> int:
    """The weighted cost of mapping ``m`` (see the module docstring)."""
    return _Problem(a.nodes, b.nodes).cost(m)


def best_mapping(a: NodeGraph, b: NodeGraph, *, budget: int = BUDGET) -> Mapping_:
    """The cheapest mapping found (minimal when the branch and bound finished within ``budget``)."""
    p = _Problem(a.nodes, b.nodes)
    m = _initial(p)
    bound = _lower_bound(p)
    if p.cost(m) <= bound:
        return m  # provably minimal already (the usual case: equal graphs, or a few literal changes)
    m = _local_search(p, m)
    if p.cost(m) <= bound:
        return m
    return _branch_and_bound(p, m, budget)


def _floor(p: _Problem, x: str) -> int:
    """The least x can cost: unpaired, or paired with a node of its class (another class costs at least
    as much as leaving it unpaired)."""
    cls = p.a[x].class_type
    return min([_unpaired(p.a[x])] + [p.local(x, y) for y in p.by_class_b.get(cls, ()) if p.allowed(x, y)])


def _lower_bound(p: _Problem) -> int:
    return sum(_floor(p, x) for x in p.a)


# --- 1. anchors and neighbours -------------------------------------------------------------------


def _signatures(nodes: Mapping[str, GraphNode], cons: Mapping[str, list[str]], rounds: int) -> list[dict[str, int]]:
    """Per round, a signature per node: round 0 is class, literals and link names; each further round adds
    the previous signatures of the sources (by input) and of the consumers (by input). Signatures are only
    compared within one process (``hash``); whatever is ordered by them is ordered by node id as well."""
    sig: dict[str, int] = {}
    up: dict[str, list[tuple[str, int, str]]] = {}
    down: dict[str, list[tuple[str, str]]] = {}
    for nid, node in nodes.items():
        lits = tuple(sorted((k, repr(v.masked)) for k, v in node.inputs.items() if not isinstance(v.raw, Ref)))
        up[nid] = [(k, v.raw.slot, v.raw.node) for k, v in node.inputs.items() if isinstance(v.raw, Ref)]
        sig[nid] = hash((node.class_type, node.opaque is None, node.output, lits,
                         tuple(sorted((k, slot) for k, slot, _ in up[nid]))))
        down[nid] = []
    for nid in nodes:
        for name, _, src in up[nid]:
            if src in down:
                down[src].append((name, nid))
    out = [sig]
    distinct = len(set(sig.values()))
    for _ in range(rounds):
        prev = out[-1]
        nxt = {nid: hash((prev[nid],
                          tuple(sorted((k, slot, prev.get(src, 0)) for k, slot, src in up[nid])),
                          tuple(sorted((k, prev[c]) for k, c in down[nid]))))
               for nid in nodes}
        out.append(nxt)
        now = len(set(nxt.values()))
        if now == distinct:
            break  # stable partition: deeper rounds refine nothing
        distinct = now
    return out


def _initial(p: _Problem) -> Mapping_:
    limit = min(len(p.a) + len(p.b), 12)
    sig_a = _signatures(p.a, p.cons_a, limit)
    sig_b = _signatures(p.b, p.cons_b, limit)
    rounds = min(len(sig_a), len(sig_b)) - 1
    m: Mapping_ = {}
    used: set[str] = set()
    for depth in range(rounds, -1, -1):
        groups_a: dict[int, list[str]] = {}
        groups_b: dict[int, list[str]] = {}
        for x in sorted(p.a, key=_id_key):
            if x not in m:
                groups_a.setdefault(sig_a[depth][x], []).append(x)
        for y in sorted(p.b, key=_id_key):
            if y not in used:
                groups_b.setdefault(sig_b[depth][y], []).append(y)
        # unique look-alikes first, then groups of copies branch by branch (most agreeing neighbours)
        for key in sorted(groups_a, key=lambda k: (len(groups_a[k]), _id_key(groups_a[k][0]))):
            free = [y for y in groups_b.get(key, ()) if y not in used]
            for x in groups_a[key]:
                if not free:
                    break
                scores = [(_agreement(p, x, y, m), -i) for i, y in enumerate(free)]
                y = free[scores.index(max(scores))]
                m[x] = y
                used.add(y)
                free.remove(y)
    # leftovers: same class, best local fit and agreement
    for x in sorted(p.a, key=lambda k: (p.a[k].class_type, _id_key(k))):
        if x in m:
            continue
        best: tuple[int, str] | None = None
        for y in sorted(p.b, key=_id_key):
            if y in used or not p.allowed(x, y):
                continue
            gain = _unpaired(p.a[x]) + _unpaired(p.b[y]) - p.local(x, y) + _agreement(p, x, y, m) * EFFECTIVE
            if gain > 0 and (best is None or gain > best[0]):
                best = (gain, y)
        if best is not None:
            m[x] = best[1]
            used.add(best[1])
    return m


def _id_key(nid: str) -> tuple[int, str]:
    return (len(nid), nid) if nid.isdigit() else (10**9, nid)


def _agreement(p: _Problem, x: str, y: str, m: Mapping[str, str]) -> int:
    """How many links of x and y (both directions) already agree under ``m``."""
    score = 0
    na, nb = p.a[x], p.b[y]
    for name, va in na.inputs.items():
        vb = nb.inputs.get(name)
        if vb is not None and isinstance(va.raw, Ref) and isinstance(vb.raw, Ref) and m.get(va.raw.node) == vb.raw.node:
            score += 1
    cons_b = set(p.cons_b.get(y, ()))
    for c in p.cons_a.get(x, ()):
        if m.get(c) in cons_b:
            score += 1
    return score


# --- 2. local search -----------------------------------------------------------------------------


def _local_search(p: _Problem, m: Mapping_) -> Mapping_:
    """Swap partners, move to a free partner, or unpair, while the cost goes down (each move is priced
    on the nodes it touches and their consumers only)."""
    m = dict(m)
    inv = {y: x for x, y in m.items()}
    a_ids, b_ids = sorted(p.a), sorted(p.b)

    def part(mm: Mapping[str, str], ii: Mapping[str, str], xs: set[str], ys: set[str]) -> int:
        pairs = set(xs)
        for x in xs:
            pairs.update(p.cons_a[x])
        for y in ys:
            pairs.update(ii[c] for c in p.cons_b[y] if c in ii)
        cost = sum(_unpaired(p.a[x]) for x in xs if x not in mm)
        cost += sum(_unpaired(p.b[y]) for y in ys if y not in ii)
        return cost + sum(p.pair_cost(x, mm[x], mm) for x in pairs if x in mm)

    def attempt(trial: dict[str, str], xs: set[str], ys: set[str]) -> bool:
        nonlocal m, inv
        trial_inv = {y: x for x, y in trial.items()}
        touched_a = xs | {inv[c] for y in ys for c in p.cons_b[y] if c in inv} | {
            trial_inv[c] for y in ys for c in p.cons_b[y] if c in trial_inv}
        before = part(m, inv, touched_a, ys)
        after = part(trial, trial_inv, touched_a, ys)
        if after < before:
            m, inv = trial, trial_inv
            return True
        return False

    for _ in range(20):
        improved = False
        for i, x in enumerate(a_ids):
            for x2 in a_ids[i + 1:]:
                y, y2 = m.get(x), m.get(x2)
                if (y is None and y2 is None) or (y is not None and not p.allowed(x2, y)) or (
                        y2 is not None and not p.allowed(x, y2)):
                    continue
                trial = dict(m)
                trial.pop(x, None)
                trial.pop(x2, None)
                if y2 is not None:
                    trial[x] = y2
                if y is not None:
                    trial[x2] = y
                improved |= attempt(trial, {x, x2}, {v for v in (y, y2) if v is not None})
            for y in b_ids:  # move x to a free node of B
                if y in inv or not p.allowed(x, y):
                    continue
                trial = dict(m)
                old = trial.get(x)
                trial[x] = y
                improved |= attempt(trial, {x}, {y} | ({old} if old is not None else set()))
            if x in m:  # or unpair it
                trial = dict(m)
                old = trial.pop(x)
                improved |= attempt(trial, {x}, {old})
        if not improved:
            break
    return m


# --- 3. branch and bound -------------------------------------------------------------------------


def _order(p: _Problem, m: Mapping[str, str]) -> list[str]:
    """A nodes, each after as many of its neighbours as possible (so links are decided early)."""
    order: list[str] = []
    seen: set[str] = set()
    starts = sorted(p.a, key=lambda k: (not p.a[k].output, k))
    for start in starts:
        stack = [start]
        while stack:
            nid = stack.pop()
            if nid in seen:
                continue
            seen.add(nid)
            order.append(nid)
            ups = [v.raw.node for v in p.a[nid].inputs.values() if isinstance(v.raw, Ref) and v.raw.node in p.a]
            stack.extend(sorted(set(ups) | set(p.cons_a[nid]), reverse=True))
    return order


def _branch_and_bound(p: _Problem, start: Mapping_, budget: int) -> Mapping_:
    order = _order(p, start)
    index = {x: i for i, x in enumerate(order)}
    best = dict(start)
    best_cost = p.cost(start)
    b_ids = sorted(p.b)
    floor = [_floor(p, x) for x in order]
    rest = [0] * (len(order) + 1)
    for i in range(len(order) - 1, -1, -1):
        rest[i] = rest[i + 1] + floor[i]
    steps = 0
    m: Mapping_ = {}
    used: set[str] = set()

    def decided_links(x: str, y: str | None) -> int:
        """The links that become decided when x is given y (pairs only count their own side)."""
        cost = 0
        i = index[x]
        if y is not None:
            for name, v in p.a[x].inputs.items():
                src = v.raw.node if isinstance(v.raw, Ref) else None
                if src is not None and src in index and (index[src] < i or src == x):
                    cost += _link(p, x, y, name, m)
        for c in p.cons_a[x]:
            if index.get(c, len(order)) < i and c in m:
                for name, v in p.a[c].inputs.items():
                    if isinstance(v.raw, Ref) and v.raw.node == x:
                        cost += _link(p, c, m[c], name, m)
        return cost

    def visit(i: int, cost: int) -> None:
        nonlocal best, best_cost, steps
        steps += 1
        if steps > budget or cost + rest[i] >= best_cost:
            return
        if i == len(order):
            total = cost + sum(_unpaired(p.b[y]) for y in b_ids if y not in used)
            if total < best_cost:
                best, best_cost = dict(m), total
            return
        x = order[i]
        options: list[tuple[int, str | None]] = []
        for y in b_ids:
            if y not in used and p.allowed(x, y):
                options.append((p.local(x, y), y))
        options.sort(key=lambda o: (o[1] != start.get(x), o[0], o[1]))
        options.insert(1 if start.get(x) is not None else 0, (_unpaired(p.a[x]), None))
        for local, choice in options:
            if cost + local + rest[i + 1] >= best_cost:
                continue
            if choice is not None:
                m[x] = choice
                used.add(choice)
            extra = decided_links(x, choice)
            visit(i + 1, cost + local + extra)
            if choice is not None:
                del m[x]
                used.discard(choice)
            if steps > budget:
                return

    visit(0, 0)
    return best


def _link(p: _Problem, x: str, y: str, name: str, m: Mapping[str, str]) -> int:
    """The cost of x's linked input ``name`` against its partner y's input of the same name."""
    va = p.a[x].inputs[name]
    vb = p.b[y].inputs.get(name)
    if vb is None or not isinstance(va.raw, Ref) or not isinstance(vb.raw, Ref):
        return 0  # in local
    if va.raw.slot != vb.raw.slot or (va.raw.node == MISSING) != (vb.raw.node == MISSING):
        return 0  # in local
    if va.raw.node == MISSING or m.get(va.raw.node) == vb.raw.node:
        return 0
    return input_weight(va, vb, m, p.a[x].opaque is not None)
