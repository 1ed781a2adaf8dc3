"""DecentralizedOptimizer: any torch.optim optimizer made decentralized (docs/torch.md).

Notation: x = this node's parameters, g = its gradient, W = the mixing matrix of the step (one
neighbour average), U(x, v) = what the wrapped optimizer's step() makes of x given the gradient
v (x - lr v for plain SGD). Per step k, with the update equations of docs/algorithms.md:

  psgd               x <- U(x, mean over nodes of g)                       (one all-reduce)
  dsgd (ATC)         x <- W U(x, g)
  dsgd (AWC)         x <- U(W x, g): the exchange of x starts before the forward pass (a hook on
                     the model) and finishes in step(), so it travels during forward/backward
  dmsgd              m <- beta m + g;  x <- W U(x, m)   (the wrapped optimizer without momentum)
  gradient_tracking  y <- g at k = 0, else W(y + g - g_prev) (ATC) or W y + g - g_prev (AWC);
                     x <- W U(x, y) (ATC) or U(W x, y) (AWC, x and y in one exchange)
  exact_diffusion    psi <- U(x, g);  phi <- psi + x - psi_prev;  x <- (phi + W phi) / 2
  pga                dsgd (ATC), but every period-th step the exact global mean (all-reduce)
  aga                pga whose period follows the loss (Gossip-AGA; decent_aga_next_period)
  local_sgd          x <- U(x, g); every period-th step the exact global mean
"""
import math

import torch

from decent import capi as _capi
from decent.errors import InvalidArgument, NotSupported

from . import _collectives, _context, _fusion

ALGORITHMS = ("psgd", "dsgd", "dmsgd", "gradient_tracking", "exact_diffusion", "pga", "aga",
              "local_sgd")
_AWC_ALGORITHMS = ("dsgd", "gradient_tracking")


