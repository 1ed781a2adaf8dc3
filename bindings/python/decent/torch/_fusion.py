"""Tensor fusion: many tensors' values packed back to back into one flat buffer per dtype (or
per bucket of at most bucket_bytes), so that a collective over a whole model is one call per
bucket instead of one per tensor, and the C calls over those buffers."""
import torch

from decent import capi as _capi
from decent.errors import InvalidArgument, NotSupported

# The C entry points of each dtype: float32 through decent_comm_X, float64 through _X_f64.
_CALLS = {
    torch.float32: (_capi.decent_comm_allreduce, _capi.decent_comm_broadcast,
                    _capi.decent_comm_neighbor_average, _capi.decent_comm_neighbor_average_start),
    torch.float64: (_capi.decent_comm_allreduce_f64, _capi.decent_comm_broadcast_f64,
                    _capi.decent_comm_neighbor_average_f64,
                    _capi.decent_comm_neighbor_average_start_f64),
}
_OPS = {"sum": _capi.DECENT_REDUCE_SUM, "average": _capi.DECENT_REDUCE_AVERAGE}


def check_tensor(tensor, what):
    """A CPU float32 or float64 tensor, or an error naming `what`."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError("%s: expected a torch.Tensor, got %s" % (what, type(tensor).__name__))
    if tensor.device.type != "cpu":
        raise NotSupported(
            "%s: a tensor on %s; decent.torch averages CPU tensors: CUDA tensors need decent's "
            "NCCL communicator, which Python cannot use yet (move the model to the CPU)"
            % (what, tensor.device), 4)
    if tensor.layout != torch.strided:
        raise NotSupported("%s: a %s tensor; only dense tensors are averaged"
                           % (what, tensor.layout), 4)
    if tensor.dtype not in _CALLS:
        raise InvalidArgument("%s: dtype %s; expected torch.float32 or torch.float64"
                              % (what, tensor.dtype), 1)
    return tensor


class Layout:
    """Where each of a list of same-dtype tensors sits in a flat buffer."""

    def __init__(self, tensors):
        self.dtype = tensors[0].dtype
        self.shapes = [t.shape for t in tensors]
        self.offsets = []
        total = 0
        for t in tensors:
            self.offsets.append(total)
            total += t.numel()
        self.numel = total

    def views(self, flat):
        """Views of `flat` shaped as the tensors (writing one writes the buffer)."""
        return [flat[o:o + s.numel()].view(s) for o, s in zip(self.offsets, self.shapes)]

    def zeros(self):
        return torch.zeros(self.numel, dtype=self.dtype)


class Bucket:
    """Tensors of one dtype and the flat buffer that carries their values."""

    def __init__(self, tensors):
        self.tensors = list(tensors)
        self.layout = Layout(self.tensors)
        self.flat = self.layout.zeros()
        self.views = self.layout.views(self.flat)

    @property
    def dtype(self):
        return self.layout.dtype

    def pack(self):
        """The tensors' current values into the flat buffer."""
        with torch.no_grad():
            for view, tensor in zip(self.views, self.tensors):
                view.copy_(tensor)
        return self.flat

    def unpack(self, flat=None):
        """The flat buffer's values (or another flat buffer of the same layout) into the
        tensors; in place, so that autograd sees the change."""
        views = self.views if flat is None else self.layout.views(flat)
        with torch.no_grad():
            for view, tensor in zip(views, self.tensors):
                tensor.copy_(view)


def buckets(tensors, bucket_bytes=None):
    """The tensors grouped by dtype (in first-seen order) and cut into buckets of at most
    bucket_bytes (a larger tensor makes a bucket of its own); None: one bucket per dtype."""
    if bucket_bytes is not None and (not isinstance(bucket_bytes, int) or bucket_bytes < 1):
        raise InvalidArgument("bucket_bytes %r: expected a positive integer or None"
                              % (bucket_bytes,), 1)
    groups = {}
    for t in tensors:
        groups.setdefault(t.dtype, []).append(t)
    out = []
    for group in groups.values():
        current, size = [], 0
        for t in group:
            nbytes = t.numel() * t.element_size()
            if current and bucket_bytes is not None and size + nbytes > bucket_bytes:
                out.append(Bucket(current))
                current, size = [], 0
            current.append(t)
            size += nbytes
        out.append(Bucket(current))
    return out


def op_code(op):
    if op not in _OPS:
        raise InvalidArgument("op %r: expected \"sum\" or \"average\"" % (op,), 1)
    return _OPS[op]


# One call over a flat CPU buffer (its numpy view shares the memory). The GIL is released while
# the C call waits, so in-process nodes on other threads go on.
def allreduce_flat(comm, flat, op):
    _CALLS[flat.dtype][0](comm._h, flat.numpy(), op_code(op))


def broadcast_flat(comm, flat, root):
    _CALLS[flat.dtype][1](comm._h, flat.numpy(), root)


def average_flat(comm, topology, step, flat):
    _CALLS[flat.dtype][2](comm._h, topology.handle, step, flat.numpy())


def start_average_flat(comm, topology, step, flat):
    """Starts an average of `flat`, which must not be written until finish_average()."""
    _CALLS[flat.dtype][3](comm._h, topology.handle, step, flat.numpy())


def finish_average(comm):
    _capi.decent_comm_neighbor_average_finish(comm._h)
