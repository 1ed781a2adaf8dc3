#!/bin/sh
# `--device` of `decent train` and `decent bench step`: a bad spelling is refused by name; on a
# machine without a usable GPU, cuda is refused before any node starts, with the plugin's reason
# (never a crash or a silent CPU run); with one, a short run on cuda trains and its loss is
# finite. The CPU (the default, and --device cpu) gives the same model bytes either way.
#   device_option.sh DECENT
set -eu
decent=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { # run NAME ARGS...: stdout+stderr in $work/NAME.log, exit code in $work/NAME.rc
  name=$1
  shift
  set +e
  "$decent" "$@" >"$work/$name.log" 2>&1
  echo $? >"$work/$name.rc"
  set -e
}
expect_error() { # expect_error NAME TEXT
  if [ "$(cat "$work/$1.rc")" = 0 ]; then
    echo "FAILED: $1 succeeded"; cat "$work/$1.log"; exit 1
  fi
  grep -qF -- "$2" "$work/$1.log" || { echo "FAILED: $1 does not say: $2"; cat "$work/$1.log"; exit 1; }
  echo "$1: $(tail -1 "$work/$1.log")"
}
small="--model mlp --data synthetic --nodes 2 --max-steps 4 --log-every 2"

run bad_name train $small --device gpu --out ""
expect_error bad_name '--device: device "gpu": expected cpu, cuda or cuda:N'
run bad_index train $small --device cuda:1024 --out ""
expect_error bad_index '--device: device "cuda:1024"'
run bench_bad_name bench step --model mlp --input 1x8x8 --batch 4 --steps 1 --device tpu
expect_error bench_bad_name 'expected cpu, cuda or cuda:N'

run cpu_default train $small --out "$work/default"
run cpu_named train $small --device cpu --out "$work/cpu"
[ "$(cat "$work/cpu_default.rc")" = 0 ] && [ "$(cat "$work/cpu_named.rc")" = 0 ] ||
  { echo "FAILED: a CPU run failed"; cat "$work/cpu_default.log" "$work/cpu_named.log"; exit 1; }
cmp "$work/default/model.bin" "$work/cpu/model.bin"

gpus=$("$decent" --version | sed -n 's/.*"cuda_devices":\([0-9]*\).*/\1/p')
if [ "${gpus:-0}" = 0 ]; then
  run no_gpu train $small --device cuda --out ""
  expect_error no_gpu '--device cuda: device cuda:0: this program cannot train on CUDA devices (GPU plugin:'
  grep -q "step" "$work/no_gpu.log" && { echo "FAILED: a node trained before the refusal"; exit 1; }
  run bench_no_gpu bench step --model mlp --input 1x8x8 --batch 4 --steps 1 --device cuda
  expect_error bench_no_gpu 'this program cannot train on CUDA devices'
  echo "no CUDA device: refusals checked (the GPU run is device_check.sh's)"
else
  run gpu train $small --device cuda --out "$work/gpu"
  [ "$(cat "$work/gpu.rc")" = 0 ] || { echo "FAILED: training on cuda"; cat "$work/gpu.log"; exit 1; }
  python3 - "$work/gpu/metrics.jsonl" <<'PY'
import json, math, sys
losses = [json.loads(l).get("loss") for l in open(sys.argv[1])]
losses = [l for l in losses if l is not None]
assert losses and all(math.isfinite(l) for l in losses), losses
print("cuda losses", losses)
PY
fi
