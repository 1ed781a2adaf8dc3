"""Tests of the Python binding (run by /usr/bin/python3 -m pytest with PYTHONPATH=build/python)."""
import math
import os
import threading

import numpy as np
import pytest

import decent
from decent import capi


def test_version_and_abi():
    assert decent.version().count(".") == 2
    assert capi.decent_abi_version() == capi.DECENT_ABI_VERSION
    assert decent.build_info()["with_dnnl"] is True


def test_topology_matches_closed_forms():
    for n in (5, 8, 12):
        with decent.Topology("ring", n) as t:
            assert t.nodes == n
            # rho of the ring with weights 1/3: 1/3 + 2/3 cos(2 pi / n)
            assert t.rho(0, 1) == pytest.approx(1 / 3 + 2 / 3 * math.cos(2 * math.pi / n), abs=1e-12)
            w = t.weights()
            assert np.allclose(w.sum(axis=0), 1) and np.allclose(w.sum(axis=1), 1)
            assert t.in_neighbors(0) == {1: pytest.approx(1 / 3), n - 1: pytest.approx(1 / 3)}
            assert t.out_neighbors(0) == t.in_neighbors(0)  # symmetric
    with decent.Topology("ring", 4) as t:
        for bad in (4, 7, -1):  # numpy raised IndexError for 7 and wrapped -1 around
            with pytest.raises(decent.OutOfRange, match=r"node %d: expected 0 <= node < 4" % bad):
                t.in_neighbors(bad)
            with pytest.raises(decent.OutOfRange):
                t.out_neighbors(bad)
    # one-peer exponential graph on a power of 2: the product over a period is exact averaging
    with decent.Topology("one-peer-exp", 16) as t:
        assert np.allclose(t.product(), np.full((16, 16), 1 / 16), atol=1e-15)


def test_topology_from_your_own_weights():
    # Two steps on 3 nodes, pairs (0, 1) then (1, 2): the product is computed here by numpy.
    w0 = np.array([[0.5, 0.5, 0], [0.5, 0.5, 0], [0, 0, 1]])
    w1 = np.array([[1, 0, 0], [0, 0.5, 0.5], [0, 0.5, 0.5]])
    with decent.Topology.from_weights(np.stack([w0, w1])) as t:
        assert (t.nodes, t.period, t.name) == (3, 2, "file:<arrays>")
        assert (t.weights(1) == w1).all() and (t.weights(2) == w0).all()
        assert np.allclose(t.product(), w1 @ w0, atol=1e-15)
    with decent.Topology.from_weights(np.full((4, 4), 0.25)) as t:
        assert t.rho() == pytest.approx(0, abs=1e-15)
    bad = w0.copy()
    bad[1, 1] = 0.6
    with pytest.raises(decent.InvalidArgument, match="step 0: not doubly stochastic: row 1"):
        decent.Topology.from_weights(bad)
    with pytest.raises(decent.InvalidArgument, match="expected an n x n"):
        decent.Topology.from_weights(np.ones((2, 3)))


def test_errors_are_typed_with_the_message():
    with pytest.raises(decent.InvalidArgument) as e:
        decent.Topology("rign", 8)
    assert e.value.status == 1
    assert "did you mean ring" in str(e.value)
    assert isinstance(e.value, decent.Error) and isinstance(e.value, ValueError)
    with pytest.raises(decent.IoError):
        decent.Dataset("fashion-mnist", "/nonexistent")
    with pytest.raises(decent.OutOfRange):
        decent.Dataset("synthetic").batch([10000])
    t = decent.Topology("ring", 4)
    t.close()
    with pytest.raises(decent.InvalidArgument, match="after close"):
        t.rho()


def test_arrays_cross_without_copies_and_types_are_checked():
    m = decent.Model("mlp")
    out = np.zeros(m.parameter_count, dtype=np.float32)
    capi.decent_model_get_parameters(m.handle, out)  # writes into this very array
    assert np.array_equal(out, m.parameters) and np.any(out != 0)
    with pytest.raises(TypeError, match="format f"):
        capi.decent_model_get_parameters(m.handle, np.zeros(m.parameter_count, dtype=np.float64))
    with pytest.raises(TypeError, match="writable"):
        ro = np.zeros(m.parameter_count, dtype=np.float32)
        ro.flags.writeable = False
        capi.decent_model_get_parameters(m.handle, ro)
    with pytest.raises(decent.InvalidArgument, match="the model needs"):
        m.parameters = np.zeros(3, dtype=np.float32)


