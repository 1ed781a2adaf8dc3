// The local (threads) communicator: neighbour averaging equals the dense W x for every topology
// kind, node count and buffer size; exact averaging over a one-peer period; collectives; and the
// errors for mismatched or missing ranks.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "../common/comm_reference.hpp"
#include "../common/kind_spec.hpp"
#include "../common/message_exchange.hpp"
#include "comm/local.hpp"
#include "comm/topology_check.hpp"
#include "core/error.hpp"
#include "core/vector_ops.hpp"

using namespace decent;
using comm::Communicator;
using comm::run_local;

namespace {

std::string failure_message(const std::function<void()>& run) {
  try {
    run();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

// Every node's largest deviation from the dense reference after three neighbour averages of T.
template <typename T>
std::vector<double> three_step_errors(topology::Kind kind, int n, std::size_t count) {
  const topology::Topology t(test::default_spec(kind), n);
  const auto x0 = test::start_vectors<T>(n, count, 42);
  const auto expected = test::reference_after(t, x0, 3);
  std::vector<double> error(static_cast<std::size_t>(n), 1.0);
  run_local(n, [&](Communicator& c) {
    auto x = x0[static_cast<std::size_t>(c.rank())];
    for (int k = 0; k < 3; ++k) c.neighbor_average(x.data(), x.size(), t, k);
    error[static_cast<std::size_t>(c.rank())] =
        test::max_abs_difference(x, expected[static_cast<std::size_t>(c.rank())]);
  });
  return error;
}

TEST_CASE("local: three steps of neighbour averaging equal W^(2) W^(1) W^(0) x for every kind") {
  for (const auto& kind : topology::all_kinds())
    for (int n : test::node_counts_for(kind.kind))
      for (std::size_t count :
           {std::size_t{0}, std::size_t{1}, std::size_t{1001}, std::size_t{1000000}}) {
        CAPTURE(kind.name);
        CAPTURE(n);
        CAPTURE(count);
        for (double e : three_step_errors<float>(kind.kind, n, count)) CHECK(e < 1e-6);
      }
}

TEST_CASE("local: in double precision, neighbour averaging equals W x to 1e-12 for every kind") {
  for (const auto& kind : topology::all_kinds())
    for (int n : test::node_counts_for(kind.kind)) {
      CAPTURE(kind.name);
      CAPTURE(n);
      for (double e : three_step_errors<double>(kind.kind, n, 1001)) CHECK(e < 1e-12);
    }
}

TEST_CASE("local: the one-peer exponential graph averages exactly in log2 n steps") {
  for (int n : {2, 4, 8}) {
    const topology::Topology t("one-peer-exp", n);
    const auto x0 = test::start_vectors(n, 257, 7);
    std::vector<double> mean(257, 0.0);
    for (const auto& x : x0)
      for (std::size_t c = 0; c < x.size(); ++c) mean[c] += static_cast<double>(x[c]) / n;
    std::vector<double> error(static_cast<std::size_t>(n));
    run_local(n, [&](Communicator& c) {
      auto x = x0[static_cast<std::size_t>(c.rank())];
      for (int k = 0; k < t.period(); ++k) c.neighbor_average(x.data(), x.size(), t, k);
      error[static_cast<std::size_t>(c.rank())] = test::max_abs_difference(x, mean);
    });
    for (double e : error) CHECK(e < 1e-6);
  }
}

TEST_CASE("local: results are exact W x even when nodes run at different speeds, with overlap") {
  // Nodes sleep different times between start and finish (as if computing a gradient) and
  // between rounds; every round must still be exactly W applied to the previous round.
  const int n = 8;
  const topology::Topology t("one-peer-exp", n);
  const auto x0 = test::start_vectors(n, 64, 3);
  const int rounds = 40;
  const auto expected = test::reference_after(t, x0, rounds);
  std::vector<double> error(n);
  run_local(n, [&](Communicator& c) {
    auto x = x0[static_cast<std::size_t>(c.rank())];
    for (int k = 0; k < rounds; ++k) {
      c.start_neighbor_average(x.data(), x.size(), t, k);
      std::this_thread::sleep_for(std::chrono::microseconds(((c.rank() * 7 + k * 3) % 5) * 200));
      c.finish_neighbor_average();
    }
    error[static_cast<std::size_t>(c.rank())] =
        test::max_abs_difference(x, expected[static_cast<std::size_t>(c.rank())]);
  });
  for (double e : error) CHECK(e < 1e-5);
}

TEST_CASE("local: allreduce, broadcast and barrier") {
  const int n = 5;
  run_local(n, [&](Communicator& c) {
    std::vector<float> f(1003);
    std::vector<double> d(7);
    for (std::size_t i = 0; i < f.size(); ++i)
      f[i] = static_cast<float>(c.rank() + 1) * static_cast<float>(i);
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = c.rank() * 0.5 + static_cast<double>(i);
    c.allreduce(f.data(), f.size(), comm::ReduceOp::sum);
    c.allreduce(d.data(), d.size(), comm::ReduceOp::average);
    bool ok = true;
    for (std::size_t i = 0; i < f.size(); ++i)
      ok = ok && f[i] == 15.0f * static_cast<float>(i);  // 1+2+3+4+5
    for (std::size_t i = 0; i < d.size(); ++i)
      ok = ok && std::abs(d[i] - (1.0 + static_cast<double>(i))) < 1e-15;
    std::vector<float> b(9, static_cast<float>(c.rank()));
    c.broadcast(b.data(), b.size(), 3);
    for (float v : b) ok = ok && v == 3.0f;
    c.barrier();
    if (!ok)
      throw Error(Status::internal, "collective result wrong on rank " + std::to_string(c.rank()));
  });
}

TEST_CASE("local: a buffer in GPU memory is refused by name before anything is read") {
  // The pointer is never dereferenced: the communicator checks the buffer's device first.
  run_local(2, [&](Communicator& c) {
    float* device_pointer = reinterpret_cast<float*>(std::uintptr_t{0x1000});
    const Device gpu{DeviceKind::cuda, 1};
    const topology::Topology ring("ring", 2);
    CHECK_THROWS_WITH_AS(c.allreduce(device_pointer, 4, comm::ReduceOp::sum, gpu),
                         "allreduce: the buffer is in cuda:1 memory, but the local communicator "
                         "moves host memory",
                         NotSupported);
    CHECK_THROWS_WITH_AS(c.broadcast(device_pointer, 4, 0, gpu),
                         doctest::Contains("broadcast: the buffer is in cuda:1"), NotSupported);
    CHECK_THROWS_WITH_AS(c.neighbor_average(device_pointer, 4, ring, 0, gpu),
                         doctest::Contains("neighbor_average: the buffer is in cuda:1"),
                         NotSupported);
  });
}

TEST_CASE("local: mismatched ranks fail with a message naming them, quickly") {
  const topology::Topology ring("ring", 4), exp("exp", 4);
  auto m = failure_message([&] {
    run_local(4, [&](Communicator& c) {
      std::vector<float> x(c.rank() == 2 ? 11 : 10, 1.0f);
      c.neighbor_average(x.data(), x.size(), ring, 0);
    });
  });
  CHECK(contains(m, "disagree on the buffer size"));
  // Whichever side notices first reports it: rank 2's neighbour ("rank 2 sent 11 values") or
  // rank 2 itself ("rank 2 has 11").
  CHECK((contains(m, "rank 2 sent 11 values") || contains(m, "rank 2 has 11")));

  m = failure_message([&] {
    run_local(4, [&](Communicator& c) {
      std::vector<float> x(10, 1.0f);
      c.neighbor_average(x.data(), x.size(), c.rank() == 0 ? exp : ring, 0);
    });
  });
  CHECK(contains(m, "different topologies"));

  m = failure_message([&] {
    run_local(4, [&](Communicator& c) {
      std::vector<float> x(10, 1.0f);
      c.neighbor_average(x.data(), x.size(), ring, c.rank() == 1 ? 1 : 0);
    });
  });
  CHECK(contains(m, "out of step"));

  m = failure_message([&] {
    run_local(4, [&](Communicator& c) {
      std::vector<float> f(10, 1.0f);
      std::vector<double> d(10, 1.0);
      if (c.rank() == 3)
        c.neighbor_average(d.data(), d.size(), ring, 0);
      else
        c.neighbor_average(f.data(), f.size(), ring, 0);
    });
  });
  CHECK(contains(m, "disagree on the value type"));

  m = failure_message([&] {
    run_local(2, [&](Communicator& c) {
      std::vector<float> f(3, 1.0f);
      std::vector<double> d(3, 1.0);
      if (c.rank() == 1)
        c.allreduce(d.data(), d.size(), comm::ReduceOp::sum);
      else
        c.allreduce(f.data(), f.size(), comm::ReduceOp::sum);
    });
  });
  CHECK(contains(m, "allreduce: ranks"));
  CHECK(contains(m, "disagree on the value type"));

  m = failure_message([&] {
    run_local(3, [&](Communicator& c) {
      std::vector<double> d(c.rank() == 1 ? 4 : 3);
      c.allreduce(d.data(), d.size(), comm::ReduceOp::sum);
    });
  });
  CHECK(contains(m, "allreduce: ranks"));
  CHECK(contains(m, "disagree on the size"));
}

TEST_CASE("local: a rank that leaves or never arrives is named, within the timeout") {
  const topology::Topology ring("ring", 4);
  auto m = failure_message([&] {
    run_local(4, [&](Communicator& c) {
      if (c.rank() == 3) return;  // leaves without averaging
      std::vector<float> x(10, 1.0f);
      c.neighbor_average(x.data(), x.size(), ring, 0);
    });
  });
  CHECK(contains(m, "rank 3 has left the run"));

  const auto start = std::chrono::steady_clock::now();
  m = failure_message([&] {
    run_local(
        4,
        [&](Communicator& c) {
          if (c.rank() == 3) {  // stuck: neither averages nor leaves until the others gave up
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // well past the timeout
            return;
          }
          std::vector<float> x(10, 1.0f);
          c.neighbor_average(x.data(), x.size(), ring, 0);
        },
        std::chrono::milliseconds(200));
  });
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(contains(m, "for the values of rank 3"));
  CHECK(contains(m, "no answer within 0.2 s"));
  CHECK(elapsed < std::chrono::seconds(6));

  m = failure_message([&] {
    run_local(3, [&](Communicator& c) {
      if (c.rank() == 0) throw InvalidArgument("rank 0 gave up");
      c.barrier();
    });
  });
  CHECK(contains(m, "rank 0: rank 0 gave up"));
}

TEST_CASE("local: misuse is refused") {
  const topology::Topology ring4("ring", 4);
  CHECK(contains(failure_message([&] {
                   run_local(3, [&](Communicator& c) {
                     std::vector<float> x(4);
                     c.neighbor_average(x.data(), x.size(), ring4, 0);
                   });
                 }),
                 "has 4 nodes but the communicator has 3 ranks"));
  CHECK(contains(
      failure_message([&] { run_local(1, [&](Communicator& c) { c.finish_neighbor_average(); }); }),
      "finish without a pending exchange"));
  const topology::Topology one("ring", 1);
  CHECK(contains(failure_message([&] {
                   run_local(1, [&](Communicator& c) {
                     std::vector<float> x(4);
                     c.start_neighbor_average(x.data(), x.size(), one, 0);
                     c.start_neighbor_average(x.data(), x.size(), one, 1);
                   });
                 }),
                 "already pending"));
  CHECK(contains(failure_message([&] { run_local(0, [](Communicator&) {}); }), "at least 1"));
  CHECK(contains(failure_message([&] {
                   run_local(2, [&](Communicator& c) {
                     float v = 0;
                     c.broadcast(&v, 1, 5);
                   });
                 }),
                 "root 5"));
}

namespace {

// A stand-in "CUDA" device whose memory is host memory: the local communicator's device path
// (device copies, sums and mixing through the registered backend and VectorOps, a device-wide
// wait at each hand-over) runs on the host, so it can be checked bit for bit against the host
// path without a GPU. Registered for the lifetime of the object.
class HostBackedDevice final : public DeviceBackend {
 public:
  HostBackedDevice() {
    register_device_backend(DeviceKind::cuda, this);
    register_vector_ops(DeviceKind::cuda, {&ops<float>, &ops<double>});
  }
  ~HostBackedDevice() override {
    register_device_backend(DeviceKind::cuda, nullptr);
    register_vector_ops(DeviceKind::cuda, {nullptr, nullptr});
  }
  template <typename T>
  static const VectorOps<T>& ops(const Device&) {
    return cpu_vector_ops<T>();
  }
  void* allocate(const Device&, std::size_t bytes) const override {
    return bytes ? ::operator new(bytes) : nullptr;
  }
  void release(const Device&, void* p) const noexcept override { ::operator delete(p); }
  void copy(const Device&, void* to, const void* from, std::size_t bytes, bool, bool,
            void*) const override {
    std::memmove(to, from, bytes);
  }
  void fill_zero(const Device&, void* p, std::size_t bytes, void*) const override {
    std::memset(p, 0, bytes);
  }
  void* create_stream(const Device&) const override { return nullptr; }
  void destroy_stream(const Device&, void*) const noexcept override {}
  void synchronize(const Device&, void*) const override {}
  void synchronize_device(const Device&) const override { ++waits; }
  void* create_event(const Device&) const override { return nullptr; }
  void destroy_event(const Device&, void*) const noexcept override {}
  void record_event(const Device&, void*, void*) const override {}
  void wait_event(const Device&, void*, void*) const override {}
  mutable std::atomic<int> waits{0};
};

// Every rank's values after two all-reduces, a broadcast and three neighbour averages of its
// buffer on `device`.
template <typename T>
std::vector<std::vector<T>> collectives_on(const Device& device, const topology::Topology& t) {
  const int n = t.nodes();
  const auto x0 = test::start_vectors<T>(n, 1001, 7);
  std::vector<std::vector<T>> out(static_cast<std::size_t>(n));
  run_local(n, [&](Communicator& c) {
    auto x = x0[static_cast<std::size_t>(c.rank())];
    auto s = x, a = x;
    c.allreduce(s.data(), s.size(), comm::ReduceOp::sum, device);
    c.allreduce(a.data(), a.size(), comm::ReduceOp::average, device);
    auto b = x;
    c.broadcast(b.data(), b.size(), 2, device);
    for (int k = 0; k < 3; ++k) c.neighbor_average(x.data(), x.size(), t, k, device);
    x.insert(x.end(), s.begin(), s.end());
    x.insert(x.end(), a.begin(), a.end());
    x.insert(x.end(), b.begin(), b.end());
    out[static_cast<std::size_t>(c.rank())] = x;
  });
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE("local: on a shared device, every collective equals the host's bit for bit", T,
                   float, double) {
  const HostBackedDevice device;
  const Device gpu{DeviceKind::cuda, 0};
  for (const char* kind : {"exp", "one-peer-exp", "ring"}) {
    CAPTURE(std::string(kind));
    const topology::Topology t(kind, 6);
    CHECK(collectives_on<T>(gpu, t) == collectives_on<T>(Device{}, t));
  }
  CHECK(device.waits > 0);  // each hand-over waited for the device
  // Nodes must share one device.
  const std::string message = failure_message([&] {
    run_local(3, [&](Communicator& c) {
      std::vector<T> x(4, T{1});
      c.allreduce(x.data(), x.size(), comm::ReduceOp::sum, c.rank() == 1 ? gpu : Device{});
    });
  });
  CHECK(contains(message, "have buffers on different devices"));
}

TEST_CASE("local: the start-up topology check names every rank whose topology differs") {
  // Rank 4's ring has the same weights under another name (Metropolis on a ring is 1/3 too).
  const topology::Topology ring("ring", 5), exp("exp", 5), named("ring:weights=metropolis", 5);
  std::vector<std::string> messages(5);
  run_local(5, [&](Communicator& c) {
    const auto& mine = c.rank() == 1 || c.rank() == 3 ? exp : c.rank() == 4 ? named : ring;
    try {
      comm::check_same_topology(c, mine);
    } catch (const InvalidArgument& e) {
      messages[static_cast<std::size_t>(c.rank())] = e.what();
    }
  });
  for (int r = 0; r < 5; ++r) {
    CAPTURE(r);
    CHECK(contains(messages[static_cast<std::size_t>(r)],
                   "ranks 1, 3, 4 of 5 built a different topology from rank 0's"));
  }
  run_local(5, [&](Communicator& c) { comm::check_same_topology(c, ring); });  // no throw
}

TEST_CASE("local: nodes whose weights file differs under the same name are refused") {
  // Two hosts with different contents at the same path: the names agree, the weights do not.
  const auto path = (std::filesystem::temp_directory_path() / "decent_comm_weights.json").string();
  std::ofstream(path) << R"({"weights": [[0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]]})";
  const topology::Topology first("file:" + path, 3);
  std::ofstream(path) << R"({"weights": [[0.5, 0, 0.5], [0, 0.5, 0.5], [0.5, 0.5, 0]]})";
  const topology::Topology second("file:" + path, 3);
  CHECK(first.name() == second.name());
  CHECK(first.fingerprint() != second.fingerprint());
  const auto message = failure_message([&] {
    run_local(3, [&](Communicator& c) {
      std::vector<float> x(8, 1.0f);
      c.neighbor_average(x.data(), x.size(), c.rank() == 0 ? second : first, 0);
    });
  });
  CHECK(contains(message, "use different topologies"));
  CHECK(contains(message, "the same file name with other weights"));
  std::filesystem::remove(path);
}

TEST_CASE("local: messages of any length reach the in-neighbours, in the topology's order") {
  for (int n : {1, 2, 5, 8}) {
    std::mutex mutex;
    std::vector<std::string> errors;
    run_local(n, [&](Communicator& c) {
      const auto mine = test::message_exchange_errors(c);
      const std::lock_guard lock(mutex);
      errors.insert(errors.end(), mine.begin(), mine.end());
    });
    CAPTURE(n);
    CHECK(errors.empty());
    if (!errors.empty()) MESSAGE(errors.front());
  }
}

TEST_CASE("local: a node that averages where its neighbour sends a message is named") {
  const topology::Topology ring("ring", 3);
  const auto message = failure_message([&] {
    run_local(3, [&](Communicator& c) {
      std::vector<float> x(4, 1.0f);
      if (c.rank() == 0)
        c.neighbor_average(x.data(), x.size(), ring, 0);
      else
        c.exchange_messages(x.data(), 16, ring, 0);
    });
  });
  CHECK(contains(message, "disagree on the exchange"));
  CHECK(contains(message, "a compressed message"));
  CHECK(contains(failure_message([&] {
                   run_local(1, [&](Communicator& c) {
                     unsigned char b = 0;
                     c.start_message_exchange(&b, 1, ring, 0);
                   });
                 }),
                 "has 3 nodes"));
  const topology::Topology one("ring", 1);
  CHECK(contains(failure_message([&] {
                   run_local(1, [&](Communicator& c) {
                     unsigned char b = 0;
                     c.start_message_exchange(&b, 1, one, 0);
                     c.finish_neighbor_average();
                   });
                 }),
                 "the pending exchange is a message exchange"));
}
