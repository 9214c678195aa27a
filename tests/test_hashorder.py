"""hashorder reproduces CPython's str hashes and set iteration order under PYTHONHASHSEED=0 (asked of a real
interpreter in a subprocess, so the test fails if either side changes)."""

from __future__ import annotations

import json
import random
import subprocess
import sys

from comfy_contract.validation.hashorder import set_order, str_hash, union_order

_PROBE = r'''
import json, sys
d = json.load(sys.stdin)
s_orders = []
for keys in d["s"]:
    s = set()
    for k in keys:
        s.add(k)
    s_orders.append(list(s))
json.dump({"h": [hash(w) for w in d["words"]],
           "u": [list(set(dict.fromkeys(a)).union(set(dict.fromkeys(b)))) for a, b in d["u"]],
           "s": s_orders}, sys.stdout)
'''


def test_hashes_and_set_orders_match_cpython_with_hash_seed_0() -> None:
    rng = random.Random(14)
    alphabet = "abcdefghijklmnopqrstuvwxyz_0123456789"
    words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))) for _ in range(300)]
    unions = []
    for _ in range(150):
        pool = rng.sample(words, rng.randint(0, 16) + rng.randint(0, 8))
        cut = rng.randint(0, len(pool))
        unions.append((pool[:cut], pool[cut:]))
    adds = [[str(rng.randint(0, 300)) for _ in range(rng.randint(0, 60))] for _ in range(150)]
    extra = ["", "é", "ünï", "日本語", "😀 x", "seed", "latent_image", "model"]
    real = json.loads(subprocess.run(
        [sys.executable, "-c", _PROBE], input=json.dumps({"words": words + extra, "u": unions, "s": adds}),
        capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": "0"}).stdout)
    mask = (1 << 64) - 1
    assert [str_hash(w) for w in words + extra] == [h & mask for h in real["h"]]
    assert [union_order(a, b) for a, b in unions] == real["u"]
    assert [set_order(keys) for keys in adds] == real["s"]