def test_dataset_batches_are_normalised_and_partitions_cover():
    with decent.Dataset("synthetic") as d:
        assert len(d) == 10000 and d.shape == (1, 28, 28, 10)
        x, y = d.batch(np.arange(2000))
        assert x.shape == (2000, 1, 28, 28) and x.dtype == np.float32
        assert abs(float(x.mean())) < 0.05 and float(x.std()) == pytest.approx(1, abs=0.05)
        assert y.min() >= 0 and y.max() <= 9
        parts = [d.partition("iid", 3, node) for node in range(3)]
        assert sorted(np.concatenate(parts).tolist()) == list(range(10000))


def test_model_round_trip_and_predict():
    with decent.Model("lenet", channels=1, height=28, width=28, classes=10, seed=3) as m:
        assert m.shape == (1, 28, 28, 10)
        p = m.parameters
        p[0] = 42
        m.parameters = p
        assert m.parameters[0] == 42
        logits = m.predict(np.zeros((4, 1, 28, 28), dtype=np.float32))
        assert logits.shape == (4, 10) and np.all(np.isfinite(logits))
        with pytest.raises(decent.InvalidArgument):
            m.predict(np.zeros((4, 3, 28, 28), dtype=np.float32))


def small(**kw):
    opts = dict(model="lenet", data="synthetic", nodes=2, topology="ring", batch=16, lr=0.05,
                max_steps=40, log_every=5, threads=1)
    opts.update(kw)
    return decent.TrainOptions(**opts)


def test_trainer_runs_reports_and_learns():
    seen = []
    # mlp reaches 100% on the synthetic set in 40 steps (lenet: 14%, too close to chance).
    with decent.Trainer(small(model="mlp")) as t:
        t.run(lambda p: seen.append(p))
        assert t.steps == (40, 40)
        acc, loss = t.evaluate()
    train = [p for p in seen if p["kind"] == "train"]
    evals = [p for p in seen if p["kind"] == "eval"]
    assert len(train) == 8 and len(evals) == 1
    assert train[-1]["loss"] < train[0]["loss"]
    assert evals[0]["test_accuracy"] == pytest.approx(acc, abs=1e-12)
    assert acc > 0.6  # a trainer that does not learn stays near chance, 0.1


def test_compressed_gossip_reports_its_bytes():
    # dsgd on a ring of 2: each node sends its whole model to its one neighbour every step;
    # choco with top-k 10% sends x^0 once, then a 24-byte header and k (index, value) pairs.
    reports = {}
    for name, extra in (("dsgd", {}), ("choco", dict(compressor="top-k:0.1", consensus_step=0.5))):
        seen = []
        with decent.Trainer(small(model="mlp", algorithm=name, **extra)) as t:
            t.run(lambda p: seen.append(p))
            d = t.model().parameter_count
            reports[name] = [p["bytes_sent"] for p in seen if p["kind"] == "train"]
            assert t.config["compressor"] == extra.get("compressor", "top-k:0.01")
    assert reports["dsgd"][-1] == 40 * 2 * 4 * d
    k = round(0.1 * d)
    assert reports["choco"][-1] == 2 * 4 * d + 40 * 2 * (24 + 8 * k)
    with pytest.raises(decent.InvalidArgument, match="options.compressor"):
        decent.Trainer(small(algorithm="choco", compressor="gzip"))


def test_callback_stops_and_exceptions_propagate():
    with decent.Trainer(small()) as t:
        t.run(lambda p: p["step"] >= 10)
        assert t.steps[0] == 10

        def broken(p):
            raise ValueError("from the callback")

        with pytest.raises(ValueError, match="from the callback"):
            t.run(broken)
        assert t.steps[0] == 15  # stopped after the next report
    with pytest.raises(decent.InvalidArgument, match="unknown option"):
        decent.TrainOptions(modle="lenet")
    with pytest.raises(decent.InvalidArgument, match="algorithm"):
        decent.Trainer(small(algorithm="sgd2"))
    assert small().device == "cpu"
    with pytest.raises(decent.InvalidArgument, match='options.device: device "tpu"'):
        decent.Trainer(small(device="tpu"))


