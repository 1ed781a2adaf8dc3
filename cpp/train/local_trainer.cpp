#include "train/local_trainer.hpp"

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "comm/local.hpp"
#include "core/error.hpp"

namespace decent::train {

LocalTrainer::LocalTrainer(TrainOptions options) : options_(std::move(options)) {
  prepare(true);
}

LocalTrainer::LocalTrainer(TrainOptions options, comm::Communicator& comm)
    : options_(std::move(options)), comm_(&comm) {
  options_.nodes = comm.size();
  prepare(true);
}

LocalTrainer::LocalTrainer(TrainOptions options, Datasets data, comm::Communicator* comm)
    : options_(std::move(options)), comm_(comm) {
  if (comm_) options_.nodes = comm_->size();
  options_.data = "memory";
  options_.data_dir.clear();
  data_ = data::datasets_of(std::move(data.train), std::move(data.test), std::move(data.norm),
                            options_.train_limit, options_.test_limit);
  prepare(false);
}

void LocalTrainer::prepare(bool load_data) {
  options_.resume.clear();
  validate(options_, Naming::field);  // the C ABI's engine: name the struct's fields
  // In-process nodes share the cores; a rank of its own keeps OMP_NUM_THREADS (threads 0).
  if (options_.threads == 0 && !comm_) options_.threads = default_threads_per_node(options_.nodes);
  const topology::Topology t(options_.topology, options_.nodes);  // fails here, not in a thread
  if (load_data) data_ = load_datasets(options_);
  check_run(options_, data_, t, Naming::field);
  total_ = train::total_steps(options_, data_, options_.nodes);
}

void LocalTrainer::run(const Reporter& reporter, std::int64_t until) {
  TrainOptions o = options_;
  o.max_steps = until > 0 ? std::min(until, total_) : total_;
  if (o.max_steps <= done_) return;
  const topology::Topology t(o.topology, o.nodes);
  if (comm_) {
    auto result = train_node(*comm_, t, o, data_, comm_->rank() == 0 ? reporter : Reporter{},
                             states_.empty() ? nullptr : &states_[0]);
    done_ = result.steps;
    states_ = {std::move(result.final_state)};
    return;
  }
  std::vector<NodeCheckpoint> next(static_cast<std::size_t>(o.nodes));
  std::int64_t reached = done_;
  std::mutex m;
  comm::run_local(
      o.nodes,
      [&](comm::Communicator& c) {
        const auto r = static_cast<std::size_t>(c.rank());
        auto result = train_node(c, t, o, data_, c.rank() == 0 ? reporter : Reporter{},
                                 states_.empty() ? nullptr : &states_[r]);
        std::lock_guard lock(m);
        next[r] = std::move(result.final_state);
        if (c.rank() == 0) reached = result.steps;
      },
      comm::default_timeout());
  states_ = std::move(next);
  done_ = reached;
}

std::unique_ptr<nn::Model> LocalTrainer::averaged_model() const {
  auto model = build_model_for(options_, data_);
  if (states_.empty()) return model;
  if (comm_) {  // this node's state, averaged over the run's nodes
    auto p = model->parameters();
    auto b = model->buffers();
    std::copy(states_[0].parameters.begin(), states_[0].parameters.end(), p.begin());
    std::copy(states_[0].buffers.begin(), states_[0].buffers.end(), b.begin());
    comm_->allreduce(p.data(), p.size(), comm::ReduceOp::average);
    comm_->allreduce(b.data(), b.size(), comm::ReduceOp::average);
    return model;
  }
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
  const auto t = evaluate_shard(*model, data_, 0, 1);
  return {t.correct / t.count, t.loss_sum / t.count};
}

void LocalTrainer::save(const std::string& dir) const {
  if (states_.empty()) throw InvalidArgument("trainer save: nothing to save before the first step");
  std::filesystem::create_directories(dir);
  for (const auto& s : states_) save_checkpoint(checkpoint_path(dir, s.rank), s);
}

void LocalTrainer::load(const std::string& dir) {
  std::vector<NodeCheckpoint> states;
  const int first = comm_ ? comm_->rank() : 0, last = comm_ ? comm_->rank() + 1 : options_.nodes;
  for (int r = first; r < last; ++r) {
    auto c = load_checkpoint(checkpoint_path(dir, r));
    check_checkpoint(c, options_, r, options_.nodes, "trainer load " + checkpoint_path(dir, r));
    states.push_back(std::move(c));
  }
  for (const auto& s : states)
    if (s.step != states.front().step)
      throw InvalidArgument("trainer load: the nodes' checkpoints in " + dir +
                            " are from different steps");
  done_ = states.front().step;
  states_ = std::move(states);
}

}  // namespace decent::train
