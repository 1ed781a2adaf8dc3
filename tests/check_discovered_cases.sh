#!/bin/sh
# Every test case a doctest binary lists must be a ctest test of its own, named PREFIX + name:
# doctest_discover_tests splits a name at ';' and registers pieces that match no case, so such a
# case silently never ran.
#   check_discovered_cases.sh BINARY BUILD_DIR PREFIX
set -eu
binary=$1 build=$2 prefix=$3
listed=$(mktemp) registered=$(mktemp)
trap 'rm -f "$listed" "$registered"' EXIT
"$binary" --list-test-cases --no-version --no-intro 2>/dev/null |
  grep -v '^====\|^\[doctest\]' > "$listed"
ctest --test-dir "$build" --show-only=json-v1 > "$registered"
/usr/bin/env python3 - "$listed" "$registered" "$prefix" <<'PY'
import json, sys
listed = [l.rstrip("\n") for l in open(sys.argv[1]) if l.strip()]
tests = {t["name"] for t in json.load(open(sys.argv[2]))["tests"]}
prefix = sys.argv[3]
missing = [n for n in listed if prefix + n not in tests]
for n in missing:
    print(f"not a ctest test: {prefix}{n!r}" + (" (contains ';')" if ";" in n else ""))
if not listed:
    sys.exit("the binary lists no test cases")
print(f"{len(listed) - len(missing)} of {len(listed)} doctest cases are ctest tests")
sys.exit(1 if missing else 0)
PY
