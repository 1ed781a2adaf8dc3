#include "train/trainer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

#include "algo/algorithm.hpp"
#include "core/error.hpp"
#include "data/partition.hpp"
#include "nn/builders.hpp"
#include "nn/node_engine.hpp"
#include "nn/threads.hpp"
#include "optim/optimizer.hpp"
#include "optim/schedule.hpp"
#include "train/checkpoint.hpp"
#include "train/files.hpp"
#include "train/option_table.hpp"
#include "train/run_parts.hpp"
#include "train/settings.hpp"

namespace decent::train {

optim::ScheduleOptions schedule_for(const TrainOptions& o, std::int64_t per_epoch, int n) {
  optim::ScheduleOptions sched;
  sched.kind = o.schedule;
  sched.base_lr = o.scale_lr ? optim::scaled_lr(o.lr, n * o.batch) : o.lr;
  sched.warmup_steps = static_cast<std::int64_t>(o.warmup_epochs * static_cast<double>(per_epoch));
  sched.total_steps = o.epochs * per_epoch;
  for (double m : o.milestones)
    sched.milestones.push_back(static_cast<std::int64_t>(m * static_cast<double>(per_epoch)));
  return sched;
}

algo::AlgorithmOptions algorithm_options_for(const TrainOptions& o, double base_lr) {
  algo::AlgorithmOptions ao;
  ao.name = o.algorithm;
  ao.lr = base_lr;
  ao.momentum = algo::has_own_momentum(o.algorithm) ? o.momentum : 0.0;
  ao.period = o.period;
  ao.warmup = o.aga_warmup;
  ao.awc = o.awc;
  ao.compressor = o.compressor;
  ao.consensus_step = o.consensus_step;
  ao.outer_lr = o.outer_lr;
  ao.outer_momentum = o.outer_momentum;
  ao.inner_gossip = o.inner_gossip;
  ao.outer_gossip = o.outer_gossip;
  ao.seed = o.seed;
  return ao;
}

optim::OptimizerOptions optimizer_options_for(const TrainOptions& o) {
  optim::OptimizerOptions oo;
  oo.name = o.optimizer;
  oo.momentum = algo::has_own_momentum(o.algorithm) ? 0.0 : o.momentum;
  oo.nesterov = o.nesterov;
  oo.weight_decay = o.weight_decay;
  return oo;
}

void check_output_folder(const std::string& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError("output folder " + dir + ": cannot be created: " + ec.message());
  // A name of this process's own: MPI ranks may probe the same (shared) folder at once.
  const auto probe = (std::filesystem::path(dir) /
                      fmt::format(".decent-write-probe-{}-{}", ::getpid(),
                                  std::chrono::steady_clock::now().time_since_epoch().count()))
                         .string();
  write_file_atomically(probe, "probe\n");  // the way every output file is written
  std::filesystem::remove(probe, ec);
}

void check_run(const TrainOptions& o, const Datasets& data, const topology::Topology& topology,
               Naming naming) {
  validate(o, naming);
  const int n = topology.nodes();
  // No GPU, no plugin, or an index past the device count: say so before any node starts.
  std::unique_ptr<nn::NodeEngine> engine;
  try {
    engine = nn::open_node_engine(nn::node_device(o.device, 0));
  } catch (const Error& e) {
    rethrow_with_context(
        e, fmt::format("{} {}: ", option_label(option_spec("device"), naming), o.device));
  }
  // An unknown model or a bad width fails here (on the device: its layers build too).
  auto model = build_model_for(o, data, &engine->layers());
  const auto per_epoch = steps_per_epoch(o, data, n);
  optim::learning_rate(schedule_for(o, per_epoch, n), 0);
  optim::make_optimizer(optimizer_options_for(o), 1, {{0, 1}});
  algo::make_algorithm<float>(algorithm_options_for(o, o.lr), 1)->check_topology(topology);
  const auto parts = data::partition(data.train.labels, data.train.classes, n,
                                     data::parse_partition(o.partition, o.seed));
  for (std::size_t r = 0; r < parts.size(); ++r)
    if (static_cast<std::int64_t>(parts[r].size()) < o.batch)
      throw InvalidArgument(fmt::format(
          "partition \"{}\" over {} nodes gives node {} {} training samples, fewer than one batch "
          "of {}: use fewer nodes, a smaller {}{}",
          o.partition, n, r, parts[r].size(), o.batch, option_label(option_spec("batch"), naming),
          o.partition.rfind("dirichlet", 0) == 0 ? " or a larger dirichlet alpha" : ""));
  check_output_folder(o.out);
}

Tally evaluate_shard(nn::Model& model, const Datasets& data, int rank, int n) {
  Tally t;
  std::vector<std::int64_t> mine;
  for (std::int64_t i = rank; i < data.test.size(); i += n) mine.push_back(i);
  std::vector<float> images;
  std::vector<std::int32_t> labels;
  constexpr std::size_t kBatch = 250;
  for (std::size_t start = 0; start < mine.size(); start += kBatch) {
    const auto len = std::min(kBatch, mine.size() - start);
    data::make_batch(data.test, std::span(mine).subspan(start, len), data.norm, images, labels);
    const auto e = model.evaluate(images, labels);
    t.loss_sum += e.loss * static_cast<double>(len);
    t.correct += static_cast<double>(e.correct);
    t.count += static_cast<double>(len);
  }
  return t;
}

std::unique_ptr<nn::Model> build_model_for(const TrainOptions& o, const Datasets& data,
                                           const nn::LayerBackend* layers) {
  nn::ModelSpec spec;
  spec.layers = layers;
  spec.name = o.model;
  spec.input = {data.train.channels, data.train.height, data.train.width};
  spec.classes = data.train.classes;
  spec.width = o.width;
  spec.seed = o.seed;
  return nn::build_model(spec);
}

std::int64_t steps_per_epoch(const TrainOptions& o, const Datasets& data, int nodes) {
  return std::max<std::int64_t>(1, data.train.size() / (nodes * o.batch));
}

std::int64_t total_steps(const TrainOptions& o, const Datasets& data, int nodes) {
  const auto all = o.epochs * steps_per_epoch(o, data, nodes);
  return o.max_steps > 0 ? std::min(all, o.max_steps) : all;
}

int default_threads_per_node(int nodes) {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / std::max(nodes, 1));
}

