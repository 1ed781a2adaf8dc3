#!/usr/bin/env python3
"""Fits the growth of D-SGD's transient iterations with n against the theory's expressions.

Reads one or more `decent sweep` tables (rows: algorithm topology nodes rho final psgd
transient), from the files named on the command line (one per seed) or from stdin. For each
table, and for the geometric mean of T over the tables at each n, it fits log T = a + b log P
by least squares over the sizes with a measured (finite, non-zero) transient stage, for

  P = n / (1-rho)             strongly convex, iid        (Koloskova et al. 2020; Pu et al. 2021)
  P = n / (1-rho)^2           strongly convex, non-iid    (same; Yuan, Alghunaim, Huang 2023)
  P = n^3 rho^4 / (1-rho)^2   non-convex, iid             (docs/algorithms.md)
  P = n^3 rho^4 / (1-rho)^4   non-convex, non-iid         (docs/algorithms.md)
  P = n                       a plain power law

A slope b near 1 means T grows like P. The lab's problems are l2-regularised, hence strongly
convex: the first two are the expressions that apply to them."""
import math
import sys

EXPRESSIONS = [
    ("n/(1-rho)      (strongly convex, iid)", lambda n, r: n / (1 - r)),
    ("n/(1-rho)^2    (strongly convex, non-iid)", lambda n, r: n / (1 - r) ** 2),
    ("n^3 rho^4/(1-rho)^2 (non-convex, iid)", lambda n, r: n ** 3 * r ** 4 / (1 - r) ** 2),
    ("n^3 rho^4/(1-rho)^4 (non-convex, non-iid)", lambda n, r: n ** 3 * r ** 4 / (1 - r) ** 4),
    ("n", lambda n, r: n),
]


def fit(xs, ys):
    """Least-squares slope and R^2 of ys against xs."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    a = my - b * mx
    ss = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    st = sum((y - my) ** 2 for y in ys)
    return b, 1 - ss / st if st > 0 else 1.0


def read_table(lines):
    """{n: (rho, transient or None)} from a sweep table's dsgd rows."""
    rows = {}
    for line in lines:
        parts = line.split()
        if len(parts) >= 7 and parts[0] == "dsgd":
            t = parts[6]
            rows[int(parts[2])] = (float(parts[3]), int(t) if t.isdigit() else None)
    return rows


def slopes(points):
    """{expression: (b, R^2)} over points [(n, rho, T)] with T > 0; None if too few."""
    points = [(n, r, t) for n, r, t in points if t]
    if len(points) < 3:
        return None
    logt = [math.log(t) for _, _, t in points]
    return {name: fit([math.log(p(n, r)) for n, r, _ in points], logt) for name, p in EXPRESSIONS}


def main():
    names = sys.argv[1:]
    tables = [read_table(open(f)) for f in names] if names else [read_table(sys.stdin)]
    names = names or ["stdin"]
    sizes = sorted(set().union(*tables))
    print("n    rho     " + "  ".join(f"{name:>12}" for name in names) + "    geo-mean")
    mean_points = []
    for n in sizes:
        rho = next(t[n][0] for t in tables if n in t)
        values = [t.get(n, (rho, None))[1] for t in tables]
        cells = "  ".join(f"{'never' if v is None else v:>12}" for v in values)
        positive = [v for v in values if v]
        # The geometric mean needs every table's value to be a finite positive count.
        gm = math.exp(sum(math.log(v) for v in positive) / len(positive)) if len(positive) == len(values) else None
        print(f"{n:<4} {rho:.4f}  {cells}    {'-' if gm is None else f'{gm:.0f}'}")
        mean_points.append((n, rho, gm))
    per_table = [slopes([(n, t[n][0], t[n][1]) for n in sorted(t)]) for t in tables]
    mean_fit = slopes(mean_points)
    print()
    for name, _ in EXPRESSIONS:
        seeds = [s[name][0] for s in per_table if s]
        spread = f"per table {', '.join(f'{b:.2f}' for b in seeds)}" if seeds else "per table: too few sizes"
        if mean_fit:
            b, r2 = mean_fit[name]
            print(f"T ~ P^b, P = {name}: b = {b:.2f} (R^2 {r2:.2f}) on the geometric mean; {spread}")
        else:
            print(f"T ~ P^b, P = {name}: fewer than 3 sizes with a transient stage; {spread}")


if __name__ == "__main__":
    main()
