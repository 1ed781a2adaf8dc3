#!/bin/sh
# The Debian symbols file (packaging/debian/libdecent0.symbols) and libdecent.so's exported
# functions agree: a symbol the library no longer exports (a removed function, which breaks
# existing binaries as the ABI check says) fails, and so does a new one the file does not list.
#   check_symbols.sh LIBRARY SOURCE_DIR
set -eu
lib=$1 source=$2
file=$source/packaging/debian/libdecent0.symbols
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nm -D --defined-only --with-symbol-versions "$lib" | awk '{s = $3; sub(/@@/, "@", s); if (s !~ /@/) s = s "@" s; print s}' | sort > "$work/exported"
grep '^ ' "$file" | awk '{print $1}' | sort > "$work/listed"
missing=$(comm -13 "$work/exported" "$work/listed")
extra=$(comm -23 "$work/exported" "$work/listed")
[ -z "$missing" ] || { echo "FAILED: listed in $file but no longer exported:"; echo "$missing"; exit 1; }
[ -z "$extra" ] || { echo "FAILED: exported but not in $file (add it with the version that brings it):"; echo "$extra"; exit 1; }
echo "symbols file and libdecent.so agree: $(wc -l < "$work/listed") symbols"
