#!/bin/sh
# Every C and C++ file git tracks is formatted as the repository's .clang-format says
# (clang-format 14, Debian 12). Prints the files that differ; exit 77 (skipped) without
# clang-format or outside a git checkout.
#   check_format.sh SOURCE_DIR
set -eu
cd "$1"
command -v clang-format > /dev/null 2>&1 || { echo "clang-format is not installed"; exit 77; }
files=$(git ls-files '*.c' '*.h' '*.cpp' '*.hpp' '*.cu' '*.cuh' 2>/dev/null) ||
  { echo "not a git checkout"; exit 77; }
bad=0
for f in $files; do
  if ! clang-format --style=file "$f" | cmp -s - "$f"; then
    echo "not formatted: $f (clang-format -i $f)"
    bad=$((bad + 1))
  fi
done
echo "$bad of $(echo "$files" | wc -w) files differ from .clang-format"
[ "$bad" -eq 0 ]
