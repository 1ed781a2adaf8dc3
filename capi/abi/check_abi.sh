#!/bin/sh
# Compares libdecent.so's ABI with the committed baseline (capi/abi/decent-abi0-baseline.dump.gz,
# taken at 0.1.0 with abi-dumper): any removed or changed symbol or type fails; additions pass.
#   check_abi.sh LIBRARY SOURCE_DIR [--update]   (--update rewrites the baseline; do it only with
#                                                  a new DECENT_ABI_VERSION, i.e. a new soname)
# Skips (77) without abi-dumper and abi-compliance-checker (Debian packages of the same names).
set -eu
lib=$1 source=$2
baseline=$source/capi/abi/decent-abi0-baseline.dump.gz
for tool in abi-dumper abi-compliance-checker; do
  command -v $tool >/dev/null || { echo "skipped: $tool is missing (apt-get install $tool)"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# (stderr: abi-dumper complains about the engine objects built without -g; only the public
# functions of decent.h matter here.)
abi-dumper "$lib" -o "$work/new.dump" -lver current -public-headers "$source/capi/include" >/dev/null 2>&1
if [ "${3:-}" = "--update" ]; then
  gzip -9 -c "$work/new.dump" > "$baseline"
  echo "baseline rewritten: $baseline"
  exit 0
fi
gzip -dc "$baseline" > "$work/old.dump"
if abi-compliance-checker -l decent -old "$work/old.dump" -new "$work/new.dump" \
     -report-path "$work/report.html" > "$work/log" 2>&1; then
  grep -E "^Total" "$work/log"
else
  cat "$work/log"
  echo "ABI check failed: libdecent.so is not compatible with the baseline. Removed or changed"
  echo "symbols break existing binaries; add new functions instead, or bump DECENT_ABI_VERSION."
  sed -e 's/<[^>]*>/ /g' "$work/report.html" | grep -iE "removed|changed|problem" | head -40
  exit 1
fi
