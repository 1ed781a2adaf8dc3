// Resuming a checkpoint folder on another number of nodes (train/regroup.hpp): the average of
// the newest files, the data position of the new run, and a loss that continues instead of
// starting over.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../common/skip.hpp"
#include "cli/cli.hpp"
#include "core/error.hpp"
#include "data/readers.hpp"
#include "train/regroup.hpp"

namespace decent::train {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  auto p = fs::temp_directory_path() / ("decent_regroup_test_" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

// Node k of a 4-node run at `step`: parameters k + 1 and 10 (k + 1), one buffer, optimizer and
// algorithm state distinct per node, so that each average has one right answer.
NodeCheckpoint saved_node(int k, std::int64_t step) {
  NodeCheckpoint c;
  c.step = step;
  c.loader_epoch = 3;
  c.loader_batch = 5;
  c.rank = k;
  c.nodes = 4;
  c.model = "lenet";
  c.algorithm = "dsgd";
  c.optimizer = "sgd";
  const float v = static_cast<float>(k + 1);
  c.parameters = {v, 10 * v};
  c.buffers = {100 * v};
  c.optimizer_state = {0.5 * v};
  c.algorithm_state = {{-v, 2 * v}};
  c.settings = {{"lr", "0.1"}, {"nodes", "4"}};
  return c;
}

}  // namespace

TEST_CASE("a 4-node checkpoint resumes on 3 nodes from the average of the newest files") {
  const auto dir = fresh_dir("average");
  for (int k : {0, 1, 3}) save_checkpoint(checkpoint_path(dir.string(), k), saved_node(k, 40));
  save_checkpoint(checkpoint_path(dir.string(), 2), saved_node(2, 20));  // a lost host's older file
  for (int rank = 0; rank < 3; ++rank) {
    CAPTURE(rank);
    const auto r = load_resume_state(dir.string(), rank, 3, 7);
    CHECK(r.regrouped);
    // Nodes 0, 1 and 3 (values 1, 2, 4): their mean is 7/3 and multiples of it.
    const double mean = 7.0 / 3.0;
    REQUIRE(r.checkpoint.parameters.size() == 2);
    CHECK(r.checkpoint.parameters[0] == static_cast<float>(mean));
    CHECK(r.checkpoint.parameters[1] == static_cast<float>(10 * mean));
    CHECK(r.checkpoint.buffers[0] == static_cast<float>(100 * mean));
    CHECK(r.checkpoint.optimizer_state[0] == doctest::Approx(0.5 * mean).epsilon(1e-15));
    CHECK(r.checkpoint.algorithm_state[0][1] == static_cast<float>(2 * mean));
    CHECK(r.checkpoint.rank == rank);
    CHECK(r.checkpoint.nodes == 3);
    CHECK(r.checkpoint.step == 40);
    // Where a 3-node run with 7 steps per epoch is after 40 steps: epoch 5, batch 5.
    CHECK(r.checkpoint.loader_epoch == 5);
    CHECK(r.checkpoint.loader_batch == 5);
    CHECK(r.checkpoint.settings[1].second == "3");
    CHECK(r.summary.find("4-node checkpoint of step 40 continues on 3 nodes from the average of "
                         "nodes 0, 1, 3") != std::string::npos);
    CHECK(r.summary.find("node-2.ckpt: step 20, older than step 40") != std::string::npos);
  }
  // On more nodes than wrote it: the same average (node 2 missing altogether this time).
  fs::remove(checkpoint_path(dir.string(), 2));
  const auto more = load_resume_state(dir.string(), 5, 6, 7);
  CHECK(more.checkpoint.parameters[0] == static_cast<float>(7.0 / 3.0));
  CHECK(more.summary.find("node-2.ckpt: cannot be opened") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("on the same node count each node resumes from its own file, which must be there") {
  const auto dir = fresh_dir("same");
  for (int k : {0, 1, 3}) save_checkpoint(checkpoint_path(dir.string(), k), saved_node(k, 40));
  const auto own = load_resume_state(dir.string(), 1, 4, 7);
  CHECK_FALSE(own.regrouped);
  CHECK(own.checkpoint.parameters == std::vector<float>{2, 20});
  CHECK(own.checkpoint.loader_epoch == 3);  // as saved, not recomputed
  CHECK_THROWS_WITH_AS(load_resume_state(dir.string(), 2, 4, 7),
                       doctest::Contains("node-2.ckpt: cannot be opened"), IoError);
  // Files of different runs in one folder are not averaged.
  auto other = saved_node(3, 40);
  other.settings[0].second = "0.2";
  save_checkpoint(checkpoint_path(dir.string(), 3), other);
  CHECK_THROWS_WITH_AS(load_resume_state(dir.string(), 0, 2, 7),
                       doctest::Contains("were written by different runs"), InvalidArgument);
  fs::remove_all(dir);
  CHECK_THROWS_AS(load_resume_state(dir.string(), 0, 2, 7), IoError);
}

namespace {
// The loss of every training line of OUT/metrics.jsonl.
std::vector<double> losses_of(const fs::path& out) {
  std::vector<double> losses;
  std::ifstream in(out / "metrics.jsonl");
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j.contains("loss")) losses.push_back(j["loss"].get<double>());
  }
  return losses;
}
}  // namespace

TEST_CASE("training resumed on fewer nodes continues from its loss instead of starting over") {
  test::skip_unless_exists(data::kDebianFashionMnistDir, "dataset-fashion-mnist");
  const auto dir = fresh_dir("continue");
  auto train = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "train", "--model",   "lenet", "--max-steps", "200", "--log-every", "20", "--no-plots",
        "-q",    "--threads", "1",     "--out",       out};
    args.insert(args.end(), extra.begin(), extra.end());
    std::ostringstream o, e;
    const int code = cli::run_cli(args, o, e);
    return std::pair{code, e.str()};
  };
  const auto first = dir / "four", second = dir / "three";
  REQUIRE(train(first.string(), {"--nodes", "4", "--max-steps", "160"}).first == 0);
  const auto [code, err] = train(second.string(), {"--nodes", "3", "--max-steps", "200", "--resume",
                                                   (first / "checkpoint").string()});
  REQUIRE_MESSAGE(code == 0, err);
  CHECK(err.find("continues on 3 nodes from the average of nodes 0, 1, 2, 3") != std::string::npos);
  const auto before = losses_of(first), after = losses_of(second);
  REQUIRE(before.size() == 8);  // steps 20 ... 160
  REQUIRE(after.size() == 2);   // steps 180 and 200
  CAPTURE(before.front());
  CAPTURE(before.back());
  CAPTURE(after.front());
  // From scratch, lenet's loss over the first 20 steps is about 2 (ln 10 = 2.3 at the start);
  // after 160 steps about 0.6. A resumed run that lost the model starts again near 2.
  CHECK(after.front() < 0.5 * before.front());
  CHECK(after.front() < 1.3 * before.back());
  MESSAGE("losses: first ", before.front(), ", at the checkpoint ", before.back(),
          ", resumed on 3 nodes ", after.front());
  fs::remove_all(dir);
}

}  // namespace decent::train
