#!/usr/bin/env python3
"""bench/genjson.py MIB: a compact JSON array of about MIB MiB on standard output.

Small objects with keys, short strings (some with escapes and UTF-8),
integers, decimals, literals and a nested array; the same records for every
size. Used by bench/run (row 7) and bench/prettyjson-run.
"""
import json
import random
import sys

size = int(sys.argv[1]) << 20
random.seed(1)
words = ["alpha", "beta", "gamma", "delta", "widget", "gizmo", "caf\u00e9", "line\nbreak", "quote\"d"]
recs = [json.dumps({"id": i * 7919, "name": random.choice(words) + str(i),
                    "price": round(random.random() * 1000, 2), "ok": i % 3 == 0,
                    "tags": [random.choice(words), random.choice(words)], "note": None},
                   separators=(",", ":"), ensure_ascii=False) for i in range(4096)]
block = ",".join(recs).encode()
out = sys.stdout.buffer
out.write(b"[")
n, first = 1, True
while n + len(block) + 2 <= size:
    out.write(block if first else b"," + block)
    n += len(block) + (0 if first else 1)
    first = False
out.write(b"]")
