#!/usr/bin/python3
"""Static check of the Julia module against the C header (Julia cannot run here).

    check_julia_ccalls.py DECENT_H LIBDECENT_JL LIBDECENT_SO

Checks that every function of decent.h has exactly one ccall in LibDecent.jl; that every ccall
names a function the library exports, with the header's argument count and compatible argument
and return types; and that the Julia structs TrainOptions and Progress have the C structs'
fields in the same order with compatible types. Exits 1 listing every problem."""
import re
import subprocess
import sys

SCALARS = {
    "void": {"Cvoid"}, "int": {"Cint", "Int32"}, "int32_t": {"Int32", "Cint"},
    "int64_t": {"Int64"}, "uint64_t": {"UInt64"}, "size_t": {"Csize_t", "UInt64"},
    "double": {"Cdouble", "Float64"}, "float": {"Cfloat", "Float32"},
    "decent_status": {"decent_status", "Cint"}, "decent_reduce_op": {"Cint"},
    "decent_progress_kind": {"Cint"}, "decent_log_level": {"Cint"},
    "decent_log_fn": {"Ptr{Cvoid}"},
    "decent_progress_fn": {"Ptr{Cvoid}"}, "decent_node_fn": {"Ptr{Cvoid}"},
}
STRUCTS = {"decent_train_options": "TrainOptions", "decent_progress": "Progress"}


def c_functions(header):
    text = re.sub(r"/\*.*?\*/", "", header, flags=re.S)
    out = {}
    for m in re.finditer(r"DECENT_API\s+([^;(]+?)\s*\b(decent_\w+)\s*\(([^)]*)\)\s*;", text):
        ret, name, params = m.group(1), m.group(2), m.group(3).strip()
        args = [] if params in ("", "void") else [p.strip() for p in params.split(",")]
        types = [re.sub(r"\s*\b\w+$", "", a) if not a.endswith("*") else a for a in args]
        out[name] = (normal(ret), [normal(t) for t in types])
    return out


def normal(c_type):
    t = c_type.replace("const", " ").replace("DECENT_API", " ")
    stars = t.count("*")
    base = t.replace("*", " ").split()
    return (" ".join(base), stars)


def c_struct(header, name):
    m = re.search(r"typedef struct %s \{(.*?)\} %s;" % (name, name), header, re.S)
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    fields = []
    for decl in body.split(";"):
        decl = decl.strip()
        if decl:
            t, n = re.match(r"(.*?)(\w+)$", decl).groups()
            fields.append((n, normal(t)))
    return fields


def allowed(c_type):
    base, stars = c_type
    if base in STRUCTS and stars == 1:
        return {"Ref{%s}" % STRUCTS[base], "Ptr{%s}" % STRUCTS[base]}
    if base.startswith("decent_") and base not in SCALARS:  # opaque handles
        return {"Ptr{Cvoid}"} if stars == 1 else {"Ptr{Ptr{Cvoid}}"} if stars == 2 else set()
    if base == "char":
        return {"Cstring", "Ptr{UInt8}", "Ptr{Cchar}"} if stars == 1 else \
               {"Ptr{Cstring}", "Ptr{Ptr{UInt8}}"} if stars == 2 else set()
    if base == "void" and stars == 1:
        return {"Ptr{Cvoid}", "Any"}
    kinds = SCALARS.get(base, set())
    for _ in range(stars):
        kinds = {"Ptr{%s}" % k for k in kinds} | {"Ref{%s}" % k for k in kinds}
    return kinds


def split_top(s):
    """Splits on commas outside braces."""
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def julia_ccalls(jl):
    calls = []
    for m in re.finditer(r"ccall\(\(:(\w+),\s*libdecent\),\s*([\w{}]+),\s*\(([^()]*)\)", jl):
        calls.append((m.group(1), m.group(2), split_top(m.group(3))))
    return calls


def julia_struct(jl, name):
    m = re.search(r"struct %s\n(.*?)\nend" % name, jl, re.S)
    return [tuple(x.strip() for x in line.split("::")) for line in m.group(1).strip().splitlines()]


def main():
    header = open(sys.argv[1]).read()
    jl = open(sys.argv[2]).read()
    exported = set(re.findall(r"\bT (decent_\w+)", subprocess.run(
        ["nm", "-D", "--defined-only", sys.argv[3]], capture_output=True, text=True, check=True).stdout))
    funcs = c_functions(header)
    problems = []
    calls = julia_ccalls(jl)
    seen = {}
    for name, ret, args in calls:
        seen[name] = seen.get(name, 0) + 1
        if name not in funcs:
            problems.append("%s: ccall of a function that decent.h does not declare" % name)
            continue
        if name not in exported:
            problems.append("%s: not exported by %s" % (name, sys.argv[3]))
        c_ret, c_args = funcs[name]
        if ret not in allowed(c_ret):
            problems.append("%s: returns %s in Julia, %s in C" % (name, ret, c_ret))
        if len(args) != len(c_args):
            problems.append("%s: %d arguments in Julia, %d in decent.h" % (name, len(args), len(c_args)))
            continue
        for i, (j, c) in enumerate(zip(args, c_args)):
            if j not in allowed(c):
                problems.append("%s: argument %d is %s in Julia; C has %s (allowed: %s)"
                                % (name, i + 1, j, c, ", ".join(sorted(allowed(c)))))
    for name in funcs:
        if seen.get(name, 0) != 1:
            problems.append("%s: %d ccalls in LibDecent.jl (expected exactly 1)" % (name, seen.get(name, 0)))
    for c_name, j_name in STRUCTS.items():
        cf, jf = c_struct(header, c_name), julia_struct(jl, j_name)
        if [n for n, _ in cf] != [n for n, _ in jf]:
            problems.append("%s: fields %s in Julia, %s in C" % (j_name, [n for n, _ in jf], [n for n, _ in cf]))
            continue
        for (n, ct), (_, jt) in zip(cf, jf):
            ok = allowed(ct) | ({"Cstring"} if ct == ("char", 1) else set())
            if jt not in ok:
                problems.append("%s.%s: %s in Julia, %s in C" % (j_name, n, jt, ct))
    if problems:
        print("\n".join(problems))
        return 1
    print("Julia: %d ccalls match decent.h (%d functions, all exported); structs %s match"
          % (len(calls), len(funcs), ", ".join(STRUCTS.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
