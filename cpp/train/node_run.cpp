// train_node: one node's training loop, in the parts it is made of (setup, the gradient oracle,
// checkpoint capture and restore, evaluation, the metric lines, the loop), as class NodeRun.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "algo/algorithm.hpp"
#include "comm/topology_check.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "data/partition.hpp"
#include "nn/builders.hpp"
#include "nn/node_engine.hpp"
#include "nn/threads.hpp"
#include "optim/optimizer.hpp"
#include "optim/schedule.hpp"
#include "train/checkpoint.hpp"
#include "train/option_table.hpp"
#include "train/regroup.hpp"
#include "train/run_parts.hpp"
#include "train/settings.hpp"
#include "train/trainer.hpp"

namespace decent::train {
namespace {
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::uint64_t node_seed(std::uint64_t seed, int rank) {
  return seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(rank) + 1;
}

std::vector<optim::Range> segments_of(const nn::Model& model) {
  std::vector<optim::Range> ranges;
  for (const auto& s : model.parameter_segments()) ranges.push_back({s.offset, s.size});
  return ranges;
}

// Throws NumericalError unless every value is finite.
void require_finite(std::span<const float> values, const std::string& what, std::int64_t step) {
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      throw NumericalError(
          fmt::format("after step {}: {} holds {} at index {}; lower --lr or add --warmup-epochs",
                      step, what, values[i], i));
}

// Collective: every node starts at the same step. Nodes resumed from files of different steps
// would otherwise wait on each other's collectives until the timeout (0.1.0 hung for 120 s).
void check_same_start(comm::Communicator& comm, std::int64_t first_step,
                      const std::string& resume_dir) {
  std::vector<double> steps(static_cast<std::size_t>(comm.size()), 0.0);
  steps[static_cast<std::size_t>(comm.rank())] = static_cast<double>(first_step);
  comm.allreduce(steps.data(), steps.size(), comm::ReduceOp::sum);
  if (std::all_of(steps.begin(), steps.end(), [&](double s) { return s == steps[0]; })) return;
  std::vector<std::string> per_node;
  for (std::size_t r = 0; r < steps.size(); ++r)
    per_node.push_back(fmt::format("{} at step {}",
                                   resume_dir.empty()
                                       ? fmt::format("node {}", r)
                                       : checkpoint_path(resume_dir, static_cast<int>(r)),
                                   static_cast<std::int64_t>(steps[r])));
  throw InvalidArgument(fmt::format(
      "resume: the nodes' checkpoints are from different steps ({}): every node must resume from "
      "the same step (copy a complete checkpoint folder of one save)",
      fmt::join(per_node, ", ")));
}

// One node's training run, in the parts train_node is made of: setup (the constructor), the
// gradient oracle, checkpoint capture and restore, evaluation, the metric lines, and the loop.
class NodeRun {
 public:
  NodeRun(comm::Communicator& comm, const topology::Topology& topology, const TrainOptions& o,
          const Datasets& data, const Reporter& reporter)
      : comm_(comm),
        topology_(topology),
        o_(o),
        data_(data),
        reporter_(reporter),
        n_(comm.size()),
        rank_(comm.rank()),
        settings_(run_settings(o, n_)),
        per_epoch_(steps_per_epoch(o, data, n_)),
        total_(total_steps(o, data, n_)),
        sched_(schedule_for(o, per_epoch_, n_)) {
    check_same_settings(comm, settings_);       // before anything that could wait on another rank
    comm::check_same_topology(comm, topology);  // the same name, but also the same weights
    engine_ = nn::open_node_engine(nn::node_device(o.device, rank_));
    const Device device = engine_->device();
    if (!comm.takes(device))
      throw NotSupported(fmt::format(
          "node {}: --device {}: the {} communicator does not move memory of {} (train on a "
          "GPU with in-process nodes; under mpirun it needs the NCCL communicator, not yet in "
          "the trainer)",
          rank_, o.device, comm.backend(), to_string(device)));
    if (device.is_cpu() && o.threads > 0) nn::set_threads(o.threads);
    model_ = build_model_for(o, data, &engine_->layers());
    const auto dim = model_->parameter_count();
    const auto parts = data::partition(data.train.labels, data.train.classes, n_,
                                       data::parse_partition(o.partition, o.seed));
    loader_ = std::make_unique<data::BatchLoader>(
        data.train, parts[static_cast<std::size_t>(rank_)], o.batch, data.norm,
        data::Augmentation{o.crop_padding, o.flip}, node_seed(o.seed, rank_));
    optim::learning_rate(sched_, 0);  // validates the schedule before any step
    algorithm_ = algo::make_algorithm<float>(algorithm_options_for(o, sched_.base_lr),
                                             static_cast<std::size_t>(dim), engine_->ops());
    algorithm_->check_topology(topology);
    optimizer_ =
        optim::make_optimizer(optimizer_options_for(o), dim, segments_of(*model_), engine_->ops());
    result_.steps_per_epoch = per_epoch_;
  }

