"""decent.torch on in-process nodes: exact averaging, the collectives, and every wrapped
algorithm against a hand-written loop over neighbor_average, written here from the equations
of docs/torch.md (bit for bit). Run by ctest as python.torch (skipped without PyTorch)."""
import copy
import math
import threading

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import decent  # noqa: E402
import decent.torch as dt  # noqa: E402

torch.set_num_threads(1)


def test_one_peer_exp_averages_exactly_in_log2_n_steps():
    for n, dtype, tol in ((8, torch.float64, 1e-15), (16, torch.float64, 1e-15),
                          (8, torch.float32, 1e-6)):
        steps = int(math.log2(n))

        def node():
            g = torch.Generator().manual_seed(dt.rank())
            x = torch.randn(5, 3, generator=g, dtype=torch.float64).to(dtype)
            start = x.clone()
            errors = []
            for k in range(steps):
                dt.neighbor_average(x)
                errors.append(x.clone())
            return start, errors

        results = dt.run_local(n, node, topology="one-peer-exp")
        mean = torch.stack([r[0].double() for r in results]).mean(0)
        for start, errors in results:
            assert (errors[-1].double() - mean).abs().max() < tol
            # one step short of log2(n) is far from exact: the count of steps matters
            assert (errors[-2].double() - mean).abs().max() > 1e-3


def test_neighbor_average_is_w_x_for_lists_of_both_dtypes():
    n = 5

    def node():
        r = dt.rank()
        a = torch.full((2, 3), float(r))
        b = torch.arange(4, dtype=torch.float64) + r / 3
        c = torch.full((3,), float(r * r)).t()  # a second float32 tensor in the same bucket
        dt.neighbor_average([a, b, c], step=2, topology=decent.Topology("ring", n),
                            bucket_bytes=16)
        return a, b, c

    results = dt.run_local(n, node)
    w = decent.Topology("ring", n).weights(2)
    for i, (a, b, c) in enumerate(results):
        assert torch.allclose(a, torch.full((2, 3), float(w[i] @ np.arange(n))), atol=1e-6)
        want = np.arange(4)[None, :] + (np.arange(n) / 3)[:, None]
        assert np.allclose(b.numpy(), w[i] @ want, atol=1e-15, rtol=0)
        assert torch.allclose(c, torch.full((3,), float(w[i] @ np.arange(n) ** 2)), atol=1e-5)


def test_allreduce_broadcast_and_the_step_counter():
    def node():
        r = dt.rank()
        s = dt.allreduce(torch.tensor([r + 1.0]), op="sum")
        m = dt.allreduce([torch.tensor([r / 3], dtype=torch.float64)])[0]
        b = dt.broadcast(torch.full((2,), float(r)), root=2)
        x = torch.tensor([float(r)])
        dt.neighbor_average(x)  # step 0
        dt.neighbor_average(x)  # step 1
        return s.item(), m.item(), b.tolist(), x.item()

    results = dt.run_local(4, node, topology="one-peer-exp")
    for s, m, b, x in results:
        assert s == 10.0
        assert m == pytest.approx(0.5, abs=1e-15)
        assert b == [2.0, 2.0]
        assert x == 1.5  # one-peer-exp on 4 nodes: exact after steps 0 and 1


_seed_lock = threading.Lock()


def _make_net(seed=0):
    """A _Net initialised from `seed`: torch's default generator is shared by the node threads,
    so seeding and drawing happen under a lock."""
    with _seed_lock:
        torch.manual_seed(seed)
        return _Net()


class _Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3)
        self.bn = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(4 * 6 * 6, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.bn(self.conv(x))).flatten(1))


