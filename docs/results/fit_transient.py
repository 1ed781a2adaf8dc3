#!/usr/bin/env python3
"""Fits the growth of D-SGD's transient iterations with n against the theory's expressions.

Reads `decent sweep` table output on stdin (rows: algorithm topology nodes rho final psgd
transient) and, over the rows with a measured (finite, non-zero) transient stage, fits
log T = a + b log P by least squares for P = n^3 rho^4 / (1 - rho)^2 (iid theory) and
P = n^3 rho^4 / (1 - rho)^4 (heterogeneous theory), and for P = n (a plain power law).
A slope b near 1 means T grows like P."""
import math
import sys


def fit(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    a = my - b * mx
    ss = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    st = sum((y - my) ** 2 for y in ys)
    return b, 1 - ss / st if st > 0 else 1.0


rows = []
for line in sys.stdin:
    parts = line.split()
    if len(parts) >= 7 and parts[0] == "dsgd":
        n, rho, transient = int(parts[2]), float(parts[3]), parts[6]
        print(f"n={n:3d} rho={rho:.4f} transient={transient}")
        if transient.isdigit() and int(transient) > 0:
            rows.append((n, rho, int(transient)))
if len(rows) < 3:
    print(f"only {len(rows)} sizes with a measured transient stage: no fit")
    sys.exit(0)
logt = [math.log(t) for _, _, t in rows]
for name, p in [("n^3 rho^4/(1-rho)^2 (iid)", lambda n, r: n ** 3 * r ** 4 / (1 - r) ** 2),
                ("n^3 rho^4/(1-rho)^4 (heterogeneous)", lambda n, r: n ** 3 * r ** 4 / (1 - r) ** 4),
                ("n", lambda n, r: n)]:
    b, r2 = fit([math.log(p(n, r)) for n, r, _ in rows], logt)
    print(f"T ~ P^b with P = {name}: b = {b:.2f} (R^2 = {r2:.3f}) over n = {[n for n, _, _ in rows]}")