  // Continues from `state` (or from options.resume's file, or from scratch), after checking it
  // belongs to this run; then every node must start at the same step.
  void restore(const NodeCheckpoint* state) {
    NodeCheckpoint loaded;
    if (state == nullptr && !o_.resume.empty()) {
      auto resumed = load_resume_state(o_.resume, rank_, n_, per_epoch_);
      if (resumed.regrouped && rank_ == 0) log_message(LogLevel::warning, resumed.summary);
      loaded = std::move(resumed.checkpoint);
      state = &loaded;
    }
    if (state != nullptr) {
      const auto& c = *state;
      check_checkpoint(c, o_, rank_, n_, "resume", model_.get());
      model_->set_parameters(c.parameters);
      model_->set_buffers(c.buffers);
      optimizer_->set_state(c.optimizer_state);
      algorithm_->set_state(c.algorithm_state);
      loader_->seek(c.loader_epoch, c.loader_batch);
      first_step_ = c.step;
    }
    check_same_start(comm_, first_step_, o_.resume);
  }

  TrainResult run() {
    start_ = log_time_ = eval_time_ = Clock::now();
    log_step_ = eval_step_ = first_step_;
    const algo::GradientFn<float> gradient = [this](std::span<const float> x, std::span<float> g) {
      return this->gradient(x, g);
    };
    if (rank_ == 0 && log_enabled(LogLevel::info))
      log_message(LogLevel::info,
                  fmt::format("training {} on {} nodes ({}, {}, topology {}): steps {} to {} of "
                              "{}, {} per epoch",
                              o_.model, n_, o_.algorithm, o_.optimizer, o_.topology,
                              first_step_ + 1, total_, total_, per_epoch_));
    for (step_ = first_step_; step_ < total_; ++step_) {
      const double lr = optim::learning_rate(sched_, step_);
      algorithm_->set_lr(lr);
      algorithm_->step(model_->parameters(), gradient, comm_, topology_, step_);
      const std::int64_t done = step_ + 1;
      if (rank_ == 0 && reporter_.on_step) reporter_.on_step(done, total_, last_loss_);
      const bool stop = (done % o_.log_every == 0 || done == total_) && report_and_ask(done, lr);
      if (done % per_epoch_ == 0 || done == total_ || stop) {
        const auto e = evaluate(done);
        if (rank_ == 0 && log_enabled(LogLevel::info))
          log_message(LogLevel::info,
                      fmt::format("step {} of {} (epoch {:.2f}): test accuracy {:.4f}, test loss "
                                  "{:.4f}, consensus distance {:.3e}",
                                  done, total_, e.epoch, e.test_accuracy, e.test_loss,
                                  e.consensus_distance));
        if (rank_ == 0 && reporter_.on_eval) reporter_.on_eval(e);
      }
      if (!o_.out.empty() &&
          ((o_.checkpoint_every > 0 && done % o_.checkpoint_every == 0) || done == total_ || stop))
        save(done);
      if (stop) {
        ++step_;
        break;
      }
    }
    if (result_.average_parameters.empty()) evaluate(step_);  // no step ran: as it is
    if (rank_ == 0 && log_enabled(LogLevel::info))
      log_message(LogLevel::info, fmt::format("training {} at step {} of {}: test accuracy {:.4f}",
                                              step_ == total_ ? "finished" : "stopped", step_,
                                              total_, result_.final_eval.test_accuracy));
    result_.steps = step_;
    result_.final_state = capture(step_);
    return std::move(result_);
  }