def test_broadcasts_make_every_node_start_alike():
    def node():
        net = _make_net(dt.rank())
        opt = torch.optim.Adam(net.parameters(), lr=0.01)
        if dt.rank() == 0:  # only root has optimizer state yet
            net(torch.randn(2, 1, 8, 8)).sum().backward()
            opt.step()
        # an int64 beyond float64's 2^53: exact only if the broadcast splits it
        net.bn.num_batches_tracked.fill_(-(2 ** 60) - 3 if dt.rank() == 0 else 7)
        dt.broadcast_parameters(net)
        dt.broadcast_optimizer_state(opt)
        return net.state_dict(), opt.state_dict()

    results = dt.run_local(3, node)
    model0, opt0 = results[0]
    assert model0["bn.num_batches_tracked"].item() == -(2 ** 60) - 3
    for model, opt in results[1:]:
        for k in model0:
            assert torch.equal(model[k], model0[k]), k
        assert opt["param_groups"] == opt0["param_groups"]
        assert set(opt["state"]) == set(opt0["state"]) and len(opt0["state"]) == 6
        for i, s in opt0["state"].items():
            for key, value in s.items():
                assert torch.equal(opt["state"][i][key], value)


def _data(rank, k):
    g = torch.Generator().manual_seed(1000 * rank + k)
    return torch.randn(6, 1, 8, 8, generator=g), torch.randint(0, 3, (6,), generator=g)


def _loss(net, rank, k):
    x, y = _data(rank, k)
    return torch.nn.functional.cross_entropy(net(x), y)


STEPS = 7


def _hand_loop(algorithm, make_opt, period=3, awc=False, momentum=0.9):
    """The equations of docs/torch.md written out over neighbor_average and allreduce, tensor
    by tensor (no fusion), as a user would without the wrapper."""
    r = dt.rank()
    net = _make_net()
    params = list(net.parameters())
    opt = make_opt(params)
    m = [torch.zeros_like(p) for p in params]
    y = [torch.zeros_like(p) for p in params]
    g_prev = [torch.zeros_like(p) for p in params]
    psi_prev = [p.detach().clone() for p in params]
    period_now, last_average, f_init, loss_sum, loss_count = period, 0, 0.0, 0.0, 0
    for k in range(STEPS):
        if awc:  # W x of the parameters the forward pass sees, and of y (GT), with W^(k)
            wx = [p.detach().clone() for p in params]
            dt.neighbor_average(wx, step=k)
            wy = [t.clone() for t in y]
            dt.neighbor_average(wy, step=k)
        opt.zero_grad()
        loss = _loss(net, r, k)
        loss.backward()
        g = [p.grad.clone() for p in params]
        with torch.no_grad():
            if algorithm == "psgd":
                dt.allreduce(g)
                for p, gi in zip(params, g):
                    p.grad.copy_(gi)
                opt.step()
            elif algorithm == "dsgd" and awc:
                for p, v in zip(params, wx):
                    p.copy_(v)
                opt.step()
            elif algorithm in ("dsgd", "pga", "local_sgd", "aga"):
                opt.step()
                if algorithm == "aga":
                    loss_sum += loss.item()
                    loss_count += 1
                    if k + 1 - last_average >= period_now:
                        dt.allreduce(params)
                        last_average = k + 1
                        if k + 1 > period:
                            sums = dt.allreduce(torch.tensor([loss_sum, loss_count],
                                                             dtype=torch.float64), op="sum")
                            loss_sum, loss_count = 0.0, 0
                            ratio = f_init / (sums[0] / sums[1]).item()
                            period_now = max(1, math.ceil(math.sqrt(ratio) * period - 1e-9))
                    else:
                        dt.neighbor_average(params, step=k)
                    if k + 1 == period:
                        sums = dt.allreduce(torch.tensor([loss_sum, loss_count],
                                                         dtype=torch.float64), op="sum")
                        loss_sum, loss_count = 0.0, 0
                        f_init = (sums[0] / sums[1]).item()
                elif algorithm == "local_sgd" or (algorithm == "pga" and (k + 1) % period == 0):
                    if (k + 1) % period == 0:
                        dt.allreduce(params)
                else:
                    dt.neighbor_average(params, step=k)
            elif algorithm == "dmsgd":
                for mi, gi, p in zip(m, g, params):
                    mi.mul_(momentum).add_(gi)
                    p.grad.copy_(mi)
                opt.step()
                dt.neighbor_average(params, step=k)
            elif algorithm == "gradient_tracking":
                if k == 0:
                    y = [gi.clone() for gi in g]
                elif awc:
                    y = [(a + b) - c for a, b, c in zip(wy, g, g_prev)]
                else:
                    y = [(a + b) - c for a, b, c in zip(y, g, g_prev)]
                    dt.neighbor_average(y, step=k - 1)
                g_prev = g
                if awc:
                    for p, v in zip(params, wx):
                        p.copy_(v)
                for p, yi in zip(params, y):
                    p.grad.copy_(yi)
                opt.step()
                if not awc:
                    dt.neighbor_average(params, step=k)
            elif algorithm == "exact_diffusion":
                x_old = [p.clone() for p in params]
                opt.step()
                psi = [p.clone() for p in params]
                phi = [(a + b) - c for a, b, c in zip(psi, x_old, psi_prev)]
                w_phi = [t.clone() for t in phi]
                dt.neighbor_average(w_phi, step=k)
                for p, a, b in zip(params, w_phi, phi):
                    p.copy_((a + b) * 0.5)
                psi_prev = psi
    return [p.detach().clone() for p in params]


