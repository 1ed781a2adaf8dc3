#include "train/local_trainer.hpp"

#include <filesystem>
#include <mutex>
#include <thread>

#include "comm/local.hpp"
#include "core/error.hpp"
#include "data/loader.hpp"
#include "nn/builders.hpp"

namespace decent::train {

LocalTrainer::LocalTrainer(TrainOptions options) : options_(std::move(options)) {
  options_.resume.clear();
  validate(options_);
  if (options_.threads == 0)
    options_.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / options_.nodes);
  topology::Topology(options_.topology, options_.nodes);  // a bad spec fails here, not in a thread
  data_ = load_datasets(options_);
  const std::int64_t per_epoch =
      std::max<std::int64_t>(1, data_.train.size() / (options_.nodes * options_.batch));
  total_ = options_.epochs * per_epoch;
  if (options_.max_steps > 0) total_ = std::min(total_, options_.max_steps);
}

void LocalTrainer::run(const Reporter& reporter, std::int64_t until) {
  TrainOptions o = options_;
  o.max_steps = until > 0 ? std::min(until, total_) : total_;
  if (o.max_steps <= done_) return;
  const topology::Topology t(o.topology, o.nodes);
  std::vector<NodeCheckpoint> next(static_cast<std::size_t>(o.nodes));
  std::int64_t reached = done_;
  std::mutex m;
  comm::run_local(o.nodes, [&](comm::Communicator& c) {
    const auto r = static_cast<std::size_t>(c.rank());
    auto result = train_node(c, t, o, data_, c.rank() == 0 ? reporter : Reporter{},
                             states_.empty() ? nullptr : &states_[r]);
    std::lock_guard lock(m);
    next[r] = std::move(result.final_state);
    if (c.rank() == 0) reached = result.steps;
  }, comm::default_timeout());
  states_ = std::move(next);
  done_ = reached;
}

std::unique_ptr<nn::Model> LocalTrainer::averaged_model() const {
  nn::ModelSpec spec;
  spec.name = options_.model;
  spec.input = {data_.train.channels, data_.train.height, data_.train.width};
  spec.classes = data_.train.classes;
  spec.width = options_.width;
  spec.seed = options_.seed;
  auto model = nn::build_model(spec);
  if (states_.empty()) return model;
  auto p = model->parameters();
  auto b = model->buffers();
  std::fill(p.begin(), p.end(), 0.0f);
  std::fill(b.begin(), b.end(), 0.0f);
  const auto scale = 1.0f / static_cast<float>(states_.size());
  for (const auto& s : states_) {
    if (s.parameters.size() != p.size() || s.buffers.size() != b.size())
      throw InvalidArgument("trainer: a node's state has " + std::to_string(s.parameters.size()) +
                            " parameters; the model has " + std::to_string(p.size()));
    for (std::size_t i = 0; i < p.size(); ++i) p[i] += scale * s.parameters[i];
    for (std::size_t i = 0; i < b.size(); ++i) b[i] += scale * s.buffers[i];
  }
  return model;
}

std::pair<double, double> LocalTrainer::evaluate() const {
  auto model = averaged_model();
  std::vector<float> images;
  std::vector<std::int32_t> labels;
  std::vector<std::int64_t> idx;
  double loss = 0, correct = 0;
  const std::int64_t n = data_.test.size();
  for (std::int64_t start = 0; start < n; start += 250) {
    idx.clear();
    for (std::int64_t i = start; i < std::min(n, start + 250); ++i) idx.push_back(i);
    data::make_batch(data_.test, idx, data_.norm, images, labels);
    const auto e = model->evaluate(images, labels);
    loss += e.loss * static_cast<double>(idx.size());
    correct += static_cast<double>(e.correct);
  }
  return {correct / static_cast<double>(n), loss / static_cast<double>(n)};
}

void LocalTrainer::save(const std::string& dir) const {
  if (states_.empty())
    throw InvalidArgument("trainer save: nothing to save before the first step");
  std::filesystem::create_directories(dir);
  for (const auto& s : states_) save_checkpoint(checkpoint_path(dir, s.rank), s);
}

void LocalTrainer::load(const std::string& dir) {
  std::vector<NodeCheckpoint> states;
  for (int r = 0; r < options_.nodes; ++r) {
    auto c = load_checkpoint(checkpoint_path(dir, r));
    if (c.nodes != options_.nodes || c.rank != r || c.model != options_.model ||
        c.algorithm != options_.algorithm || c.optimizer != options_.optimizer)
      throw InvalidArgument("trainer load: " + checkpoint_path(dir, r) +
                            " is from another configuration (nodes, model, algorithm or optimizer)");
    states.push_back(std::move(c));
  }
  for (const auto& s : states)
    if (s.step != states.front().step)
      throw InvalidArgument("trainer load: the nodes' checkpoints in " + dir + " are from different steps");
  done_ = states.front().step;
  states_ = std::move(states);
}

}  // namespace decent::train