 private:
  // The gradient oracle: this node's next batch at x, through the optimizer's direction (x, g
  // and the model's buffers all on the node's device).
  double gradient(std::span<const float> x, std::span<float> g) {
    auto params = model_->parameters();
    const auto& ops = engine_->ops();
    if (x.data() != params.data()) ops.copy(x.size(), x.data(), params.data());
    loader_->next(images_, labels_);
    last_loss_ = model_->train_step(images_, labels_);
    if (!std::isfinite(last_loss_))
      throw NumericalError(fmt::format(
          "node {}, step {}: the training loss is {}; lower --lr or add --warmup-epochs", rank_,
          step_, last_loss_));
    loss_sum_ += last_loss_;
    ++loss_count_;
    auto grads = model_->gradients();
    ops.copy(grads.size(), grads.data(), g.data());
    optimizer_->direction(x, g);
    return last_loss_;
  }

  NodeCheckpoint capture(std::int64_t done) const {
    NodeCheckpoint c;
    c.step = done;
    c.loader_epoch = loader_->epoch();
    c.loader_batch = loader_->batch_in_epoch();
    c.rank = rank_;
    c.nodes = n_;
    c.model = o_.model;
    c.algorithm = o_.algorithm;
    c.optimizer = o_.optimizer;
    c.parameters = model_->parameters_on_host();
    c.buffers = model_->buffers_on_host();
    c.optimizer_state = optimizer_->state();
    c.algorithm_state = algorithm_->state();
    c.settings = settings_;
    return c;
  }

  void save(std::int64_t done) {
    const auto dir = (std::filesystem::path(o_.out) / "checkpoint").string();
    std::filesystem::create_directories(dir);
    save_checkpoint(checkpoint_path(dir, rank_), capture(done));
    if (rank_ == 0)
      log_message(LogLevel::info, fmt::format("checkpoint of step {} in {}", done, dir));
    if (rank_ == 0 && reporter_.on_checkpoint) reporter_.on_checkpoint(dir);
  }

  // The metric line after `done` steps (loss averaged over nodes and steps since the last one),
  // then node 0's stop request, which reaches every node so that all stop after this step.
  bool report_and_ask(std::int64_t done, double lr) {
    double v[3] = {loss_sum_, static_cast<double>(loss_count_),
                   static_cast<double>(algorithm_->bytes_sent())};
    comm_.allreduce(v, 3, comm::ReduceOp::sum);
    TrainPoint p;
    p.step = done;
    p.epoch = static_cast<double>(done) / static_cast<double>(per_epoch_);
    p.loss = v[0] / std::max(v[1], 1.0);
    p.lr = lr;
    p.images_per_second = static_cast<double>((done - log_step_) * n_ * o_.batch) /
                          std::max(seconds_since(log_time_), 1e-9);
    p.time_s = seconds_since(start_);
    p.global_averages = algorithm_->global_averages();
    p.bytes_sent = v[2];
    log_time_ = Clock::now();
    log_step_ = done;
    loss_sum_ = 0;
    loss_count_ = 0;
    if (rank_ == 0 && reporter_.on_train) reporter_.on_train(p);
    if (!reporter_.should_stop && n_ == 1) return false;
    double flag = rank_ == 0 && reporter_.should_stop && reporter_.should_stop() ? 1.0 : 0.0;
    comm_.allreduce(&flag, 1, comm::ReduceOp::sum);
    return flag > 0;
  }

