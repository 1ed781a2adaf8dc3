"""decent.torch: decentralized training for PyTorch users, over decent's communicators.

    import decent.torch as dt
    dt.init()                                   # under mpirun: this rank is a node
    opt = dt.DecentralizedOptimizer(torch.optim.SGD(model.parameters(), lr=0.1), model,
                                    algorithm="dsgd", topology="one-peer-exp")
    for x, y in data:                           # the usual loop, unchanged
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()

Without a launcher, dt.run_local(8, train) runs train() on 8 in-process nodes (threads).
Collectives: neighbor_average, allreduce, broadcast, broadcast_parameters,
broadcast_optimizer_state; each takes CPU float32/float64 tensors, in place, fused into one
call per dtype. PyTorch is needed by this module only: `import decent` does not import it.
The whole story, with the equations of every algorithm: docs/torch.md."""
try:
    import torch as _torch  # noqa: F401
except ImportError as _e:  # pragma: no cover - depends on the machine
    raise ImportError("decent.torch needs PyTorch (Debian: apt install python3-torch; "
                      "elsewhere: pip install torch)") from _e

from ._collectives import (allreduce, broadcast, broadcast_optimizer_state,  # noqa: F401
                           broadcast_parameters, neighbor_average)
from ._context import (get_topology, init, is_initialized, rank, run_local,  # noqa: F401
                       set_topology, shutdown, size)
from ._optimizer import ALGORITHMS, DecentralizedOptimizer  # noqa: F401

__all__ = ["init", "shutdown", "is_initialized", "run_local", "rank", "size", "set_topology",
           "get_topology", "neighbor_average", "allreduce", "broadcast", "broadcast_parameters",
           "broadcast_optimizer_state", "DecentralizedOptimizer", "ALGORITHMS"]
