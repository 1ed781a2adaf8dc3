"""Collectives over PyTorch tensors: neighbour averaging, all-reduce, broadcast, and the
broadcasts of a model's parameters and an optimizer's state that make every node start alike.
Each works in place on CPU float32/float64 tensors, fused into one call per dtype (or bucket)."""
import pickle
from collections.abc import Mapping

import numpy as np
import torch

from decent.errors import InvalidArgument

from . import _context, _fusion


def _tensor_list(tensors, what):
    """(list of checked tensors, whether one tensor was given)."""
    if isinstance(tensors, torch.Tensor):
        return [_fusion.check_tensor(tensors, what)], True
    if isinstance(tensors, (str, bytes)) or not hasattr(tensors, "__iter__"):
        raise TypeError("%s: expected a tensor or a list of tensors, got %s"
                        % (what, type(tensors).__name__))
    out = [_fusion.check_tensor(t, "%s: tensor %d" % (what, i)) for i, t in enumerate(tensors)]
    return out, False


def neighbor_average(tensors, step=None, topology=None, bucket_bytes=None):
    """In place: x_i <- sum_j w_ij x_j with W^(step) of the topology, for a tensor or a list of
    tensors (fused: one exchange per dtype, or per bucket of at most bucket_bytes). step None
    takes this node's next step (0, 1, 2, ... over its calls without a step), so that a
    time-varying topology (one-peer-exp) cycles through its graphs; topology None is
    set_topology's. Returns what it was given. Every node makes the same calls."""
    context = _context.current("decent.torch.neighbor_average")
    items, single = _tensor_list(tensors, "decent.torch.neighbor_average")
    graph = context.topology if topology is None else topology
    if step is None:
        step = context.take_step()
    elif not isinstance(step, (int, np.integer)) or step < 0:
        raise InvalidArgument("decent.torch.neighbor_average: step %r: expected an integer >= 0"
                              % (step,), 1)
    for bucket in _fusion.buckets(items, bucket_bytes):
        _fusion.average_flat(context.comm, graph, int(step), bucket.pack())
        bucket.unpack()
    return tensors


def allreduce(tensors, op="average", bucket_bytes=None):
    """In place over all nodes: the average (op="average") or the sum ("sum") of a tensor or a
    list of tensors (fused as neighbor_average). Returns what it was given."""
    context = _context.current("decent.torch.allreduce")
    items, _ = _tensor_list(tensors, "decent.torch.allreduce")
    _fusion.op_code(op)
    for bucket in _fusion.buckets(items, bucket_bytes):
        _fusion.allreduce_flat(context.comm, bucket.pack(), op)
        bucket.unpack()
    return tensors


def broadcast(tensors, root=0, bucket_bytes=None):
    """In place: every node's tensors become node `root`'s. Returns what it was given."""
    context = _context.current("decent.torch.broadcast")
    items, _ = _tensor_list(tensors, "decent.torch.broadcast")
    for bucket in _fusion.buckets(items, bucket_bytes):
        _fusion.broadcast_flat(context.comm, bucket.pack(), root)
        bucket.unpack()
    return tensors


# Tensors of other dtypes (integers, bool, half precision) travel as float64: half-precision
# values are exact there, and an integer is split into its high and low 32 bits, each exact
# (the high part keeps the sign: an arithmetic shift).
def _broadcast_any(comm, tensors, root):
    floats = [t for t in tensors if t.dtype in (torch.float32, torch.float64)]
    others = [t for t in tensors if t.dtype not in (torch.float32, torch.float64)]
    for bucket in _fusion.buckets(floats):
        _fusion.broadcast_flat(comm, bucket.pack(), root)
        bucket.unpack()
    if not others:
        return
    parts = []
    for t in others:
        if t.is_complex():
            raise InvalidArgument("decent.torch: a %s tensor; complex values are not broadcast"
                                  % t.dtype, 1)
        if t.is_floating_point():
            parts.append(t.double().reshape(-1))
        else:
            wide = t.to(torch.int64).reshape(-1)
            parts.append(torch.cat([(wide >> 32).double(), (wide & 0xFFFFFFFF).double()]))
    flat = torch.cat(parts)
    _fusion.broadcast_flat(comm, flat, root)
    offset = 0
    with torch.no_grad():
        for t, part in zip(others, parts):
            values = flat[offset:offset + part.numel()]
            offset += part.numel()
            if t.is_floating_point():
                t.copy_(values.view(t.shape))
            else:
                half = values.numel() // 2
                wide = (values[:half].to(torch.int64) << 32) | values[half:].to(torch.int64)
                t.copy_(wide.view(t.shape))


