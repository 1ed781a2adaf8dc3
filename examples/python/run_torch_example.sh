#!/bin/sh
# ctest's example.python_torch: torch_dsgd.py under mpirun on 4 ranks for a few steps; the loss
# must fall (the example's exit status). Skipped (77) where PyTorch is not installed.
#   run_torch_example.sh PYTHON MPIEXEC STEPS
python=$1 mpiexec=$2 steps=$3
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "SKIP: PyTorch is not installed for $python (Debian: apt install python3-torch)"
  exit 77
fi
exec "$mpiexec" --allow-run-as-root --oversubscribe -np 4 -x PYTHONPATH "$python" \
  "$(dirname "$0")/torch_dsgd.py" --max-steps "$steps" --log-every 20