def test_gil_is_released_while_training():
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    th = threading.Thread(target=count)
    th.start()
    try:
        with decent.Trainer(small(max_steps=150)) as t:
            before = len(ticks)
            t.run()
            during = len(ticks) - before
    finally:
        done.set()
        th.join()
    assert during > 0  # the other thread ran while run() was inside C++


def test_save_load_and_pieces_equal_one_run(tmp_path):
    with decent.Trainer(small()) as whole:
        whole.run()
        expected = whole.model().parameters
    with decent.Trainer(small()) as a:
        a.step(7)
        a.save(tmp_path)
        with decent.Trainer(small()) as b:
            b.load(tmp_path)
            assert b.steps[0] == 7
            b.run()
            assert np.array_equal(b.model().parameters, expected)


def test_in_process_nodes_average_with_their_neighbours():
    n = 6
    results = {}
    topo = decent.Topology("ring", n)

    def node(comm, rank):
        assert comm.size == n and comm.backend == "local"
        x = np.full(5, float(rank), dtype=np.float32)
        comm.allreduce(x, "average")
        y = np.array([rank, rank * rank], dtype=np.float32)
        comm.neighbor_average(topo, 0, y)
        results[rank] = (x.copy(), y.copy())

    decent.run_local(n, node)
    w = topo.weights(0)
    values = np.array([[r, r * r] for r in range(n)], dtype=np.float64)
    for rank, (x, y) in results.items():
        assert np.allclose(x, (n - 1) / 2)
        assert np.allclose(y, w[rank] @ values, rtol=1e-6)

    def failing(comm, rank):
        if rank == 2:
            raise KeyError("node two")
        comm.allreduce(np.zeros(3, dtype=np.float32))

    with pytest.raises(KeyError, match="node two"):
        decent.run_local(4, failing, timeout=30)