def _named_tensors(source, what):
    """The tensors of a module (its state_dict: parameters and buffers), a state_dict-like
    mapping, or an iterable of tensors or of (name, tensor) pairs."""
    if isinstance(source, torch.nn.Module):
        source = source.state_dict(keep_vars=True)
    items = list(source.values()) if isinstance(source, Mapping) else list(source)
    out = []
    for i, item in enumerate(items):
        if isinstance(item, tuple) and len(item) == 2:
            item = item[1]
        if not isinstance(item, torch.Tensor):
            raise TypeError("%s: item %d is a %s, not a tensor" % (what, i, type(item).__name__))
        if item.device.type != "cpu":
            _fusion.check_tensor(item, "%s: item %d" % (what, i))  # raises with the reason
        out.append(item.data if isinstance(item, torch.nn.Parameter) else item)
    return out


def broadcast_parameters(params, root=0):
    """Every node's parameters become node `root`'s: params is a model (its parameters and
    buffers, e.g. batch-norm statistics), a state_dict, model.named_parameters() or a list of
    tensors. Tensors of any dtype (integer ones exactly)."""
    context = _context.current("decent.torch.broadcast_parameters")
    _broadcast_any(context.comm, _named_tensors(params, "decent.torch.broadcast_parameters"),
                   root)


class _TensorSlot:
    """Stands for the i-th tensor of a state dict while its structure travels."""

    def __init__(self, index, shape, dtype):
        self.index, self.shape, self.dtype = index, tuple(shape), dtype


def _replace_tensors(obj, tensors):
    if isinstance(obj, torch.Tensor):
        tensors.append(obj)
        return _TensorSlot(len(tensors) - 1, obj.shape, obj.dtype)
    if isinstance(obj, dict):
        return {k: _replace_tensors(v, tensors) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_replace_tensors(v, tensors) for v in obj)
    return obj


def _fill_tensors(obj, made):
    if isinstance(obj, _TensorSlot):
        t = torch.empty(obj.shape, dtype=obj.dtype)
        made.append(t)
        return t
    if isinstance(obj, dict):
        return {k: _fill_tensors(v, made) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_fill_tensors(v, made) for v in obj)
    return obj


def _broadcast_bytes(comm, data, root):
    """root's bytes to every node (a length, then the bytes as float32 values 0..255)."""
    length = torch.tensor([float(len(data)) if data is not None else 0.0], dtype=torch.float64)
    _fusion.broadcast_flat(comm, length, root)
    values = torch.zeros(int(length.item()), dtype=torch.float32)
    if data is not None:
        values.copy_(torch.from_numpy(np.frombuffer(data, dtype=np.uint8).astype(np.float32)))
    _fusion.broadcast_flat(comm, values, root)
    return values.to(torch.uint8).numpy().tobytes()


def broadcast_optimizer_state(optimizer, root=0):
    """Every node's optimizer state (its state_dict: momentum buffers, Adam moments, step
    counts, learning rates and other hyper-parameters) becomes node `root`'s. The structure
    travels from root, so nodes whose state is not created yet (no step taken) get root's."""
    context = _context.current("decent.torch.broadcast_optimizer_state")
    if not hasattr(optimizer, "state_dict") or not hasattr(optimizer, "load_state_dict"):
        raise TypeError("decent.torch.broadcast_optimizer_state: expected an optimizer, got %s"
                        % type(optimizer).__name__)
    comm = context.comm
    mine = comm.rank == root
    state = optimizer.state_dict()
    tensors = []
    structure = _replace_tensors(state, tensors)
    data = pickle.dumps(structure) if mine else None
    received = pickle.loads(_broadcast_bytes(comm, data, root))
    if mine:
        _broadcast_any(comm, tensors, root)
        return
    made = []
    rebuilt = _fill_tensors(received, made)
    _broadcast_any(comm, made, root)
    optimizer.load_state_dict(rebuilt)
