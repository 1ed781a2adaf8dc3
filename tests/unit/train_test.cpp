// The trainer: learning on real data, exact resume from checkpoints, corrupt checkpoints, NaN
// detection, and the CLI's errors for bad flags.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../common/skip.hpp"
#include "cli/cli.hpp"
#include "comm/local.hpp"
#include "core/error.hpp"
#include "data/readers.hpp"
#include "train/checkpoint.hpp"
#include "train/trainer.hpp"

namespace decent::train {
namespace {

namespace fs = std::filesystem;

// Runs train_node on `nodes` in-process nodes and returns node 0's result.
TrainResult train_local(const TrainOptions& o, const Datasets& data) {
  const topology::Topology t(o.topology, o.nodes);
  TrainResult result;
  std::mutex m;
  comm::run_local(
      o.nodes,
      [&](comm::Communicator& c) {
        auto r = train_node(c, t, o, data, {});
        if (c.rank() == 0) {
          std::lock_guard lock(m);
          result = std::move(r);
        }
      },
      comm::default_timeout());
  return result;
}

fs::path temp_dir(const std::string& name) {
  auto p = fs::temp_directory_path() / ("decent_train_test_" + name);
  fs::remove_all(p);
  return p;
}

TrainOptions small_synthetic() {
  TrainOptions o;
  o.model = "lenet";
  o.data = "synthetic";
  o.nodes = 4;
  o.batch = 16;
  o.lr = 0.05;
  o.threads = 1;
  o.out = "";
  return o;
}

}  // namespace

TEST_CASE("a short decentralized run of a small model beats 80% on a Fashion-MNIST subset") {
  test::skip_unless_exists(data::kDebianFashionMnistDir, "dataset-fashion-mnist");
  TrainOptions o;
  o.model = "lenet";
  o.nodes = 4;
  o.topology = "one-peer-exp";
  o.algorithm = "dsgd";
  o.epochs = 2;
  o.batch = 32;
  o.lr = 0.05;
  o.train_limit = 12000;
  o.test_limit = 2000;
  o.threads = 1;
  o.out = "";
  const auto data = load_datasets(o);
  const auto r = train_local(o, data);
  CAPTURE(r.final_eval.test_accuracy);
  CHECK(r.final_eval.test_accuracy > 0.80);
  CHECK(r.steps == 2 * (12000 / (4 * 32)));
  // Gossip over one-peer-exp leaves the nodes apart by a small amount: exactly 0 would mean the
  // nodes never differed (no local steps), a large value that they did not mix.
  CHECK(r.final_eval.consensus_distance > 0);
  CHECK(r.final_eval.consensus_distance < 1.0);
}

TEST_CASE("resuming from a checkpoint continues exactly like an uninterrupted run") {
  const auto data = load_datasets(small_synthetic());
  for (auto [algorithm, optimizer] :
       {std::pair{"gradient_tracking", "lamb"}, std::pair{"dmsgd", "sgd"},
        std::pair{"exact_diffusion", "lars"}, std::pair{"aga", "sgd"}}) {
    CAPTURE(algorithm);
    auto o = small_synthetic();
    o.algorithm = algorithm;
    o.optimizer = optimizer;
    o.topology = "ring";
    if (std::string(optimizer) == "lamb") o.lr = 0.005;
    o.period = 4;  // aga adapts its period at steps 8, 12, ...: the resume at 12 is mid-schedule
    const auto first = temp_dir("first"), second = temp_dir("second");
    o.max_steps = 30;
    const auto straight = train_local(o, data);
    o.max_steps = 12;
    o.out = first.string();
    train_local(o, data);
    o.max_steps = 30;
    o.out = second.string();
    o.resume = (first / "checkpoint").string();
    const auto resumed = train_local(o, data);
    CHECK(resumed.average_parameters == straight.average_parameters);
    CHECK(resumed.average_buffers == straight.average_buffers);
    CHECK(resumed.final_eval.test_loss == straight.final_eval.test_loss);
    // A checkpoint from another configuration is refused, naming the difference.
    o.algorithm = "dsgd";
    CHECK_THROWS_WITH_AS(train_local(o, data), doctest::Contains("checkpoint has algorithm"),
                         InvalidArgument);
    fs::remove_all(first);
    fs::remove_all(second);
  }
}

TEST_CASE("corrupt and truncated checkpoints are refused with the file and offset") {
  const auto dir = temp_dir("corrupt");
  fs::create_directories(dir);
  NodeCheckpoint c;
  c.step = 7;
  c.model = "lenet";
  c.parameters = {1, 2, 3};
  c.algorithm_state = {{4, 5}};
  const auto path = (dir / "node-0.ckpt").string();
  save_checkpoint(path, c);
  const auto back = load_checkpoint(path);
  CHECK(back.step == 7);
  CHECK(back.parameters == c.parameters);
  CHECK(back.algorithm_state == c.algorithm_state);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(60);
    f.put('\x7f');
  }
  CHECK_THROWS_WITH_AS(load_checkpoint(path), doctest::Contains("checksum mismatch"), IoError);
  save_checkpoint(path, c);
  fs::resize_file(path, fs::file_size(path) - 10);
  CHECK_THROWS_AS(load_checkpoint(path), IoError);
  CHECK_THROWS_WITH_AS(load_checkpoint((dir / "none.ckpt").string()),
                       doctest::Contains("cannot be opened"), IoError);
  fs::remove_all(dir);
}