void check_checkpoint(const NodeCheckpoint& c, const TrainOptions& o, int rank, int nodes,
                      const std::string& context, const nn::Model* model) {
  auto mismatch = [&](const std::string& what, const std::string& saved, const std::string& now) {
    throw InvalidArgument(
        fmt::format("{}: node {}'s checkpoint has {} {}; this run has {} (a checkpoint of another "
                    "configuration)",
                    context, rank, what, saved, now));
  };
  if (c.nodes != nodes) mismatch("nodes", std::to_string(c.nodes), std::to_string(nodes));
  if (c.rank != rank) mismatch("rank", std::to_string(c.rank), std::to_string(rank));
  if (c.model != o.model) mismatch("model", c.model, o.model);
  if (c.algorithm != o.algorithm) mismatch("algorithm", c.algorithm, o.algorithm);
  if (c.optimizer != o.optimizer) mismatch("optimizer", c.optimizer, o.optimizer);
  if (!c.settings.empty()) {  // version-1 checkpoints do not record them
    const auto changed = changed_settings(c.settings, run_settings(o, nodes));
    if (!changed.empty())
      throw InvalidArgument(fmt::format(
          "{}: node {}'s checkpoint was written by a run with other settings ({}; checkpoint -> "
          "now): continue with the checkpoint's settings (its run's config.json), or start a new "
          "run",
          context, rank, fmt::join(changed, ", ")));
  }
  if (model != nullptr && (c.parameters.size() != model->parameters().size() ||
                           c.buffers.size() != model->buffers().size()))
    mismatch("parameter count", std::to_string(c.parameters.size()),
             std::to_string(model->parameters().size()));
}

}  // namespace decent::train