class DecentralizedOptimizer(torch.optim.Optimizer):
    """Wraps `optimizer` (any torch.optim optimizer over CPU float32/float64 parameters) so
    that step() runs `algorithm` across the nodes of decent.torch.init() or run_local.

    model: the module the parameters belong to; needed for awc (its forward pre-hook starts the
    exchange) and for the initial broadcast of its buffers. topology: a spec or decent.Topology
    (None: decent.torch.set_topology's, read at every step). awc: adapt-with-combine (dsgd,
    gradient_tracking). period: H of pga, local_sgd and aga's initial period. momentum: beta of
    dmsgd. warmup: aga's steps whose mean loss is its reference (0: one period). bucket_bytes:
    fuse the parameters into buckets of at most this many bytes (None: one per dtype).
    broadcast: start every node from rank 0's parameters, buffers and optimizer state.

    The wrapper shares the wrapped optimizer's param_groups and state (learning-rate
    schedulers work on either); state_dict() adds the algorithm's own state."""

    def __init__(self, optimizer, model=None, algorithm="dsgd", topology=None, awc=False,
                 period=8, momentum=0.9, warmup=0, bucket_bytes=None, broadcast=True):
        # torch.optim.Optimizer.__init__ is not called: the state is the wrapped optimizer's.
        self._context = _context.current("decent.torch.DecentralizedOptimizer")
        self._check_options(optimizer, model, algorithm, awc, period, momentum, warmup)
        self._inner = optimizer
        self._algorithm = algorithm
        self._awc = bool(awc)
        self._period = int(period)
        self._momentum = float(momentum)
        self._warmup = int(warmup) if warmup else int(period)
        self._graph = self._topology_of(topology)
        self._params = [p for group in optimizer.param_groups for p in group["params"]]
        for i, p in enumerate(self._params):
            _fusion.check_tensor(p, "DecentralizedOptimizer: parameter %d" % i)
        self._shapes = [(p.dtype, p.shape) for p in self._params]
        self._buckets = _fusion.buckets(self._params, bucket_bytes)
        self._step = 0
        self._started = False  # the first step has run (gradient tracking, exact diffusion)
        self._state = {name: [b.layout.zeros() for b in self._buckets]
                       for name in self._state_names()}
        self._scratch = [b.layout.zeros() for b in self._buckets]  # gradients, psi, phi
        self._exchange = None  # per bucket: what travels in an AWC exchange
        self._pending = False
        self._hook = None
        self._aga = {"period": self._period, "last_average": 0, "f_init": 0.0,
                     "loss_sum": 0.0, "loss_count": 0.0}
        if self._awc:
            width = 2 if algorithm == "gradient_tracking" else 1  # [x; y] travel together
            self._exchange = [torch.zeros(width * b.layout.numel, dtype=b.dtype)
                              for b in self._buckets]
            if model is not None:
                self._hook = model.register_forward_pre_hook(self._before_forward)
        if broadcast:
            _collectives.broadcast_parameters(model if model is not None else self._params)
            _collectives.broadcast_optimizer_state(optimizer)

    # -- what torch.optim and its schedulers read -------------------------------------------
    @property
    def param_groups(self):
        return self._inner.param_groups

    @property
    def state(self):
        return self._inner.state

    @property
    def defaults(self):
        return self._inner.defaults

    @property
    def optimizer(self):
        """The wrapped optimizer."""
        return self._inner

    @property
    def algorithm(self):
        return self._algorithm

    @property
    def steps(self):
        """Steps taken (the k of the next step)."""
        return self._step

    @property
    def period(self):
        """The global-averaging period now in use (pga, local_sgd, aga)."""
        return self._aga["period"] if self._algorithm == "aga" else self._period

    def __repr__(self):
        return "DecentralizedOptimizer(%s, algorithm=%r, awc=%r, topology=%r)\n%r" % (
            type(self._inner).__name__, self._algorithm, self._awc, self._graph_now().name,
            self._inner)

    def zero_grad(self, set_to_none=None):
        """The wrapped optimizer's zero_grad (with its own default for set_to_none)."""
        if set_to_none is None:
            self._inner.zero_grad()
        else:
            self._inner.zero_grad(set_to_none=set_to_none)

    def add_param_group(self, param_group):
        raise NotSupported("DecentralizedOptimizer: its parameters are fused when it is made; "
                           "add every param group to the wrapped optimizer first", 4)

    def close(self):
        """Removes the model hook of awc (a pending exchange is finished first)."""
        if self._pending:
            _fusion.finish_average(self._context.comm)
            self._pending = False
        if self._hook is not None:
            self._hook.remove()
            self._hook = None

    # -- the step ---------------------------------------------------------------------------
    @torch.no_grad()
    def step(self, closure=None, loss=None):
        """One step of the algorithm on every node (all nodes call it together). closure: as
        torch.optim's (re-evaluates the model and returns the loss). loss: the step's training
        loss (a number or tensor), which aga needs when there is no closure. Returns the
        closure's loss."""
        value = None
        if closure is not None:
            with torch.enable_grad():
                value = closure()
            if loss is None:
                loss = value
        self._check_parameters()
        getattr(self, "_step_" + self._algorithm)(self._step, loss)
        self._step += 1
        self._started = True
        return value

    def _step_psgd(self, k, loss):
        grads = self._gradients(zero_missing=True)
        for flat in grads:
            _fusion.allreduce_flat(self._context.comm, flat, "average")
        self._set_gradients(grads)
        self._inner.step()

    def _step_dsgd(self, k, loss):
        if self._awc:
            self._finish_exchange(k)
            self._inner.step()
        else:
            self._inner.step()
            self._average_parameters(k)

    def _step_dmsgd(self, k, loss):
        momenta = self._state["momentum"]
        for m, g in zip(momenta, self._gradients(zero_missing=True)):
            m.mul_(self._momentum).add_(g)
        self._set_gradients(momenta)
        self._inner.step()
        self._average_parameters(k)

    def _step_gradient_tracking(self, k, loss):
        y, g_prev = self._state["tracker"], self._state["previous_gradient"]
        grads = self._gradients(zero_missing=True)
        if self._awc:
            w_y = self._finish_exchange(k)  # W x is in the parameters, W y returned
            for yb, wy, g, gp in zip(y, w_y, grads, g_prev):
                if self._started:
                    yb.copy_(wy).add_(g).sub_(gp)  # y <- W y + g - g_prev
                else:
                    yb.copy_(g)
        else:
            for yb, g, gp in zip(y, grads, g_prev):
                if self._started:
                    yb.add_(g).sub_(gp)  # y <- W (y + g - g_prev), averaged below
                else:
                    yb.copy_(g)
            if self._started:
                for yb in y:  # Y^k with W^(k-1), as decent's own gradient tracking
                    _fusion.average_flat(self._context.comm, self._graph_now(), k - 1, yb)
        for gp, g in zip(g_prev, grads):
            gp.copy_(g)
        self._set_gradients(y)
        self._inner.step()
        if not self._awc:
            self._average_parameters(k)

    def _step_exact_diffusion(self, k, loss):
        x_old = [b.pack().clone() for b in self._buckets]
        psi_prev = self._state["psi"]
        if not self._started:
            for pp, xo in zip(psi_prev, x_old):
                pp.copy_(xo)  # psi^0 = x^0
        self._inner.step()
        for b, pp, xo, phi in zip(self._buckets, psi_prev, x_old, self._scratch):
            psi = b.pack()
            phi.copy_(psi).add_(xo).sub_(pp)  # phi = psi + x - psi_prev
            pp.copy_(psi)
            b.flat.copy_(phi)
            _fusion.average_flat(self._context.comm, self._graph_now(), k, b.flat)
            b.flat.add_(phi).mul_(0.5)  # (W phi + phi) / 2
            b.unpack()

    def _step_pga(self, k, loss):
        self._inner.step()
        if (k + 1) % self._period == 0:
            self._average_globally()
        else:
            self._average_parameters(k)

    def _step_local_sgd(self, k, loss):
        self._inner.step()
        if (k + 1) % self._period == 0:
            self._average_globally()

    def _step_aga(self, k, loss):
        if loss is None:
            raise InvalidArgument("aga adapts its period to the training loss: call "
                                  "step(closure) or step(loss=the step's loss)", 1)
        value = float(loss.detach()) if isinstance(loss, torch.Tensor) else float(loss)
        if not math.isfinite(value):
            raise InvalidArgument("aga: the loss at step %d is %r" % (k, value), 1)
        a = self._aga
        a["loss_sum"] += value
        a["loss_count"] += 1
        self._inner.step()
        done = k + 1
        if done - a["last_average"] >= a["period"]:
            self._average_globally()
            a["last_average"] = done
            if done > self._warmup:
                a["period"] = _capi.decent_aga_next_period(self._period, a["f_init"],
                                                           self._take_mean_loss(), a["period"])
        else:
            self._average_parameters(k)
        if done == self._warmup:
            a["f_init"] = self._take_mean_loss()

    # -- pieces -----------------------------------------------------------------------------
    def _state_names(self):
        return {"dmsgd": ["momentum"], "gradient_tracking": ["tracker", "previous_gradient"],
                "exact_diffusion": ["psi"]}.get(self._algorithm, [])

    def _graph_now(self):
        return self._graph if self._graph is not None else self._context.topology

    def _topology_of(self, topology):
        if topology is None:
            return None
        return _context.resolve_topology(self._context, topology, "DecentralizedOptimizer")

    def _gradients(self, zero_missing):
        """The gradients packed per bucket into scratch buffers (a missing one as zeros)."""
        out = []
        for b, flat in zip(self._buckets, self._scratch):
            for view, p in zip(b.layout.views(flat), b.tensors):
                if p.grad is None:
                    view.zero_()
                else:
                    view.copy_(p.grad)
            out.append(flat)
        return out

    def _set_gradients(self, flats):
        """The parameters' .grad become these values (created where missing)."""
        for b, flat in zip(self._buckets, flats):
            for view, p in zip(b.layout.views(flat), b.tensors):
                if p.grad is None:
                    p.grad = view.clone()
                else:
                    p.grad.copy_(view)

    def _average_parameters(self, k):
        graph = self._graph_now()
        for b in self._buckets:
            _fusion.average_flat(self._context.comm, graph, k, b.pack())
            b.unpack()

    def _average_globally(self):
        for b in self._buckets:
            _fusion.allreduce_flat(self._context.comm, b.pack(), "average")
            b.unpack()

    def _take_mean_loss(self):
        a = self._aga
        sums = torch.tensor([a["loss_sum"], a["loss_count"]], dtype=torch.float64)
        _fusion.allreduce_flat(self._context.comm, sums, "sum")
        a["loss_sum"] = a["loss_count"] = 0.0
        return float(sums[0] / sums[1])

    # AWC: the exchange of bucket 0 starts before the forward pass; the others (if the
    # parameters were cut into several buckets) travel in step(), one at a time, because a
    # communicator carries one exchange at a time.
    def _fill_exchange(self):
        for i, b in enumerate(self._buckets):
            n = b.layout.numel
            self._exchange[i][:n].copy_(b.pack())
            if self._algorithm == "gradient_tracking":
                self._exchange[i][n:].copy_(self._state["tracker"][i])

    def _before_forward(self, module, inputs):
        if self._pending or not module.training or not torch.is_grad_enabled():
            return
        self._check_parameters()
        with torch.no_grad():
            self._fill_exchange()
        _fusion.start_average_flat(self._context.comm, self._graph_now(), self._step,
                                   self._exchange[0])
        self._pending = True

    def _finish_exchange(self, k):
        """Completes the AWC exchange (starting it now when no forward pass did), writes W x
        into the parameters and returns the averaged trackers (gradient tracking)."""
        comm, graph = self._context.comm, self._graph_now()
        if not self._pending:
            self._fill_exchange()
            _fusion.start_average_flat(comm, graph, k, self._exchange[0])
        self._pending = False
        _fusion.finish_average(comm)
        for flat in self._exchange[1:]:
            _fusion.average_flat(comm, graph, k, flat)
        trackers = []
        for b, flat in zip(self._buckets, self._exchange):
            n = b.layout.numel
            b.unpack(flat[:n])
            trackers.append(flat[n:])
        return trackers

    def _check_parameters(self):
        now = [(p.dtype, p.shape) for p in self._params]
        if now != self._shapes or any(p.device.type != "cpu" for p in self._params):
            raise InvalidArgument("DecentralizedOptimizer: the parameters changed dtype, shape or "
                                  "device since it was made; make it again after moving the "
                                  "model", 1)

    @staticmethod
    def _check_options(optimizer, model, algorithm, awc, period, momentum, warmup):
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError("DecentralizedOptimizer: expected a torch.optim optimizer, got %s"
                            % type(optimizer).__name__)
        if isinstance(optimizer, DecentralizedOptimizer):
            raise InvalidArgument("DecentralizedOptimizer: the optimizer is already "
                                  "decentralized", 1)
        if model is not None and not isinstance(model, torch.nn.Module):
            raise TypeError("DecentralizedOptimizer: model must be a torch.nn.Module or None, "
                            "not %s" % type(model).__name__)
        if algorithm not in ALGORITHMS:
            raise InvalidArgument("DecentralizedOptimizer: algorithm %r: unknown; expected one "
                                  "of %s" % (algorithm, ", ".join(ALGORITHMS)), 1)
        if awc and algorithm not in _AWC_ALGORITHMS:
            raise InvalidArgument("DecentralizedOptimizer: awc applies to %s, not %s"
                                  % (" and ".join(_AWC_ALGORITHMS), algorithm), 1)
        if awc and model is None:
            raise InvalidArgument("DecentralizedOptimizer: awc needs the model, whose forward "
                                  "pass starts the exchange", 1)
        if not isinstance(period, int) or isinstance(period, bool) or period < 1:
            raise InvalidArgument("DecentralizedOptimizer: period %r: expected an integer >= 1"
                                  % (period,), 1)
        if not isinstance(warmup, int) or isinstance(warmup, bool) or warmup < 0:
            raise InvalidArgument("DecentralizedOptimizer: warmup %r: expected an integer >= 0"
                                  % (warmup,), 1)
        if not 0 <= momentum < 1:
            raise InvalidArgument("DecentralizedOptimizer: momentum %r: expected 0 <= momentum "
                                  "< 1" % (momentum,), 1)
        if algorithm == "dmsgd":
            own = [g.get("momentum", 0) for g in optimizer.param_groups if g.get("momentum", 0)]
            if own:
                raise InvalidArgument(
                    "DecentralizedOptimizer: dmsgd applies its own momentum (momentum=%r) and the "
                    "wrapped optimizer has momentum %r too: give it momentum=0, or use dsgd with "
                    "its momentum" % (momentum, own[0]), 1)

    # -- checkpoints ------------------------------------------------------------------------
    def state_dict(self):
        """The wrapped optimizer's state_dict, and under "decent" the algorithm's: its name,
        step, buffers and aga's period."""
        if self._pending:
            raise InvalidArgument("DecentralizedOptimizer.state_dict: an exchange is in flight "
                                  "(a forward pass ran since the last step); take it after "
                                  "step()", 1)
        return {"optimizer": self._inner.state_dict(),
                "decent": {"algorithm": self._algorithm, "step": self._step,
                           "started": self._started,
                           "buffers": {k: [t.clone() for t in v] for k, v in self._state.items()},
                           "aga": dict(self._aga)}}

    def load_state_dict(self, state_dict):
        """Takes what state_dict() gave (the algorithm continues exactly) or a wrapped
        optimizer's own state_dict (the algorithm starts afresh)."""
        if "decent" not in state_dict:
            self._inner.load_state_dict(state_dict)
            return
        mine = state_dict["decent"]
        if mine.get("algorithm") != self._algorithm:
            raise InvalidArgument("DecentralizedOptimizer.load_state_dict: the state is %r's; "
                                  "this optimizer runs %r" % (mine.get("algorithm"),
                                                              self._algorithm), 1)
        buffers = mine.get("buffers", {})
        for name, flats in self._state.items():
            got = buffers.get(name)
            if got is None or [t.numel() for t in got] != [t.numel() for t in flats]:
                raise InvalidArgument("DecentralizedOptimizer.load_state_dict: buffer %r does not "
                                      "fit these parameters" % name, 1)
        self._inner.load_state_dict(state_dict["optimizer"])
        for name, flats in self._state.items():
            for flat, saved in zip(flats, buffers[name]):
                flat.copy_(saved)
        self._step = int(mine["step"])
        self._started = bool(mine["started"])
        self._aga = dict(mine["aga"])