TEST_CASE("a diverging run stops with an error naming the node and step") {
  auto o = small_synthetic();
  o.lr = 1e8;
  o.max_steps = 50;
  const auto data = load_datasets(o);
  try {
    train_local(o, data);
    FAIL("a lr of 1e8 did not diverge");
  } catch (const NumericalError& e) {
    const std::string m = e.what();
    CHECK(m.find("node ") != std::string::npos);
    CHECK(m.find(", step ") != std::string::npos);
    CHECK(m.find("the training loss is") != std::string::npos);
  }
}

namespace {
struct CliRun {
  int code;
  std::string out, err;
};
CliRun cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  args.insert(args.begin(), "train");
  const int code = cli::run_cli(args, out, err);
  return {code, out.str(), err.str()};
}
}  // namespace

TEST_CASE("decent train: clear errors for bad flags") {
  // Names and ranges of the options table are usage errors (exit 2), with the accepted values.
  auto r = cli({"--algorithm", "sgd2", "--data", "synthetic", "--out", ""});
  CHECK(r.code == 2);
  CHECK(r.err.find("--algorithm: sgd2 not in {psgd,dsgd,") != std::string::npos);
  r = cli({"--lr", "nan", "--data", "synthetic", "--out", ""});
  CHECK(r.code == 2);
  CHECK(r.err.find("--lr: value nan: expected > 0") != std::string::npos);
  r = cli({"--momentum", "1", "--data", "synthetic", "--out", ""});
  CHECK(r.code == 2);
  CHECK(r.err.find("--momentum: value 1: expected [0, 1)") != std::string::npos);
  r = cli({"--warmup-epochs", "3", "--epochs", "2", "--data", "synthetic", "--out", ""});
  CHECK(r.code == 1);
  CHECK(r.err.find("--warmup-epochs 3: expected at most --epochs (2)") != std::string::npos);
  r = cli({"--partition", "weird", "--data", "synthetic", "--out", ""});
  CHECK(r.code == 1);
  CHECK(r.err.find("expected iid, dirichlet[:alpha] or sorted") != std::string::npos);
  r = cli({"--epochs", "0"});
  CHECK(r.code == 2);
  r = cli({"--data", "imagenet"});
  CHECK(r.code == 2);
  r = cli({"--topology", "rign", "--data", "synthetic", "--model", "mlp", "--out", ""});
  CHECK(r.code == 1);
  CHECK(r.err.find("rign") != std::string::npos);
  r = cli({"--data", "cifar10", "--out", ""});
  CHECK(r.code == 1);
  CHECK(r.err.find("needs --data-dir") != std::string::npos);
  r = cli({"--data-dir", "/nonexistent", "--out", ""});
  CHECK(r.code == 1);
  CHECK(r.err.find("/nonexistent") != std::string::npos);
  r = cli({"--model", "resnet21", "--data", "synthetic", "--out", ""});
  CHECK(r.code == 1);
  CHECK(r.err.find("depth 6n+2") != std::string::npos);
  r = cli({"--data", "synthetic", "--batch", "5000", "--nodes", "4", "--out", ""});
  CHECK(r.code == 1);
  CHECK(r.err.find("fewer than one batch") != std::string::npos);
}

