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
#include "nn/dnnl/context.hpp"
#include "optim/optimizer.hpp"
#include "optim/schedule.hpp"
#include "train/checkpoint.hpp"
#include "train/files.hpp"
#include "train/option_table.hpp"
#include "train/settings.hpp"

namespace decent::train {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::uint64_t node_seed(std::uint64_t seed, int rank) {
  return seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(rank) + 1;
}

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

// The momentum goes to the algorithm when it has its own (dmsgd, decentlam), else to the
// optimizer: never twice.
algo::AlgorithmOptions algorithm_options_for(const TrainOptions& o, double base_lr) {
  algo::AlgorithmOptions ao;
  ao.name = o.algorithm;
  ao.lr = base_lr;
  ao.momentum = algo::has_own_momentum(o.algorithm) ? o.momentum : 0.0;
  ao.period = o.period;
  ao.warmup = o.aga_warmup;
  ao.awc = o.awc;
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

}  // namespace

void check_output_folder(const std::string& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError("output folder " + dir + ": cannot be created: " + ec.message());
  // A name of this process's own: MPI ranks may probe the same (shared) folder at once.
  const auto probe =
      (std::filesystem::path(dir) / fmt::format(".decent-write-probe-{}-{}", ::getpid(),
                                                Clock::now().time_since_epoch().count()))
          .string();
  write_file_atomically(probe, "probe\n");  // the way every output file is written
  std::filesystem::remove(probe, ec);
}

void check_run(const TrainOptions& o, const Datasets& data, const topology::Topology& topology,
               Naming naming) {
  validate(o, naming);
  const int n = topology.nodes();
  auto model = build_model_for(o, data);  // an unknown model or a bad width fails here
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

std::unique_ptr<nn::Model> build_model_for(const TrainOptions& o, const Datasets& data) {
  nn::ModelSpec spec;
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

TrainResult train_node(comm::Communicator& comm, const topology::Topology& topology,
                       const TrainOptions& o, const Datasets& data, const Reporter& reporter,
                       const NodeCheckpoint* start_state) {
  validate(o);
  const int n = comm.size(), rank = comm.rank();
  const auto settings = run_settings(o, n);
  check_same_settings(comm, settings);  // before anything that could wait on a differing rank
  if (o.threads > 0) nn::set_threads(o.threads);
  auto model = build_model_for(o, data);
  const auto dim = model->parameter_count();

  const auto parts = data::partition(data.train.labels, data.train.classes, n,
                                     data::parse_partition(o.partition, o.seed));
  data::BatchLoader loader(data.train, parts[static_cast<std::size_t>(rank)], o.batch, data.norm,
                           {o.crop_padding, o.flip}, node_seed(o.seed, rank));

  // Every node runs the same number of steps; an epoch is one pass over the data by all nodes.
  const std::int64_t per_epoch = steps_per_epoch(o, data, n);
  const std::int64_t total = total_steps(o, data, n);
  const auto sched = schedule_for(o, per_epoch, n);
  optim::learning_rate(sched, 0);  // validates the schedule before any step
  auto algorithm = algo::make_algorithm<float>(algorithm_options_for(o, sched.base_lr),
                                               static_cast<std::size_t>(dim));
  algorithm->check_topology(topology);
  auto optimizer = optim::make_optimizer(optimizer_options_for(o), dim, segments_of(*model));

  std::vector<float> images;
  std::vector<std::int32_t> labels;
  double loss_sum = 0, last_loss = 0;
  std::int64_t loss_count = 0, step = 0;
  const algo::GradientFn<float> gradient = [&](std::span<const float> x, std::span<float> g) {
    auto params = model->parameters();
    if (x.data() != params.data()) std::copy(x.begin(), x.end(), params.begin());
    loader.next(images, labels);
    last_loss = model->train_step(images, labels);
    if (!std::isfinite(last_loss))
      throw NumericalError(fmt::format(
          "node {}, step {}: the training loss is {}; lower --lr or add --warmup-epochs", rank,
          step, last_loss));
    loss_sum += last_loss;
    ++loss_count;
    auto grads = model->gradients();
    std::copy(grads.begin(), grads.end(), g.begin());
    optimizer->direction(x, g);
    return last_loss;
  };

  auto capture = [&](std::int64_t done) {
    NodeCheckpoint c;
    c.step = done;
    c.loader_epoch = loader.epoch();
    c.loader_batch = loader.batch_in_epoch();
    c.rank = rank;
    c.nodes = n;
    c.model = o.model;
    c.algorithm = o.algorithm;
    c.optimizer = o.optimizer;
    c.parameters.assign(model->parameters().begin(), model->parameters().end());
    c.buffers.assign(model->buffers().begin(), model->buffers().end());
    c.optimizer_state = optimizer->state();
    c.algorithm_state = algorithm->state();
    c.settings = settings;
    return c;
  };
  std::int64_t first_step = 0;
  NodeCheckpoint loaded;
  if (start_state == nullptr && !o.resume.empty()) {
    loaded = load_checkpoint(checkpoint_path(o.resume, rank));
    start_state = &loaded;
  }
  if (start_state != nullptr) {
    const auto& c = *start_state;
    check_checkpoint(c, o, rank, n, "resume", model.get());
    std::copy(c.parameters.begin(), c.parameters.end(), model->parameters().begin());
    std::copy(c.buffers.begin(), c.buffers.end(), model->buffers().begin());
    optimizer->set_state(c.optimizer_state);
    algorithm->set_state(c.algorithm_state);
    loader.seek(c.loader_epoch, c.loader_batch);
    first_step = c.step;
  }
  check_same_start(comm, first_step, o.resume);
  auto save = [&](std::int64_t done) {
    const auto dir = (std::filesystem::path(o.out) / "checkpoint").string();
    std::filesystem::create_directories(dir);
    save_checkpoint(checkpoint_path(dir, rank), capture(done));
    if (rank == 0 && reporter.on_checkpoint) reporter.on_checkpoint(dir);
  };

  TrainResult result;
  result.steps_per_epoch = per_epoch;
  const auto start = Clock::now();
  auto log_time = start, eval_time = start;
  std::int64_t log_step = first_step, eval_step = first_step;
  // Evaluates the node-averaged model after `done` steps into result (the evaluation and the
  // averaged parameters and buffers) and returns the evaluation.
  auto evaluate = [&](std::int64_t done) {
    EvalPoint e;
    e.step = done;
    e.epoch = static_cast<double>(done) / static_cast<double>(per_epoch);
    e.images_per_second = static_cast<double>((done - eval_step) * n * o.batch) /
                          std::max(seconds_since(eval_time), 1e-9);
    auto params = model->parameters();
    auto buffers = model->buffers();
    const std::vector<float> own_p(params.begin(), params.end()),
        own_b(buffers.begin(), buffers.end());
    std::vector<float> avg_p = own_p, avg_b = own_b;
    comm.allreduce(avg_p.data(), avg_p.size(), comm::ReduceOp::average);
    comm.allreduce(avg_b.data(), avg_b.size(), comm::ReduceOp::average);
    // A loss is checked at every step, but an update can still overflow the parameters after
    // the last loss (0.1.0 then wrote a NaN model.bin and reported success). Every node sees the
    // same averages, so all fail together.
    require_finite(avg_p, "the node-averaged parameters", done);
    require_finite(avg_b, "the node-averaged batch-norm statistics", done);
    double cd = 0;
    for (std::size_t i = 0; i < own_p.size(); ++i)
      cd += std::pow(static_cast<double>(own_p[i]) - avg_p[i], 2);
    comm.allreduce(&cd, 1, comm::ReduceOp::average);
    e.consensus_distance = cd;
    std::copy(avg_p.begin(), avg_p.end(), params.begin());
    std::copy(avg_b.begin(), avg_b.end(), buffers.begin());
    const auto t = evaluate_shard(*model, data, rank, n);
    double sums[3] = {t.loss_sum, t.correct, t.count};
    comm.allreduce(sums, 3, comm::ReduceOp::sum);
    e.test_loss = sums[0] / sums[2];
    e.test_accuracy = sums[1] / sums[2];
    std::copy(own_p.begin(), own_p.end(), params.begin());
    std::copy(own_b.begin(), own_b.end(), buffers.begin());
    if (o.eval_nodes) {
      const auto mine = evaluate_shard(*model, data, 0, 1);
      e.node_accuracy.assign(static_cast<std::size_t>(n), 0.0);
      e.node_accuracy[static_cast<std::size_t>(rank)] = mine.correct / mine.count;
      comm.allreduce(e.node_accuracy.data(), e.node_accuracy.size(), comm::ReduceOp::sum);
    }
    e.time_s = seconds_since(start);
    eval_time = Clock::now();
    eval_step = done;
    result.final_eval = e;
    result.average_parameters = std::move(avg_p);
    result.average_buffers = std::move(avg_b);
    return e;
  };
  for (step = first_step; step < total; ++step) {
    const double lr = optim::learning_rate(sched, step);
    algorithm->set_lr(lr);
    algorithm->step(model->parameters(), gradient, comm, topology, step);
    const std::int64_t done = step + 1;
    if (rank == 0 && reporter.on_step) reporter.on_step(done, total, last_loss);
    bool stop = false;
    if (done % o.log_every == 0 || done == total) {
      double v[2] = {loss_sum, static_cast<double>(loss_count)};
      comm.allreduce(v, 2, comm::ReduceOp::sum);
      TrainPoint p;
      p.step = done;
      p.epoch = static_cast<double>(done) / static_cast<double>(per_epoch);
      p.loss = v[0] / std::max(v[1], 1.0);
      p.lr = lr;
      p.images_per_second = static_cast<double>((done - log_step) * n * o.batch) /
                            std::max(seconds_since(log_time), 1e-9);
      p.time_s = seconds_since(start);
      p.global_averages = algorithm->global_averages();
      log_time = Clock::now();
      log_step = done;
      loss_sum = 0;
      loss_count = 0;
      if (rank == 0 && reporter.on_train) reporter.on_train(p);
      // Node 0's stop request, asked after it has seen this report, reaches every node, so that
      // all stop after this same step.
      if (reporter.should_stop || n > 1) {
        double flag = rank == 0 && reporter.should_stop && reporter.should_stop() ? 1.0 : 0.0;
        comm.allreduce(&flag, 1, comm::ReduceOp::sum);
        stop = flag > 0;
      }
    }
    if (done % per_epoch == 0 || done == total || stop) {
      const auto e = evaluate(done);
      if (rank == 0 && reporter.on_eval) reporter.on_eval(e);
    }
    if (!o.out.empty() &&
        ((o.checkpoint_every > 0 && done % o.checkpoint_every == 0) || done == total || stop))
      save(done);
    if (stop) {
      ++step;
      break;
    }
  }
  if (result.average_parameters.empty()) evaluate(step);  // no step ran: evaluate as it is
  result.steps = step;
  result.final_state = capture(step);
  return result;
}

}  // namespace decent::train
