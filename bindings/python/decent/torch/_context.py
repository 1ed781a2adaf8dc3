"""Who this node is: its communicator, its topology and its step counter, one per thread.

Under mpirun each process is a node (init() takes this rank's MPI communicator). In one process,
run_local(nodes, fn) runs fn on `nodes` threads, each an in-process node with a context of its
own, so that the same training function runs either way."""
import threading

import decent
from decent.errors import InvalidArgument, NotSupported

_threads = threading.local()

DEFAULT_TOPOLOGY = "one-peer-exp"


class Context:
    """A node's communicator (decent.Comm), topology (decent.Topology) and the step that the
    next neighbour average without an explicit step uses."""

    def __init__(self, comm, owned):
        self.comm = comm
        self.owned = owned  # an MPI communicator this module opened (and closes)
        self.topology = None
        self.next_step = 0

    def take_step(self):
        step = self.next_step
        self.next_step += 1
        return step


def current(what="decent.torch"):
    """This thread's context; InvalidArgument naming `what` when init() has not run here."""
    context = getattr(_threads, "context", None)
    if context is None:
        raise InvalidArgument("%s: call decent.torch.init() first (under mpirun), or run the "
                              "function through decent.torch.run_local(nodes, fn)" % what, 1)
    return context


def init(comm=None, topology=None):
    """Makes this thread a node. comm: a decent.Comm to use (run_local passes each thread's);
    None takes this MPI rank's communicator (under mpirun; without a launcher, a world of one).
    topology: a spec (default "one-peer-exp") or a decent.Topology. A second init() on a thread
    keeps its communicator and only sets a topology given to it."""
    context = getattr(_threads, "context", None)
    if context is not None:
        if comm is not None and comm is not context.comm:
            raise InvalidArgument("decent.torch.init: this thread is already a node; call "
                                  "decent.torch.shutdown() before giving it another communicator",
                                  1)
        if topology is not None:
            set_topology(topology)
        return
    owned = comm is None
    if owned:
        try:
            comm = decent.Comm.mpi()
        except NotSupported as e:
            raise NotSupported("decent.torch.init: %s; for in-process nodes use "
                               "decent.torch.run_local(nodes, fn)" % e, 4) from e
    _threads.context = Context(comm, owned)
    try:
        set_topology(DEFAULT_TOPOLOGY if topology is None else topology)
    except Exception:
        shutdown()
        raise


def shutdown():
    """Ends this thread's node; closes the MPI communicator init() opened (which finalises MPI,
    so a process inits once). Nothing happens on a thread that is not a node."""
    context = getattr(_threads, "context", None)
    _threads.context = None
    if context is not None and context.owned:
        context.comm.close()


def is_initialized():
    return getattr(_threads, "context", None) is not None


def rank():
    """This node's index, 0 to size() - 1."""
    return current("decent.torch.rank").comm.rank


def size():
    """The number of nodes."""
    return current("decent.torch.size").comm.size


def resolve_topology(context, topology, what):
    """A decent.Topology for the context's node count: built from a spec string, or checked."""
    n = context.comm.size
    if isinstance(topology, str):
        return decent.Topology(topology, n)
    if not isinstance(topology, decent.Topology):
        raise TypeError("%s: expected a spec string or a decent.Topology, got %s"
                        % (what, type(topology).__name__))
    if topology.nodes != n:
        raise InvalidArgument("%s: the topology has %d nodes; this run has %d"
                              % (what, topology.nodes, n), 1)
    return topology


def set_topology(topology):
    """The graph that neighbour averages use from now on: a spec such as "ring", "exp" or
    "one-peer-exp" (decent.Topology's kinds) for size() nodes, or a decent.Topology with
    size() nodes."""
    context = current("decent.torch.set_topology")
    context.topology = resolve_topology(context, topology, "decent.torch.set_topology")


def get_topology():
    """The decent.Topology that neighbour averages use."""
    return current("decent.torch.get_topology").topology


def run_local(nodes, fn, *args, timeout=0.0, topology=None, **kwargs):
    """Runs fn(*args, **kwargs) on `nodes` threads of this process, each an in-process node
    (init() done for it, with `topology`), and returns their results as a list by rank. The
    first exception in a node ends the run and is raised here. timeout: seconds a collective
    waits for a missing node (0: DECENT_COMM_TIMEOUT_S or 300). PyTorch's own threads are shared
    by the nodes: torch.set_num_threads(max(1, cores // nodes)) avoids oversubscription."""
    results = [None] * nodes

    def node(comm, rank):
        init(comm, topology)
        try:
            results[rank] = fn(*args, **kwargs)
        finally:
            shutdown()

    decent.run_local(nodes, node, timeout)
    return results