def _wrapped(algorithm, make_opt, period=3, awc=False, momentum=0.9, bucket_bytes=None):
    r = dt.rank()
    net = _make_net()
    opt = dt.DecentralizedOptimizer(make_opt(net.parameters()), net, algorithm=algorithm,
                                    awc=awc, period=period, momentum=momentum,
                                    bucket_bytes=bucket_bytes)
    for k in range(STEPS):
        opt.zero_grad()
        loss = _loss(net, r, k)
        loss.backward()
        opt.step(loss=loss)
    opt.close()
    return [p.detach().clone() for p in net.parameters()]


CASES = [
    ("psgd", False, lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3)),
    ("dsgd", False, lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3)),
    ("dsgd", True, lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    ("dsgd", False, lambda p: torch.optim.Adam(p, lr=0.01)),
    ("dmsgd", False, lambda p: torch.optim.SGD(p, lr=0.1)),
    ("gradient_tracking", False, lambda p: torch.optim.SGD(p, lr=0.05)),
    ("gradient_tracking", True, lambda p: torch.optim.SGD(p, lr=0.05)),
    ("exact_diffusion", False, lambda p: torch.optim.SGD(p, lr=0.05)),
    ("pga", False, lambda p: torch.optim.SGD(p, lr=0.1)),
    ("local_sgd", False, lambda p: torch.optim.SGD(p, lr=0.1)),
    ("aga", False, lambda p: torch.optim.SGD(p, lr=0.1)),
]


@pytest.mark.parametrize("algorithm,awc,make_opt", CASES,
                         ids=["%s-%s-%d" % (a, "awc" if w else "atc", i)
                              for i, (a, w, _) in enumerate(CASES)])
def test_wrapped_optimizer_equals_the_hand_written_loop(algorithm, awc, make_opt):
    def node():
        hand = _hand_loop(algorithm, make_opt, awc=awc)
        fused = _wrapped(algorithm, make_opt, awc=awc, bucket_bytes=600)
        return hand, fused

    # one-peer-exp on 6 nodes: time-varying (the step of every exchange matters) and not exact
    # (on 4 nodes gradient tracking would reach exact consensus, and every node be alike)
    results = dt.run_local(6, node, topology="one-peer-exp")
    for hand, fused in results:
        for a, b in zip(hand, fused):
            assert torch.equal(a, b)
    # The nodes saw different data, so the comparison is not between identical models.
    if algorithm not in ("psgd",):
        assert any(not torch.equal(a, b) for r in results[1:] for a, b in zip(results[0][0], r[0]))


def test_atc_and_awc_differ_so_the_equality_above_can_fail():
    make = CASES[2][2]

    def node():
        return _wrapped("dsgd", make, awc=False), _wrapped("dsgd", make, awc=True)

    for atc, awc in dt.run_local(4, node):
        assert not all(torch.equal(a, b) for a, b in zip(atc, awc))


