// decent_train_default_options, decent_trainer_*: validates arguments, converts the options
// struct and forwards to train::LocalTrainer.
#include <cmath>
#include <limits>

#include "api_guard.hpp"
#include "handles.hpp"
#include "live_handles.hpp"

namespace {

using decent::capi::require;
using decent::train::TrainOptions;

const decent_trainer& idle_handle(const decent_trainer* t) {
  auto& h = decent::capi::live(t, "decent_trainer", "trainer");
  if (!h.impl) throw decent::InvalidArgument("argument 'trainer' is not a live trainer");
  if (h.running)
    throw decent::InvalidArgument(
        "the trainer is training (decent_trainer_run or _step is in progress, e.g. this is its "
        "progress callback): a callback may only read its decent_progress and return nonzero to "
        "stop");
  return h;
}

// The trainer behind a live, idle handle.
decent::train::LocalTrainer& trainer_of(const decent_trainer* t) {
  return *idle_handle(t).impl;
}

// Marks a trainer as training for the lifetime of the guard; refuses a second, re-entrant or
// concurrent, run.
class TrainingGuard {
 public:
  explicit TrainingGuard(decent_trainer* t) : handle_(const_cast<decent_trainer&>(idle_handle(t))) {
    bool idle = false;
    if (!handle_.running.compare_exchange_strong(idle, true))
      throw decent::InvalidArgument(
          "the trainer is already training (decent_trainer_run or _step "
          "in progress on another thread)");
  }
  ~TrainingGuard() { handle_.running = false; }
  TrainingGuard(const TrainingGuard&) = delete;
  TrainingGuard& operator=(const TrainingGuard&) = delete;
  decent::train::LocalTrainer& trainer() { return *handle_.impl; }

 private:
  decent_trainer& handle_;
};

// Checks struct_size: the caller's struct must be this header's (or, in later versions, an older
// prefix of it). A larger one comes from a newer header whose fields this library cannot honour.
void check_struct_size(std::size_t size, std::size_t ours, const char* what) {
  if (size == ours) return;
  if (size > ours)
    throw decent::NotSupported(fmt::format(
        "{}.struct_size {} is larger than this library's {}: the caller was built against a "
        "newer decent.h",
        what, size, ours));
  throw decent::InvalidArgument(fmt::format(
      "{}.struct_size {} (expected {}): fill the struct with decent_train_default_options first",
      what, size, ours));
}

TrainOptions to_options(const decent_train_options& c) {
  check_struct_size(c.struct_size, sizeof(decent_train_options), "options");
  TrainOptions o;
  auto str = [](const char* v, std::string& field) {
    if (v) field = v;
  };
  str(c.model, o.model);
  str(c.data, o.data);
  str(c.data_dir, o.data_dir);
  str(c.partition, o.partition);
  str(c.topology, o.topology);
  str(c.algorithm, o.algorithm);
  str(c.optimizer, o.optimizer);
  str(c.schedule, o.schedule);
  o.out = c.out ? c.out : "";
  o.nodes = c.nodes;
  o.awc = c.awc != 0;
  o.nesterov = c.nesterov != 0;
  o.threads = c.threads;
  o.width = c.width;
  o.period = c.period;
  o.epochs = c.epochs;
  o.batch = c.batch;
  o.train_limit = c.train_limit;
  o.test_limit = c.test_limit;
  o.log_every = c.log_every;
  o.max_steps = c.max_steps;
  o.lr = c.lr;
  o.momentum = c.momentum;
  o.weight_decay = c.weight_decay;
  o.warmup_epochs = c.warmup_epochs;
  o.seed = c.seed;
  if (o.train_limit < 0 || o.test_limit < 0 || o.max_steps < 0 || o.width < 0 || o.period < 1)
    throw decent::InvalidArgument(
        "options: train_limit, test_limit, max_steps and width must be "
        ">= 0 and period >= 1");
  if (!(o.momentum >= 0 && o.momentum < 1))
    throw decent::InvalidArgument(fmt::format("options.momentum {}: expected [0, 1)", o.momentum));
  return o;
}

decent_progress blank_progress() {
  decent_progress p{};
  p.struct_size = sizeof(decent_progress);
  p.loss = p.lr = p.test_accuracy = p.test_loss = p.consensus_distance =
      std::numeric_limits<double>::quiet_NaN();
  return p;
}

}  // namespace

