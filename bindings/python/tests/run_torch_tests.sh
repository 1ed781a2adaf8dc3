#!/bin/sh
# python.torch: decent.torch's tests (test_torch.py) when PyTorch is installed; skipped (exit 77,
# with the reason) when it is not.
#   run_torch_tests.sh PYTHON TESTS_DIR
python=$1 dir=$2
if ! "$python" -c "import torch" 2>/dev/null; then
  echo "SKIP: PyTorch is not installed for $python (Debian: apt install python3-torch)"
  exit 77
fi
exec "$python" -m pytest -q -p no:cacheprovider "$dir/test_torch.py"