def test_state_dict_resumes_exactly_and_schedulers_work():
    make = CASES[1][2]

    def node():
        r = dt.rank()
        net = _make_net()
        opt = dt.DecentralizedOptimizer(make(net.parameters()), net, algorithm="gradient_tracking")
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        saved = None
        for k in range(6):
            if k == 3:  # deep copies: a state_dict refers to the live state tensors
                saved = copy.deepcopy((net.state_dict(), opt.state_dict(), sched.state_dict()))
            opt.zero_grad()
            _loss(net, r, k).backward()
            opt.step()
            sched.step()
        end = [p.detach().clone() for p in net.parameters()]
        net2 = _make_net(5)
        net2.load_state_dict(saved[0])
        opt2 = dt.DecentralizedOptimizer(make(net2.parameters()), net2,
                                         algorithm="gradient_tracking", broadcast=False)
        opt2.load_state_dict(saved[1])
        sched2 = torch.optim.lr_scheduler.StepLR(opt2, step_size=2, gamma=0.5)
        sched2.load_state_dict(saved[2])
        for k in range(3, 6):
            opt2.zero_grad()
            _loss(net2, r, k).backward()
            opt2.step()
            sched2.step()
        return end, [p.detach().clone() for p in net2.parameters()], opt.param_groups[0]["lr"]

    for end, resumed, lr in dt.run_local(3, node, topology="ring"):
        assert lr == pytest.approx(0.1 * 0.5 ** 3)
        for a, b in zip(end, resumed):
            assert torch.equal(a, b)


def test_awc_starts_the_exchange_at_the_forward_pass():
    def node():
        net = _make_net()
        opt = dt.DecentralizedOptimizer(torch.optim.SGD(net.parameters(), lr=0.1), net,
                                        algorithm="dsgd", awc=True)
        with torch.no_grad():
            net(torch.randn(2, 1, 8, 8))  # evaluation: no exchange
        started_by_eval = opt._pending
        loss = _loss(net, dt.rank(), 0)
        started = opt._pending
        loss.backward()
        opt.step()
        return started_by_eval, started, opt._pending

    for by_eval, started, after in dt.run_local(2, node):
        assert (by_eval, started, after) == (False, True, False)


def test_errors_name_what_is_wrong():
    with pytest.raises(decent.InvalidArgument, match=r"call decent.torch.init\(\) first"):
        dt.neighbor_average(torch.zeros(3))

    def node():
        net = _make_net()
        sgd = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        checks = [
            (lambda: dt.neighbor_average(torch.zeros(3, dtype=torch.int32)),
             decent.InvalidArgument, "dtype torch.int32"),
            (lambda: dt.neighbor_average(torch.zeros(3, device="meta")), decent.NotSupported,
             "CPU tensors"),
            (lambda: dt.neighbor_average("x"), TypeError, "expected a tensor"),
            (lambda: dt.neighbor_average(torch.zeros(2), step=-1), decent.InvalidArgument,
             "step -1"),
            (lambda: dt.allreduce(torch.zeros(2), op="max"), decent.InvalidArgument, "op 'max'"),
            (lambda: dt.set_topology("rign"), decent.InvalidArgument, "rign"),
            (lambda: dt.DecentralizedOptimizer(sgd, net, algorithm="sgdd"),
             decent.InvalidArgument, "algorithm 'sgdd'"),
            (lambda: dt.DecentralizedOptimizer(sgd, net, algorithm="psgd", awc=True),
             decent.InvalidArgument, "awc applies to dsgd and gradient_tracking"),
            (lambda: dt.DecentralizedOptimizer(sgd, net, algorithm="dmsgd"),
             decent.InvalidArgument, "dmsgd applies its own momentum"),
            (lambda: dt.DecentralizedOptimizer(sgd, net, period=0), decent.InvalidArgument,
             "period 0"),
            (lambda: dt.DecentralizedOptimizer(sgd, None, awc=True), decent.InvalidArgument,
             "awc needs the model"),
            (lambda: dt.DecentralizedOptimizer(sgd, net, topology=decent.Topology("ring", 3)),
             decent.InvalidArgument, "has 2"),
        ]
        for call, kind, text in checks:
            with pytest.raises(kind, match=text):
                call()
        opt = dt.DecentralizedOptimizer(torch.optim.SGD(net.parameters(), lr=0.1), net,
                                        algorithm="aga")
        net(torch.randn(2, 1, 8, 8)).sum().backward()
        with pytest.raises(decent.InvalidArgument, match="aga adapts its period"):
            opt.step()
        net.double()
        with pytest.raises(decent.InvalidArgument, match="parameters changed dtype"):
            opt.step()
        return True

    assert dt.run_local(2, node) == [True, True]