extern "C" {

decent_status decent_train_default_options(decent_train_options* options) {
  DECENT_API_BEGIN();
  auto& c = require(options, "options");
  const TrainOptions o;
  c = decent_train_options{};
  c.struct_size = sizeof(decent_train_options);
  c.model = "resnet20";
  c.data = "fashion-mnist";
  c.data_dir = nullptr;
  c.partition = "iid";
  c.topology = "one-peer-exp";
  c.algorithm = "dsgd";
  c.optimizer = "sgd";
  c.schedule = "cosine";
  c.out = nullptr;
  c.nodes = o.nodes;
  c.awc = 0;
  c.nesterov = 0;
  c.threads = 0;
  c.width = 0;
  c.period = o.period;
  c.epochs = o.epochs;
  c.batch = o.batch;
  c.train_limit = 0;
  c.test_limit = 0;
  c.log_every = o.log_every;
  c.max_steps = 0;
  c.lr = o.lr;
  c.momentum = o.momentum;
  c.weight_decay = o.weight_decay;
  c.warmup_epochs = o.warmup_epochs;
  c.seed = o.seed;
  DECENT_API_END();
}

decent_status decent_trainer_create(const decent_train_options* options, decent_trainer** out) {
  DECENT_API_BEGIN();
  require(out, "out") = nullptr;
  auto t = std::make_unique<decent_trainer>();
  t->impl = std::make_unique<decent::train::LocalTrainer>(to_options(require(options, "options")));
  *out = decent::capi::publish(std::move(t), "decent_trainer");
  DECENT_API_END();
}

void decent_trainer_free(decent_trainer* trainer) {
  if (trainer == nullptr) return;
  try {
    // A trainer of the wrong kind falls through to retire, which names the kind.
    if (decent::capi::is_live(trainer, "decent_trainer")) idle_handle(trainer);
  } catch (...) {
    decent::capi::handle_exception(__func__);  // training: freeing it now would crash the run
    return;
  }
  decent::capi::retire(trainer, "decent_trainer", __func__);
}

decent_status decent_trainer_run(decent_trainer* trainer, decent_progress_fn progress, void* user) {
  DECENT_API_BEGIN();
  TrainingGuard guard(trainer);
  auto& t = guard.trainer();
  decent::train::Reporter r;
  bool stop = false;
  if (progress) {
    const auto total = t.total_steps();
    r.on_train = [&, total](const decent::train::TrainPoint& p) {
      auto d = blank_progress();
      d.kind = DECENT_PROGRESS_TRAIN;
      d.step = p.step;
      d.total_steps = total;
      d.epoch = p.epoch;
      d.loss = p.loss;
      d.lr = p.lr;
      d.images_per_second = p.images_per_second;
      d.time_s = p.time_s;
      if (progress(&d, user) != 0) stop = true;
    };
    r.on_eval = [&, total](const decent::train::EvalPoint& e) {
      auto d = blank_progress();
      d.kind = DECENT_PROGRESS_EVAL;
      d.step = e.step;
      d.total_steps = total;
      d.epoch = e.epoch;
      d.test_accuracy = e.test_accuracy;
      d.test_loss = e.test_loss;
      d.consensus_distance = e.consensus_distance;
      d.images_per_second = e.images_per_second;
      d.time_s = e.time_s;
      if (progress(&d, user) != 0) stop = true;
    };
    r.should_stop = [&] { return stop; };
  }
  t.run(r);
  DECENT_API_END();
}

decent_status decent_trainer_step(decent_trainer* trainer, int64_t steps) {
  DECENT_API_BEGIN();
  TrainingGuard guard(trainer);
  auto& t = guard.trainer();
  if (steps < 1) throw decent::InvalidArgument(fmt::format("steps {}: expected >= 1", steps));
  if (t.steps_done() >= t.total_steps())
    throw decent::OutOfRange(
        fmt::format("the run is complete ({} of {} steps)", t.steps_done(), t.total_steps()));
  t.run({}, std::min(t.total_steps(), t.steps_done() + steps));
  DECENT_API_END();
}

decent_status decent_trainer_steps(const decent_trainer* trainer, int64_t* done, int64_t* total) {
  DECENT_API_BEGIN();
  auto& t = trainer_of(trainer);
  if (done) *done = t.steps_done();
  if (total) *total = t.total_steps();
  DECENT_API_END();
}

decent_status decent_trainer_evaluate(decent_trainer* trainer, double* accuracy, double* loss) {
  DECENT_API_BEGIN();
  const auto [a, l] = trainer_of(trainer).evaluate();
  if (accuracy) *accuracy = a;
  if (loss) *loss = l;
  DECENT_API_END();
}

decent_status decent_trainer_model(const decent_trainer* trainer, decent_model** out) {
  DECENT_API_BEGIN();
  require(out, "out") = nullptr;
  auto m = std::make_unique<decent_model>();
  m->impl = trainer_of(trainer).averaged_model();
  *out = decent::capi::publish(std::move(m), "decent_model");
  DECENT_API_END();
}

decent_status decent_trainer_save(const decent_trainer* trainer, const char* dir) {
  DECENT_API_BEGIN();
  trainer_of(trainer).save(&require(dir, "dir"));
  DECENT_API_END();
}

decent_status decent_trainer_load(decent_trainer* trainer, const char* dir) {
  DECENT_API_BEGIN();
  trainer_of(trainer).load(&require(dir, "dir"));
  DECENT_API_END();
}

}  // extern "C"
