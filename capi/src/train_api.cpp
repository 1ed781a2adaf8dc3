// decent_train_default_options, decent_trainer_*: validates arguments, converts the options
// struct and forwards to train::LocalTrainer.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <variant>

#include "api_guard.hpp"
#include "core/parse.hpp"
#include "handles.hpp"
#include "live_handles.hpp"
#include "train/option_table.hpp"
#include "train/options_json.hpp"

namespace {

using decent::capi::require;
using decent::train::TrainOptions;

const decent_trainer& idle_handle(const decent_trainer* t) {
  auto& h = decent::capi::live(t, "decent_trainer", "trainer");
  if (!h.impl) throw decent::InvalidArgument("argument 'trainer' is not a live trainer");
  if (h.comm && !decent::capi::is_live(h.comm, "decent_comm"))
    throw decent::InvalidArgument(
        "the trainer's communicator was freed: free the trainer before its communicator");
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

// The C struct's fields, each named as its option in the options table (train/option_table.hpp),
// which gives the TrainOptions field, the default and the checks. Only the C layout is here.
enum class CType { str, i32, i64, u64, f64 };
struct CField {
  const char* name;
  std::size_t offset;
  CType type;
};
#define DECENT_FIELD(n, t) \
  { #n, offsetof(decent_train_options, n), CType::t }
constexpr CField kFields[] = {
    DECENT_FIELD(model, str),
    DECENT_FIELD(data, str),
    DECENT_FIELD(data_dir, str),
    DECENT_FIELD(partition, str),
    DECENT_FIELD(topology, str),
    DECENT_FIELD(algorithm, str),
    DECENT_FIELD(optimizer, str),
    DECENT_FIELD(schedule, str),
    DECENT_FIELD(out, str),
    DECENT_FIELD(nodes, i32),
    DECENT_FIELD(awc, i32),
    DECENT_FIELD(nesterov, i32),
    DECENT_FIELD(threads, i32),
    DECENT_FIELD(width, i64),
    DECENT_FIELD(period, i64),
    DECENT_FIELD(epochs, i64),
    DECENT_FIELD(batch, i64),
    DECENT_FIELD(train_limit, i64),
    DECENT_FIELD(test_limit, i64),
    DECENT_FIELD(log_every, i64),
    DECENT_FIELD(max_steps, i64),
    DECENT_FIELD(lr, f64),
    DECENT_FIELD(momentum, f64),
    DECENT_FIELD(weight_decay, f64),
    DECENT_FIELD(warmup_epochs, f64),
    DECENT_FIELD(seed, u64),
    DECENT_FIELD(crop_padding, i64),
    DECENT_FIELD(aga_warmup, i64),
    DECENT_FIELD(checkpoint_every, i64),
    DECENT_FIELD(milestones, str),
    DECENT_FIELD(resume, str),
    DECENT_FIELD(flip, i32),
    DECENT_FIELD(scale_lr, i32),
    DECENT_FIELD(eval_nodes, i32),
    DECENT_FIELD(device, str),
    DECENT_FIELD(compressor, str),
    DECENT_FIELD(consensus_step, f64),
    DECENT_FIELD(outer_lr, f64),
    DECENT_FIELD(outer_momentum, f64),
    DECENT_FIELD(inner_gossip, i32),
    DECENT_FIELD(outer_gossip, i32),
};
#undef DECENT_FIELD

// The struct of decent 0.1.0 ended with `seed`: the shortest a caller may pass.
constexpr std::size_t kOldestSize =
    offsetof(decent_train_options, seed) + sizeof(decent_train_options::seed);

template <typename T>
T& at(decent_train_options& c, const CField& f) {
  return *reinterpret_cast<T*>(reinterpret_cast<char*>(&c) + f.offset);
}
template <typename T>
const T& at(const decent_train_options& c, const CField& f) {
  return *reinterpret_cast<const T*>(reinterpret_cast<const char*>(&c) + f.offset);
}

[[noreturn]] void mismatch(const CField& f) {
  throw decent::Error(decent::Status::internal,
                      fmt::format("options.{}: its C type does not fit its option", f.name));
}

// Checks struct_size: this header's struct, or an older prefix of it (from 0.1.0 on). A larger
// one comes from a newer header whose fields this library cannot honour.
void check_struct_size(std::size_t size) {
  const std::size_t ours = sizeof(decent_train_options);
  if (size > ours)
    throw decent::NotSupported(
        fmt::format("options.struct_size {} is larger than this library's {}: the caller was "
                    "built against a newer decent.h",
                    size, ours));
  if (size < kOldestSize)
    throw decent::InvalidArgument(
        fmt::format("options.struct_size {} (expected {} to {}): fill the struct with "
                    "decent_train_default_options first",
                    size, kOldestSize, ours));
}

std::vector<double> parse_milestones(const std::string& text) {
  std::vector<double> epochs;
  for (const auto& piece : decent::split(text, ','))
    epochs.push_back(decent::parse_double(piece, "options.milestones"));
  return epochs;
}

// One C field into its TrainOptions field. NULL strings keep the default, except `out`, whose C
// default is no output.
void read_field(const decent_train_options& c, const CField& f, TrainOptions& o) {
  const auto& spec = decent::train::option_spec(f.name);
  std::visit(
      [&](auto member) {
        auto& field = o.*member;
        using V = std::decay_t<decltype(field)>;
        if constexpr (std::is_same_v<V, std::string>) {
          if (f.type != CType::str) mismatch(f);
          const char* v = at<const char*>(c, f);
          if (v != nullptr)
            field = v;
          else if (std::string(f.name) == "out")
            field.clear();
        } else if constexpr (std::is_same_v<V, std::vector<double>>) {
          if (f.type != CType::str) mismatch(f);
          const char* v = at<const char*>(c, f);
          field = v ? parse_milestones(v) : std::vector<double>{};
        } else if constexpr (std::is_same_v<V, bool>) {
          if (f.type != CType::i32) mismatch(f);
          field = at<std::int32_t>(c, f) != 0;
        } else if constexpr (std::is_same_v<V, int>) {
          if (f.type != CType::i32) mismatch(f);
          field = at<std::int32_t>(c, f);
        } else if constexpr (std::is_same_v<V, std::int64_t>) {
          if (f.type != CType::i64) mismatch(f);
          field = at<std::int64_t>(c, f);
        } else if constexpr (std::is_same_v<V, std::uint64_t>) {
          if (f.type != CType::u64) mismatch(f);
          field = at<std::uint64_t>(c, f);
        } else {
          if (f.type != CType::f64) mismatch(f);
          field = at<double>(c, f);
        }
      },
      spec.field);
}

// The default of one C field, from TrainOptions' defaults (strings point into `defaults`).
void write_default(decent_train_options& c, const CField& f, const TrainOptions& defaults) {
  const auto& spec = decent::train::option_spec(f.name);
  std::visit(
      [&](auto member) {
        const auto& field = defaults.*member;
        using V = std::decay_t<decltype(field)>;
        if constexpr (std::is_same_v<V, std::string>) {
          // "" (no folder, no resume) and out (C's default: no files) are NULL.
          at<const char*>(c, f) =
              field.empty() || std::string(f.name) == "out" ? nullptr : field.c_str();
        } else if constexpr (std::is_same_v<V, std::vector<double>>) {
          at<const char*>(c, f) = nullptr;  // the default has no milestones
        } else if constexpr (std::is_same_v<V, bool> || std::is_same_v<V, int>) {
          at<std::int32_t>(c, f) = static_cast<std::int32_t>(field);
        } else {
          at<V>(c, f) = field;
        }
      },
      spec.field);
}

// Every option of the table has its C field (an option added to the table but not to the struct
// would silently keep its default for C callers): checked once, at the first defaults call.
void check_fields_cover_table() {
  for (const auto& spec : decent::train::train_option_table())
    if (std::none_of(std::begin(kFields), std::end(kFields),
                     [&](const CField& f) { return std::string(f.name) == spec.name; }))
      throw decent::Error(decent::Status::internal,
                          fmt::format("option {} has no field in decent_train_options", spec.name));
}

// The caller's struct as far as struct_size reaches; the rest keeps TrainOptions' defaults.
TrainOptions to_options(const decent_train_options& c) {
  check_struct_size(c.struct_size);
  TrainOptions o;
  for (const auto& f : kFields)
    if (f.offset < c.struct_size) read_field(c, f, o);
  if (c.struct_size <= offsetof(decent_train_options, out)) o.out.clear();
  return o;
}

decent_progress blank_progress() {
  decent_progress p{};
  p.struct_size = sizeof(decent_progress);
  p.loss = p.lr = p.test_accuracy = p.test_loss = p.consensus_distance = p.bytes_sent =
      std::numeric_limits<double>::quiet_NaN();
  return p;
}

}  // namespace

extern "C" {

decent_status decent_train_default_options(decent_train_options* options) {
  DECENT_API_BEGIN();
  auto& c = require(options, "options");
  static const TrainOptions defaults;  // the strings point into it
  static const bool covered = (check_fields_cover_table(), true);
  (void)covered;
  c = decent_train_options{};
  c.struct_size = sizeof(decent_train_options);
  for (const auto& f : kFields) write_default(c, f, defaults);
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

decent_status decent_trainer_create_with_comm(const decent_train_options* options,
                                              decent_comm* comm, decent_trainer** out) {
  DECENT_API_BEGIN();
  require(out, "out") = nullptr;
  auto& c = decent::capi::live(comm, "decent_comm", "comm");
  if (c.impl == nullptr)
    throw decent::InvalidArgument("argument 'comm' is not a live communicator");
  auto t = std::make_unique<decent_trainer>();
  t->impl = std::make_unique<decent::train::LocalTrainer>(to_options(require(options, "options")),
                                                          *c.impl);
  t->comm = comm;
  *out = decent::capi::publish(std::move(t), "decent_trainer");
  DECENT_API_END();
}

decent_status decent_trainer_create_with_data(const decent_train_options* options,
                                              const decent_dataset* train,
                                              const decent_dataset* test, decent_comm* comm,
                                              decent_trainer** out) {
  DECENT_API_BEGIN();
  require(out, "out") = nullptr;
  const auto& tr = decent::capi::live(train, "decent_dataset", "train");
  const auto& te = decent::capi::live(test, "decent_dataset", "test");
  decent::comm::Communicator* c = nullptr;
  if (comm != nullptr) {
    c = decent::capi::live(comm, "decent_comm", "comm").impl;
    if (c == nullptr) throw decent::InvalidArgument("argument 'comm' is not a live communicator");
  }
  auto t = std::make_unique<decent_trainer>();
  t->impl = std::make_unique<decent::train::LocalTrainer>(
      to_options(require(options, "options")), decent::train::Datasets{tr.set, te.set, tr.norm}, c);
  t->comm = comm;
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
      d.bytes_sent = p.bytes_sent;
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

decent_status decent_trainer_finished(const decent_trainer* trainer, int* out) {
  DECENT_API_BEGIN();
  const auto& t = trainer_of(trainer);
  require(out, "out") = t.steps_done() >= t.total_steps() ? 1 : 0;
  DECENT_API_END();
}

decent_status decent_trainer_config_json(const decent_trainer* trainer, const char** out) {
  DECENT_API_BEGIN();
  auto& h = const_cast<decent_trainer&>(idle_handle(trainer));
  auto& json = require(out, "out");
  if (h.config_json.empty()) {
    auto j = decent::train::options_json(h.impl->options());
    j["total_steps"] = h.impl->total_steps();
    h.config_json = j.dump();
  }
  json = h.config_json.c_str();
  DECENT_API_END();
}

}  // extern "C"
