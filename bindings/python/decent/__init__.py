"""decent: decentralized data-parallel training (Python binding of libdecent's C ABI).

Arrays go in and out as numpy arrays without copies; failures raise decent.Error subclasses
(decent.errors); every handle class is a context manager; Trainer.run takes a progress callable
and releases the GIL while it trains.

    import decent
    with decent.Trainer(model="lenet", data="fashion-mnist", nodes=4,
                        topology="one-peer-exp", algorithm="dsgd", epochs=1) as t:
        t.run(lambda p: print(p["kind"], p["step"], p["loss"], p["test_accuracy"]))
        print(t.evaluate())
"""
import atexit
import weakref

import numpy as np

from . import capi as _decent
from .errors import (BufferTooSmall, CommunicationError, Error, InternalError,  # noqa: F401
                     InvalidArgument, IoError, NotSupported, NumericalError, OutOfMemory,
                     OutOfRange, TimeoutError)

__all__ = ["Topology", "Comm", "run_local", "Dataset", "Model", "Trainer", "TrainOptions",
           "Error", "version", "build_info", "set_threads", "set_log_callback", "use_logging",
           "LOG_DEBUG", "LOG_INFO", "LOG_WARNING", "LOG_ERROR"]

LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERROR = 0, 1, 2, 3


def version():
    """The library's version, "MAJOR.MINOR.PATCH"."""
    return _decent.decent_version()


def build_info():
    """The build's features as a dict (with_dnnl, with_mpi, with_cuda, with_nccl, ...)."""
    import json
    return json.loads(_decent.decent_build_info())


def set_threads(threads):
    """CPU threads of the layers (oneDNN) for models used from the calling thread."""
    _decent.decent_set_threads(threads)


def set_log_callback(fn, min_level=LOG_INFO):
    """Sends the library's messages of `min_level` and above to fn(level, message) (levels
    LOG_DEBUG to LOG_ERROR; every failed call is an error message); None turns it off. decent
    prints nothing itself. fn may be called from a trainer's node threads (with the GIL held);
    its exceptions are reported through sys.unraisablehook."""
    if fn is not None and not callable(fn):
        raise TypeError("set_log_callback: fn must be callable or None")
    _decent.decent_py_set_log_callback(fn, min_level)


def use_logging(min_level=LOG_INFO, logger="decent"):
    """Sends the library's messages to the standard logging module's `logger`."""
    import logging
    log = logging.getLogger(logger) if isinstance(logger, str) else logger
    levels = {LOG_DEBUG: logging.DEBUG, LOG_INFO: logging.INFO, LOG_WARNING: logging.WARNING,
              LOG_ERROR: logging.ERROR}
    set_log_callback(lambda level, message: log.log(levels.get(level, logging.ERROR), message),
                     min_level)


@atexit.register
def _stop_logging():
    # No callback into an interpreter that is shutting down.
    _decent.decent_py_set_log_callback(None, LOG_ERROR)


if _decent.decent_abi_version() != _decent.DECENT_ABI_VERSION:
    raise ImportError("decent: libdecent's ABI version %d differs from the binding's %d"
                      % (_decent.decent_abi_version(), _decent.DECENT_ABI_VERSION))