  // Evaluates the node-averaged model after `done` steps into result_ (the evaluation and the
  // averaged parameters and buffers) and returns the evaluation.
  EvalPoint evaluate(std::int64_t done) {
    EvalPoint e;
    e.step = done;
    e.epoch = static_cast<double>(done) / static_cast<double>(per_epoch_);
    e.images_per_second = static_cast<double>((done - eval_step_) * n_ * o_.batch) /
                          std::max(seconds_since(eval_time_), 1e-9);
    // On the host: the averages are of the whole model once per evaluation, and the host
    // communicators (local, MPI) move host memory.
    const std::vector<float> own_p = model_->parameters_on_host(),
                             own_b = model_->buffers_on_host();
    std::vector<float> avg_p = own_p, avg_b = own_b;
    comm_.allreduce(avg_p.data(), avg_p.size(), comm::ReduceOp::average);
    comm_.allreduce(avg_b.data(), avg_b.size(), comm::ReduceOp::average);
    // A loss is checked at every step, but an update can still overflow the parameters after
    // the last loss (0.1.0 then wrote a NaN model.bin and reported success). Every node sees the
    // same averages, so all fail together.
    require_finite(avg_p, "the node-averaged parameters", done);
    require_finite(avg_b, "the node-averaged batch-norm statistics", done);
    double cd = 0;
    for (std::size_t i = 0; i < own_p.size(); ++i)
      cd += std::pow(static_cast<double>(own_p[i]) - avg_p[i], 2);
    comm_.allreduce(&cd, 1, comm::ReduceOp::average);
    e.consensus_distance = cd;
    model_->set_parameters(avg_p);
    model_->set_buffers(avg_b);
    const auto t = evaluate_shard(*model_, data_, rank_, n_);
    double sums[3] = {t.loss_sum, t.correct, t.count};
    comm_.allreduce(sums, 3, comm::ReduceOp::sum);
    e.test_loss = sums[0] / sums[2];
    e.test_accuracy = sums[1] / sums[2];
    model_->set_parameters(own_p);
    model_->set_buffers(own_b);
    if (o_.eval_nodes) {
      const auto mine = evaluate_shard(*model_, data_, 0, 1);
      e.node_accuracy.assign(static_cast<std::size_t>(n_), 0.0);
      e.node_accuracy[static_cast<std::size_t>(rank_)] = mine.correct / mine.count;
      comm_.allreduce(e.node_accuracy.data(), e.node_accuracy.size(), comm::ReduceOp::sum);
    }
    e.time_s = seconds_since(start_);
    eval_time_ = Clock::now();
    eval_step_ = done;
    result_.final_eval = e;
    result_.average_parameters = std::move(avg_p);
    result_.average_buffers = std::move(avg_b);
    return e;
  }

  comm::Communicator& comm_;
  const topology::Topology& topology_;
  const TrainOptions& o_;
  const Datasets& data_;
  const Reporter& reporter_;
  const int n_, rank_;
  const Settings settings_;
  const std::int64_t per_epoch_, total_;  // an epoch: one pass over the data by all nodes
  const optim::ScheduleOptions sched_;
  std::unique_ptr<nn::NodeEngine> engine_;  // before the model, which uses its layers
  std::unique_ptr<nn::Model> model_;
  std::unique_ptr<data::BatchLoader> loader_;
  std::unique_ptr<algo::Algorithm<float>> algorithm_;
  std::unique_ptr<optim::Optimizer> optimizer_;
  std::vector<float> images_;
  std::vector<std::int32_t> labels_;
  double loss_sum_ = 0, last_loss_ = 0;
  std::int64_t loss_count_ = 0, step_ = 0, first_step_ = 0, log_step_ = 0, eval_step_ = 0;
  Clock::time_point start_, log_time_, eval_time_;
  TrainResult result_;
};

}  // namespace

TrainResult train_node(comm::Communicator& comm, const topology::Topology& topology,
                       const TrainOptions& o, const Datasets& data, const Reporter& reporter,
                       const NodeCheckpoint* start_state) {
  validate(o);
  NodeRun run(comm, topology, o, data, reporter);
  run.restore(start_state);
  return run.run();
}

}  // namespace decent::train