TEST_CASE("decent train reads a TOML config file, and flags may override it") {
  const auto dir = temp_dir("toml");
  fs::create_directories(dir);
  const auto cfg = (dir / "run.toml").string();
  std::ofstream(cfg) << "model = \"mlp\"\ndata = \"synthetic\"\nnodes = 2\nmax-steps = 4\n"
                        "log-every = 2\nout = \""
                     << (dir / "out").string() << "\"\n";
  auto r = cli({"--config", cfg, "--no-plots"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  CHECK(r.out.find("mlp on synthetic") != std::string::npos);
  CHECK(r.out.find("2 nodes") != std::string::npos);
  std::ifstream metrics(dir / "out" / "metrics.jsonl");
  std::string line;
  int lines = 0;
  while (std::getline(metrics, line)) ++lines;
  CHECK(lines == 3);  // steps 2 and 4, and the final evaluation
  r = cli({"--config", cfg, "--no-plots", "--nodes", "3"});
  CHECK(r.out.find("3 nodes") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE(
    "decent train: metrics count the global averages of pga and aga, and config names aga's "
    "warm-up") {
  const auto dir = temp_dir("averages");
  auto averages = [&](const char* algorithm) {
    const auto out = (dir / algorithm).string();
    const auto r = cli({"--model", "mlp", "--data", "synthetic", "--nodes", "2", "--topology",
                        "ring", "--algorithm", algorithm, "--period", "2", "--max-steps", "8",
                        "--log-every", "4", "--no-plots", "--out", out});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    std::ifstream metrics(fs::path(out) / "metrics.jsonl");
    std::vector<std::int64_t> counts;
    for (std::string line; std::getline(metrics, line);) {
      const auto j = nlohmann::json::parse(line);
      if (j["kind"] == "train") counts.push_back(j["global_averages"]);
    }
    std::ifstream config(fs::path(out) / "config.json");
    CHECK(nlohmann::json::parse(config)["aga_warmup"] == 0);
    return counts;
  };
  CHECK(averages("pga") == std::vector<std::int64_t>{2, 4});  // every H = 2 steps
  CHECK(averages("dsgd") == std::vector<std::int64_t>{0, 0});
  // aga: H0 = 2 until its first adaptation, which follows the average at step 4 (the schedule
  // after it is checked against hand-worked losses in algo_aga_test.cpp).
  const auto aga = averages("aga");
  REQUIRE(aga.size() == 2);
  CHECK(aga[0] == 2);
  fs::remove_all(dir);
}

}  // namespace decent::train

namespace decent::train {

TEST_CASE("resume refuses checkpoints of different steps and runs with other settings") {
  const auto dir = temp_dir("resume_checks");
  auto run = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {"--model",    "mlp", "--data",     "synthetic",
                                     "--nodes",    "2",   "--topology", "ring",
                                     "--no-plots", "-q",  "--out",      out};
    args.insert(args.end(), extra.begin(), extra.end());
    return cli(args);
  };
  const auto a = (dir / "a").string(), b = (dir / "b").string();
  REQUIRE(run(a, {"--max-steps", "4"}).code == 0);
  REQUIRE(run(b, {"--max-steps", "2"}).code == 0);
  // A folder mixing node 0 of step 4 with node 1 of step 2: fails at once (0.1.0 hung 120 s).
  fs::copy_file(fs::path(b) / "checkpoint" / "node-1.ckpt",
                fs::path(a) / "checkpoint" / "node-1.ckpt", fs::copy_options::overwrite_existing);
  const auto start = std::chrono::steady_clock::now();
  auto r = run((dir / "c").string(), {"--resume", a + "/checkpoint"});
  CHECK(r.code == 1);
  CHECK(r.err.find("the nodes' checkpoints are from different steps (" + a +
                   "/checkpoint/node-0.ckpt at step 4, " + a +
                   "/checkpoint/node-1.ckpt at step 2)") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));

  // Other settings than the checkpoint's: refused, naming each with both values.
  r = run((dir / "d").string(), {"--resume", b + "/checkpoint", "--lr", "0.2", "--seed", "7"});
  CHECK(r.code == 1);
  CHECK(r.err.find("written by a run with other settings (lr: 0.1 -> 0.2, seed: 1 -> 7;") !=
        std::string::npos);
  // The same settings (and a longer max-steps, which only says where to stop) continue.
  r = run((dir / "e").string(), {"--resume", b + "/checkpoint", "--max-steps", "6"});
  CHECK_MESSAGE(r.code == 0, r.err);
  fs::remove_all(dir);
}

TEST_CASE("a run whose parameters overflow after the last loss fails instead of saving them") {
  // One step at lr 1e300: its loss (at the initial parameters) is finite, the update is not.
  const auto dir = temp_dir("overflow");
  const auto r = cli({"--model", "mlp", "--data", "synthetic", "--nodes", "2", "--max-steps", "1",
                      "--lr", "1e300", "--no-plots", "-q", "--out", dir.string()});
  CHECK(r.code == 1);
  CHECK(r.err.find("after step 1: the node-averaged parameters holds") != std::string::npos);
  CHECK(!fs::exists(dir / "model.bin"));
  fs::remove_all(dir);
}

TEST_CASE("outputs on a full disk fail with the file named") {
  const auto dir = temp_dir("full_disk");
  const std::vector<std::string> args = {"--model",    "mlp", "--data",      "synthetic",
                                         "--nodes",    "2",   "--max-steps", "2",
                                         "--no-plots", "-q",  "--out",       dir.string()};
  fs::create_directories(dir);
  fs::create_symlink("/dev/full", dir / "metrics.jsonl");  // every write: ENOSPC
  auto r = cli(args);
  CHECK(r.code == 1);
  CHECK(r.err.find("file " + (dir / "metrics.jsonl").string() + ": write failed") !=
        std::string::npos);
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::create_symlink("/dev/full", dir / "model.bin.tmp");  // the atomic write's temporary file
  r = cli(args);
  CHECK(r.code == 1);
  CHECK(r.err.find("file " + (dir / "model.bin.tmp").string() + ": write failed") !=
        std::string::npos);
  fs::remove_all(dir);
  r = cli({"--model", "mlp", "--data", "synthetic", "--out", "/proc/decent-no-such-folder"});
  CHECK(r.code == 1);
  CHECK(r.err.find("output folder /proc/decent-no-such-folder: cannot be created") !=
        std::string::npos);
}

TEST_CASE("bad data and partitions fail before training with a message") {
  auto r = cli({"--data", "synthetic", "--partition", "dirichlet:1e-6", "--out", ""});
  CHECK(r.code == 1);  // 0.1.0 crashed (segmentation fault)
  CHECK(r.err.find("or a larger dirichlet alpha") != std::string::npos);
  r = cli({"--data", "synthetic", "--algorithm", "decentlam", "--topology", "exp", "--out", ""});
  CHECK(r.code == 1);
  CHECK(r.err.find("decentlam with momentum 0.9 diverges") != std::string::npos);
}

TEST_CASE("decent train under mpirun without --backend mpi refuses instead of running N jobs") {
  ::setenv("OMPI_COMM_WORLD_SIZE", "8", 1);
  const auto r = cli({"--data", "synthetic", "--model", "mlp", "--out", ""});
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  CHECK(r.code == 1);
  CHECK(r.err.find("one of 8 ranks started by mpirun, but --backend is local") !=
        std::string::npos);
  CHECK(r.err.find("add --backend mpi") != std::string::npos);
}

}  // namespace decent::train