class _Handle:
    """Owns one C handle; close() (or leaving a with block, or garbage collection) frees it."""

    _free = None

    def __init__(self, handle):
        self._h = handle

    @property
    def handle(self):
        if self._h is None:
            raise InvalidArgument("%s: used after close()" % type(self).__name__, 1)
        return self._h

    def close(self):
        if self._h is not None:
            type(self)._free(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass


class Topology(_Handle):
    """A communication graph with its mixing matrices, e.g. Topology("ring", 8) or
    Topology("torus:4x4")."""

    _free = staticmethod(_decent.decent_topology_free)

    def __init__(self, spec, nodes=0):
        super().__init__(_decent.decent_topology_create(spec, nodes))

    @classmethod
    def from_weights(cls, weights):
        """Your own mixing matrices: an n x n array W (w[i, j]: the weight node i gives to node
        j's value) or a T x n x n array, one W per step of a period. Each must be non-negative
        and doubly stochastic to 1e-9 (InvalidArgument names the step and the row or column)."""
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim == 2:
            w = w[np.newaxis]
        if w.ndim != 3 or w.shape[1] != w.shape[2]:
            raise InvalidArgument("weights: expected an n x n or T x n x n array, got shape %s"
                                  % (np.shape(weights),))
        w = np.ascontiguousarray(w)
        t = cls.__new__(cls)
        _Handle.__init__(t, _decent.decent_topology_create_from_weights(w.shape[1], w.shape[0], w))
        return t

    @property
    def nodes(self):
        return _decent.decent_topology_nodes(self.handle)

    @property
    def period(self):
        return _decent.decent_topology_period(self.handle)

    @property
    def name(self):
        return _decent.decent_topology_name(self.handle)

    def weights(self, step=0):
        """W^(step) as an n x n float64 array."""
        n = self.nodes
        w = np.empty((n, n), dtype=np.float64)
        _decent.decent_topology_weights(self.handle, step, w)
        return w

    def product(self, start=0, steps=0):
        """W^(start+steps-1) ... W^(start); steps=0 means one period."""
        n = self.nodes
        p = np.empty((n, n), dtype=np.float64)
        _decent.decent_topology_product(self.handle, start, steps, p)
        return p

    def rho(self, start=0, steps=0):
        """||P - 11^T/n||_2 of the product over `steps` steps (0: one period)."""
        return _decent.decent_topology_rho(self.handle, start, steps)

    def _check_node(self, node):
        # numpy would raise its own IndexError for node >= n and wrap a negative node around.
        n = self.nodes
        if not isinstance(node, (int, np.integer)) or not 0 <= node < n:
            raise OutOfRange("node %r: expected 0 <= node < %d" % (node, n))
        return int(node)

    def in_neighbors(self, node, step=0):
        """{j: w_node,j} for the nodes `node` receives from at `step` (self excluded)."""
        node = self._check_node(node)
        row = self.weights(step)[node]
        return {int(j): float(row[j]) for j in np.flatnonzero(row) if j != node}

    def out_neighbors(self, node, step=0):
        """{i: w_i,node} for the nodes that receive from `node` at `step` (self excluded)."""
        node = self._check_node(node)
        column = self.weights(step)[:, node]
        return {int(i): float(column[i]) for i in np.flatnonzero(column) if i != node}


class Comm:
    """One node's communicator: collectives over float32 arrays, in place.

    In-process nodes come from run_local (the handles are lent: do not keep them after the node
    returns); Comm.mpi() is this MPI rank's communicator under mpirun."""

    def __init__(self, handle, owned=False):
        self._h = handle
        self._owned = owned

    @classmethod
    def mpi(cls):
        """This rank's communicator (initialises MPI). close() it when done; one still open when
        the interpreter exits is closed then, so that MPI is always finalised (mpirun reports a
        rank that exits without MPI_Finalize as failed)."""
        comm = cls(_decent.decent_comm_mpi_create(), owned=True)
        _open_mpi_comms.add(comm)
        return comm

    def close(self):
        if self._owned and self._h is not None:
            _decent.decent_comm_free(self._h)
        self._h = None
        _open_mpi_comms.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def rank(self):
        return _decent.decent_comm_rank(self._h)

    @property
    def size(self):
        return _decent.decent_comm_size(self._h)

    @property
    def backend(self):
        return _decent.decent_comm_backend(self._h)

    def allreduce(self, data, op="sum"):
        """In place over all nodes: op "sum" or "average" of a float32 array."""
        ops = {"sum": _decent.DECENT_REDUCE_SUM, "average": _decent.DECENT_REDUCE_AVERAGE}
        if op not in ops:
            raise InvalidArgument("allreduce op %r: expected sum or average" % op, 1)
        _decent.decent_comm_allreduce(self._h, data, ops[op])
        return data

    def broadcast(self, data, root=0):
        _decent.decent_comm_broadcast(self._h, data, root)
        return data

    def neighbor_average(self, topology, step, data):
        """In place: data <- sum_j w_ij data_j with W^(step) of `topology`."""
        _decent.decent_comm_neighbor_average(self._h, topology.handle, step, data)
        return data

    def neighbor_average_start(self, topology, step, data):
        """Starts neighbor_average without waiting, so that work (a backward pass) can overlap
        the exchange; finish() completes it. Until then `data` must not be written; this object
        keeps it (and the topology) alive."""
        _decent.decent_comm_neighbor_average_start(self._h, topology.handle, step, data)
        self._pending = (topology, data)

    def neighbor_average_finish(self):
        """Waits for the neighbours and writes the average into the started array; returns it."""
        _decent.decent_comm_neighbor_average_finish(self._h)
        pending, self._pending = getattr(self, "_pending", (None, None)), None
        return pending[1]


_open_mpi_comms = weakref.WeakSet()


@atexit.register
def _close_mpi_comms():
    for comm in list(_open_mpi_comms):
        comm.close()


def run_local(nodes, fn, timeout=0.0):
    """Runs fn(comm, rank) on `nodes` threads, each an in-process node, and returns when all
    have. The first exception in a node ends the run and is raised here."""
    _decent.decent_comm_run_local(nodes, timeout, lambda h, rank: fn(Comm(h), rank))


class Dataset(_Handle):
    """An image set: Dataset("fashion-mnist"), Dataset("cifar10", path, train=False), ..."""

    _free = staticmethod(_decent.decent_dataset_free)

    def __init__(self, kind, path=None, train=True, _handle=None):
        super().__init__(_handle if _handle is not None else
                         _decent.decent_dataset_open(kind, path, 1 if train else 0))

    @classmethod
    def from_arrays(cls, images, labels, classes=None):
        """A dataset of your own images (N x C x H x W, or N x H x W for one channel; float32,
        taken as they are) and labels (0 to classes - 1; classes defaults to max + 1); copied.
        It is normalised with its own per-channel statistics; give a test split its training
        split's with set_normalization(*train.normalization)."""
        im = np.ascontiguousarray(images, dtype=np.float32)
        if im.ndim == 3:
            im = im[:, None, :, :]
        if im.ndim != 4:
            raise InvalidArgument("Dataset.from_arrays: images must be N x C x H x W or N x H x W, "
                                  "not %d-dimensional" % im.ndim, 1)
        lab = np.ascontiguousarray(labels, dtype=np.int32).reshape(-1)
        if len(lab) != im.shape[0]:
            raise InvalidArgument("Dataset.from_arrays: %d labels for %d images"
                                  % (len(lab), im.shape[0]), 1)
        if classes is None:
            classes = int(lab.max()) + 1 if len(lab) else 0
        n, c, h, w = im.shape
        return cls(None, _handle=_decent.decent_dataset_from_memory(
            im.reshape(-1), lab, c, h, w, classes))

    def __len__(self):
        return _decent.decent_dataset_size(self.handle)

    @property
    def shape(self):
        """(channels, height, width, classes)."""
        return tuple(_decent.decent_dataset_shape(self.handle))

    def batch(self, indices):
        """Normalised images (N x C x H x W float32) and labels (int32) of samples `indices`."""
        idx = np.ascontiguousarray(indices, dtype=np.int64)
        c, h, w, _ = self.shape
        images = np.empty((len(idx), c, h, w), dtype=np.float32)
        labels = np.empty(len(idx), dtype=np.int32)
        _decent.decent_dataset_batch(self.handle, idx, images, labels)
        return images, labels

    def partition(self, spec, nodes, node, seed=1):
        """The sample indices of `node` of `nodes` ("iid", "dirichlet:0.1", "sorted")."""
        out = np.empty(len(self), dtype=np.int64)
        count = _decent.decent_dataset_partition(self.handle, spec, nodes, seed, node, out)
        return out[:count].copy()

    def set_normalization(self, mean, stddev):
        """Normalises batch() (and a trainer's use of this set as its training split) with this
        per-channel mean and stddev."""
        values = np.concatenate([np.asarray(mean, np.float32).reshape(-1),
                                 np.asarray(stddev, np.float32).reshape(-1)])
        if len(values) != 2 * self.shape[0]:
            raise InvalidArgument("Dataset.set_normalization: %d channels need %d means and "
                                  "deviations" % (self.shape[0], self.shape[0]), 1)
        _decent.decent_py_dataset_set_normalization(self.handle, values)

    @property
    def normalization(self):
        """(mean, stddev) per channel that both splits are normalised with: for a file set its
        kind's training split's (a value is (pixel / 255 - mean[c]) / stddev[c]); for
        from_arrays its own, or set_normalization's (a value is (v - mean[c]) / stddev[c])."""
        c = self.shape[0]
        out = np.empty(2 * c, dtype=np.float32)
        _decent.decent_py_dataset_normalization(self.handle, out)
        return out[:c].copy(), out[c:].copy()


class Model(_Handle):
    """A network with flat parameters: Model("resnet20", channels=3, height=32, width=32)."""

    _free = staticmethod(_decent.decent_model_free)

    def __init__(self, name, channels=1, height=28, width=28, classes=10, seed=1, _handle=None):
        super().__init__(_handle if _handle is not None else
                         _decent.decent_model_create(name, channels, height, width, classes, seed))

    @property
    def shape(self):
        """(channels, height, width, classes)."""
        return tuple(_decent.decent_model_shape(self.handle))

    @property
    def parameter_count(self):
        return _decent.decent_model_parameter_count(self.handle)[0]

    @property
    def parameters(self):
        """A copy of the flat parameters (float32)."""
        out = np.empty(self.parameter_count, dtype=np.float32)
        _decent.decent_model_get_parameters(self.handle, out)
        return out

    @parameters.setter
    def parameters(self, values):
        _decent.decent_model_set_parameters(self.handle, np.ascontiguousarray(values, np.float32))

    @property
    def buffers(self):
        """A copy of the batch-norm running statistics."""
        out = np.empty(_decent.decent_model_parameter_count(self.handle)[1], dtype=np.float32)
        _decent.decent_model_get_buffers(self.handle, out)
        return out

    @buffers.setter
    def buffers(self, values):
        _decent.decent_model_set_buffers(self.handle, np.ascontiguousarray(values, np.float32))

    def to_bytes(self):
        """The model file's bytes (as save() writes them), e.g. to ship in a message."""
        buffer = bytearray(_decent.decent_py_model_saved_size(self.handle))
        _decent.decent_model_save_to_memory(self.handle, buffer)
        return bytes(buffer)

    @classmethod
    def from_bytes(cls, data):
        """The model that to_bytes() (or a model file's contents) describes; any bytes-like
        object."""
        return cls(None, _handle=_decent.decent_model_load_from_memory(data))

    def save(self, path):
        """Writes the model (architecture, parameters, buffers; CRC-32) to a file."""
        _decent.decent_model_save(self.handle, str(path))

    @classmethod
    def load(cls, path):
        """The model a file written by save() (or `decent train`'s model.bin) holds."""
        return cls(None, _handle=_decent.decent_model_load(str(path)))

    def predict(self, images):
        """Logits (N x classes) of images N x C x H x W (normalised like the training data)."""
        x = np.ascontiguousarray(images, dtype=np.float32)
        logits = np.empty((x.shape[0], self.shape[3]), dtype=np.float32)
        _decent.decent_model_predict(self.handle, x, x.shape[0], logits)
        return logits


class TrainOptions:
    """The options of decent_train_options (docs/training.md), starting from the library's own
    defaults (decent_train_default_options); unknown names raise InvalidArgument. Strings are
    kept here, alive, while the C struct points at them; booleans become the struct's 0/1."""

    def __init__(self, **options):
        self._c = _decent.decent_train_options()
        _decent.decent_train_default_options(self._c)
        self._keep = {}
        for k, v in options.items():
            setattr(self, k, v)

    def __setattr__(self, name, value):
        if name.startswith("_"):
            return object.__setattr__(self, name, value)
        if name == "struct_size" or not hasattr(self._c, name):
            raise InvalidArgument("TrainOptions: unknown option %r" % name, 1)
        # A string field reads back as str or None (the struct's const char*), never a number.
        if isinstance(getattr(self._c, name), (str, type(None))):
            if isinstance(value, (list, tuple)):  # milestones=[30, 60]
                value = ",".join(str(v) for v in value)
            value = None if value is None else str(value).encode()
            self._keep[name] = value
        elif isinstance(value, bool):
            value = int(value)
        setattr(self._c, name, value)

    def __getattr__(self, name):
        return getattr(object.__getattribute__(self, "_c"), name)


class Trainer(_Handle):
    """Decentralized training on in-process nodes. Trainer(TrainOptions(...)) or
    Trainer(model="lenet", nodes=4, ...)."""

    _free = staticmethod(_decent.decent_trainer_free)

    def __init__(self, options=None, comm=None, train=None, test=None, **kwargs):
        """comm: this MPI rank's Comm.mpi() to train as one node of a run over MPI (every rank
        makes its Trainer; run, step, evaluate, model, save and load are then collective).
        train, test: Datasets (e.g. Dataset.from_arrays) to train on instead of the `data`
        option's files; both are normalised with train.normalization."""
        opts = options if options is not None else TrainOptions(**kwargs)
        if (train is None) != (test is None):
            raise InvalidArgument("Trainer: give both train and test datasets, or neither", 1)
        if train is not None:
            handle = _decent.decent_trainer_create_with_data(
                opts._c, train.handle, test.handle, None if comm is None else comm._h)
        elif comm is None:
            handle = _decent.decent_trainer_create(opts._c)
        else:
            handle = _decent.decent_trainer_create_with_comm(opts._c, comm._h)
        super().__init__(handle)
        self._options = opts
        self._comm = comm  # the trainer must not outlive its communicator

    def run(self, progress=None):
        """Trains to the end. progress(dict) is called every log_every steps ("train") and after
        every epoch ("eval"); returning True stops after that step. The GIL is released while the
        nodes train."""
        _decent.decent_trainer_run(self.handle, progress)

    def step(self, steps=1):
        _decent.decent_trainer_step(self.handle, steps)

    @property
    def steps(self):
        """(completed steps, total steps)."""
        return tuple(_decent.decent_trainer_steps(self.handle))

    @property
    def finished(self):
        """True when every step of the run is done; False when it was stopped or not run."""
        return bool(_decent.decent_trainer_finished(self.handle))

    @property
    def config(self):
        """The resolved configuration: every option with the value the run uses."""
        import json
        return json.loads(_decent.decent_trainer_config_json(self.handle))

    def evaluate(self):
        """(accuracy, loss) of the node-averaged model on the test set."""
        return tuple(_decent.decent_trainer_evaluate(self.handle))

    def model(self):
        """The node-averaged model, as a new Model."""
        return Model(None, _handle=_decent.decent_trainer_model(self.handle))

    def save(self, directory):
        _decent.decent_trainer_save(self.handle, str(directory))

    def load(self, directory):
        _decent.decent_trainer_load(self.handle, str(directory))