def test_an_mpi_comm_left_open_is_closed_at_exit(tmp_path):
    """A script that never calls Comm.close() still finalises MPI: mpirun exits 0 (it exited 1)."""
    import shutil
    import subprocess
    import sys
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        pytest.skip("mpirun is not installed (apt-get install openmpi-bin)")
    script = tmp_path / "left_open.py"
    script.write_text("import decent\n"
                      "c = decent.Comm.mpi()\n"
                      "import numpy as np\n"
                      "x = np.ones(3, dtype=np.float32)\n"
                      "c.allreduce(x)\n"
                      "assert x[0] == c.size\n"
                      "print('rank', c.rank, 'done')\n")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    r = subprocess.run([mpirun, "--oversubscribe", "-np", "2", sys.executable, str(script)],
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("done") == 2


def test_train_options_start_from_the_library_defaults_and_take_the_new_fields():
    o = decent.TrainOptions()
    assert (o.model, o.nodes, o.lr, o.epochs) == ("resnet20", 8, 0.1, 2)  # decent.h's defaults
    assert o.milestones is None and o.resume is None and o.flip == 0
    o = decent.TrainOptions(schedule="step", milestones=[0.05], flip=True, crop_padding=2)
    assert o.milestones == "0.05" and o.flip == 1 and o.crop_padding == 2
    with pytest.raises(decent.InvalidArgument, match="options.crop_padding 99: expected"):
        decent.Trainer(small(crop_padding=99))


def test_model_files_trainer_state_and_split_neighbour_average(tmp_path):
    with decent.Trainer(small(max_steps=10)) as t:
        assert not t.finished
        t.run(lambda p: p["step"] >= 5)  # stopped at the first report
        assert not t.finished
        t.run()
        assert t.finished
        assert t.config["lr"] == 0.05 and t.config["threads"] == 1
        m = t.model()
    images = np.random.default_rng(3).standard_normal((3, 1, 28, 28)).astype(np.float32)
    m.save(tmp_path / "m.bin")
    again = decent.Model.load(tmp_path / "m.bin")
    assert np.array_equal(m.predict(images), again.predict(images))
    shipped = decent.Model.from_bytes(m.to_bytes())
    assert np.array_equal(m.predict(images), shipped.predict(images))
    assert m.to_bytes() == (tmp_path / "m.bin").read_bytes()  # the file's bytes, in memory
    with pytest.raises(decent.IoError, match="buffer"):
        decent.Model.from_bytes(m.to_bytes()[:100])
    with decent.Dataset("synthetic", train=False) as test, decent.Dataset("synthetic") as train:
        # both splits carry the training split's statistics
        mean, std = test.normalization
        assert mean.shape == (1,) and 0 < mean[0] < 1 and 0 < std[0] < 1
        assert np.array_equal(mean, train.normalization[0])
    (tmp_path / "m.bin").write_bytes(b"DECENTM1 old format")
    with pytest.raises(decent.IoError, match="format 1"):
        decent.Model.load(tmp_path / "m.bin")
    decent.set_threads(1)

    with decent.Topology("ring", 4) as ring:
        w = ring.weights(0)
        out = {}

        def node(comm, rank):
            x = np.array([rank, rank * rank], dtype=np.float32)
            comm.neighbor_average_start(ring, 0, x)
            out[rank] = comm.neighbor_average_finish().copy()
        decent.run_local(4, node)
        for i in range(4):
            expected = w[i] @ np.array([[j, j * j] for j in range(4)], dtype=np.float64)
            assert np.allclose(out[i], expected, atol=1e-6)


def _quadrants(count, seed):
    """Four classes of 1x8x8 images: class k lights quadrant k (value 3) over uniform noise in
    [-1, 1]; chance is 0.25."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, count).astype(np.int32)
    images = rng.uniform(-1, 1, (count, 1, 8, 8)).astype(np.float32)
    for i, k in enumerate(labels):
        y, x = divmod(int(k), 2)
        images[i, 0, 4 * y:4 * y + 4, 4 * x:4 * x + 4] += 3
    return images, labels


def test_own_arrays_train_and_normalise_as_stated():
    images, labels = _quadrants(1600, 1)
    test_images, test_labels = _quadrants(400, 2)
    with decent.Dataset.from_arrays(images, labels) as train, \
            decent.Dataset.from_arrays(test_images, test_labels, classes=4) as test:
        assert len(train) == 1600 and train.shape == (1, 8, 8, 4)
        mean, std = train.normalization
        # the set's own statistics, computed here in float64
        assert abs(mean[0] - images.astype(np.float64).mean()) < 1e-5
        assert abs(std[0] - images.astype(np.float64).std()) < 1e-5
        test.set_normalization(*train.normalization)
        got, got_labels = test.batch([3, 0])
        assert np.array_equal(got_labels, test_labels[[3, 0]])
        assert np.allclose(got, (test_images[[3, 0]] - mean[0]) / std[0], atol=1e-5)
        with decent.Trainer(model="mlp", nodes=4, topology="ring", batch=16, lr=0.05, epochs=2,
                            threads=1, train=train, test=test) as t:
            t.run()
            accuracy, _ = t.evaluate()
            assert accuracy > 0.9  # chance: 0.25
            assert t.config["data"] == "memory"
    with pytest.raises(decent.OutOfRange, match="label 4 of image 0"):
        decent.Dataset.from_arrays(np.zeros((1, 2, 2), np.float32), [4], classes=4)
    with pytest.raises(decent.InvalidArgument, match="not finite"):
        decent.Dataset.from_arrays(np.full((1, 2, 2), np.nan, np.float32), [0], classes=2)
    with pytest.raises(decent.InvalidArgument, match="give both"):
        decent.Trainer(model="mlp", train=train)


def test_log_callback_receives_errors_and_progress():
    messages = []
    decent.set_log_callback(lambda level, text: messages.append((level, text)), decent.LOG_INFO)
    try:
        with pytest.raises(decent.InvalidArgument):
            decent.Topology("no-such-kind", 4)
        assert messages[-1][0] == decent.LOG_ERROR
        assert "no-such-kind" in messages[-1][1]
        with decent.Trainer(model="mlp", data="synthetic", nodes=2, max_steps=5, threads=1) as t:
            t.run()
        infos = [text for level, text in messages if level == decent.LOG_INFO]
        assert any("training mlp on 2 nodes" in m for m in infos)
        assert "training finished at step 5 of 5" in infos[-1]
    finally:
        decent.set_log_callback(None)
    count = len(messages)
    with pytest.raises(decent.InvalidArgument):
        decent.Topology("no-such-kind", 4)
    assert len(messages) == count
    with pytest.raises(TypeError):
        decent.set_log_callback(42)
