// `decent train`: decentralized training of a model on real data over N nodes (threads in this
// process, or MPI ranks under mpirun), writing the resolved config, metrics as JSON Lines, PNG
// plots and the node-averaged model into --out.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "algo/algorithm.hpp"
#include "cli/commands.hpp"
#include "cli/plot.hpp"
#include "cli/progress.hpp"
#include "cli/run_nodes.hpp"
#include "core/error.hpp"
#include "core/parse.hpp"
#include "nn/builders.hpp"
#include "nn/model_file.hpp"
#include "nn/node_engine.hpp"
#include "train/files.hpp"
#include "train/option_table.hpp"
#include "train/options_json.hpp"
#include "train/trainer.hpp"

namespace decent::cli {
namespace {

struct TrainCliOptions {
  train::TrainOptions t;
  std::string backend = "local";
  double timeout_s = 0;       // 0: comm_timeout()'s default
  int nodes_per_machine = 0;  // 0: the topology's own (hier:G:SPEC), else hier:G:topology
  bool plots = true;
  bool quiet = false;
  std::string config_file;  // expanded before parsing (cli/config_file.hpp)
};

// The resolved configuration: every option of the table (train/option_table.hpp), with the
// run's real node and thread counts, and the backend.
nlohmann::json to_json(const TrainCliOptions& c, int nodes, int threads) {
  auto j = train::options_json(c.t);
  j["nodes"] = nodes;
  j["threads"] = threads;
  j["backend"] = c.backend;
  return j;
}

// Collects the metric lines on node 0, writes them as they come and draws the plots at the end.
class RunLog {
 public:
  RunLog(const std::string& dir, bool append, std::ostream& out, bool quiet)
      : out_(out), quiet_(quiet), bar_(std::cerr, stderr_is_terminal() && !quiet) {
    if (!dir.empty()) {
      std::filesystem::create_directories(dir);
      metrics_path_ = (std::filesystem::path(dir) / "metrics.jsonl").string();
      metrics_.open(metrics_path_, append ? std::ios::app : std::ios::trunc);
      if (!metrics_) throw IoError("file " + metrics_path_ + ": cannot be written");
    }
  }

  train::Reporter reporter() {
    train::Reporter r;
    r.on_step = [this](std::int64_t step, std::int64_t total, double loss) {
      bar_.update(step, total, fmt::format("loss {:.4f}  {:.0f} img/s", loss, last_ips_));
    };
    r.on_train = [this](const train::TrainPoint& p) {
      last_ips_ = p.images_per_second;
      losses_.push_back(p);
      write({{"kind", "train"},
             {"step", p.step},
             {"epoch", p.epoch},
             {"loss", p.loss},
             {"lr", p.lr},
             {"images_per_second", p.images_per_second},
             {"time_s", p.time_s},
             {"global_averages", p.global_averages},
             {"bytes_sent", p.bytes_sent}});
      if (!bar_enabled()) {
        if (!quiet_)
          fmt::print(out_, "step {:>6}  epoch {:6.3f}  loss {:.4f}  lr {:.4g}  {:.0f} img/s\n",
                     p.step, p.epoch, p.loss, p.lr, p.images_per_second);
      }
    };
    r.on_eval = [this](const train::EvalPoint& e) {
      evals_.push_back(e);
      nlohmann::json j{{"kind", "eval"},
                       {"step", e.step},
                       {"epoch", e.epoch},
                       {"test_accuracy", e.test_accuracy},
                       {"test_loss", e.test_loss},
                       {"consensus_distance", e.consensus_distance},
                       {"images_per_second", e.images_per_second},
                       {"time_s", e.time_s}};
      if (!e.node_accuracy.empty()) j["node_test_accuracy"] = e.node_accuracy;
      write(j);
      bar_.clear();
      fmt::print(out_,
                 "epoch {:.2f} (step {}): test accuracy {:.2f}%  test loss {:.4f}  consensus "
                 "distance {:.3e}  {:.0f} img/s  {}\n",
                 e.epoch, e.step, 100 * e.test_accuracy, e.test_loss, e.consensus_distance,
                 e.images_per_second, format_duration(e.time_s));
      out_.flush();
    };
    return r;
  }

  void finish() { bar_.clear(); }

  void plot(const std::string& dir, const std::string& title) const {
    namespace fs = std::filesystem;
    Series loss_s{"training loss", {}}, loss_t{"training loss", {}};
    for (const auto& p : losses_) {
      loss_s.points.emplace_back(static_cast<double>(p.step), p.loss);
      loss_t.points.emplace_back(p.time_s, p.loss);
    }
    Series acc_s{"test accuracy (averaged model)", {}}, acc_t = acc_s;
    Series cd_s{"consensus distance", {}}, cd_t = cd_s;
    for (const auto& e : evals_) {
      acc_s.points.emplace_back(static_cast<double>(e.step), 100 * e.test_accuracy);
      acc_t.points.emplace_back(e.time_s, 100 * e.test_accuracy);
      cd_s.points.emplace_back(static_cast<double>(e.step), std::max(e.consensus_distance, 1e-30));
      cd_t.points.emplace_back(e.time_s, std::max(e.consensus_distance, 1e-30));
    }
    auto p = [&](const std::string& name, const std::string& x, const std::string& y, bool log,
                 const Series& s) {
      if (s.points.size() < 2) return;  // a single point makes no curve
      plot_png((fs::path(dir) / name).string(), {title, x, y, log}, {s});
    };
    p("loss_vs_step.png", "step", "training loss", true, loss_s);
    p("loss_vs_time.png", "seconds", "training loss", true, loss_t);
    p("accuracy_vs_step.png", "step", "test accuracy (%)", false, acc_s);
    p("accuracy_vs_time.png", "seconds", "test accuracy (%)", false, acc_t);
    p("consensus_vs_step.png", "step", "(1/n) sum ||x_i - x_bar||^2", true, cd_s);
    p("consensus_vs_time.png", "seconds", "(1/n) sum ||x_i - x_bar||^2", true, cd_t);
  }

 private:
  bool bar_enabled() const { return stderr_is_terminal() && !quiet_; }
  void write(const nlohmann::json& j) {
    if (!metrics_.is_open()) return;
    metrics_ << j.dump() << "\n" << std::flush;
    if (!metrics_) throw IoError("file " + metrics_path_ + ": write failed (disk full?)");
  }
  std::ostream& out_;
  bool quiet_;
  ProgressBar bar_;
  std::ofstream metrics_;
  std::string metrics_path_;
  double last_ips_ = 0;
  std::vector<train::TrainPoint> losses_;
  std::vector<train::EvalPoint> evals_;
};

void run(TrainCliOptions c, std::ostream& out) {
  auto& o = c.t;
  o.topology = with_nodes_per_machine(o.topology, c.nodes_per_machine);
  train::validate(o, train::Naming::flag);
  if (c.backend == "local" && o.threads == 0) o.threads = train::default_threads_per_node(o.nodes);
  const auto data = train::load_datasets(o);
  if (c.backend == "local") train::check_run(o, data, topology::Topology(o.topology, o.nodes));
  const int nodes_flag = c.backend == "local" ? o.nodes : 0;
  std::mutex result_mutex;
  train::TrainResult result;
  std::unique_ptr<RunLog> log;
  bool is_root = false;
  run_on_nodes(c.backend, o.topology, nodes_flag, comm_timeout(c.timeout_s),
               [&](comm::Communicator& comm, const topology::Topology& t) {
                 if (comm.backend() != "local") train::check_run(o, data, t);
                 train::Reporter reporter;
                 if (comm.rank() == 0) {
                   is_root = true;
                   log = std::make_unique<RunLog>(o.out, !o.resume.empty(), out, c.quiet);
                   if (!o.out.empty())
                     train::write_file_atomically(
                         (std::filesystem::path(o.out) / "config.json").string(),
                         to_json(c, comm.size(), o.threads).dump(2) + "\n");
                   fmt::print(out,
                              "# decent train: {} on {} ({} train / {} test images), {} nodes "
                              "({}), {} over {}, batch {} per node, {} epochs\n",
                              o.model, o.data, data.train.size(), data.test.size(), comm.size(),
                              comm.backend(), o.algorithm, t.name(), o.batch, o.epochs);
                   out.flush();
                   reporter = log->reporter();
                 }
                 auto r = train::train_node(comm, t, o, data, reporter);
                 if (comm.rank() == 0) {
                   std::lock_guard lock(result_mutex);
                   result = std::move(r);
                 }
               });
  if (!is_root) return;  // other MPI ranks
  log->finish();
  const auto& e = result.final_eval;
  fmt::print(out,
             "final: test accuracy {:.2f}% of the node-averaged model after {} steps ({:.2f} "
             "epochs), {}\n",
             100 * e.test_accuracy, result.steps, e.epoch, format_duration(e.time_s));
  if (!o.out.empty()) {
    // On the nodes' device (a build without oneDNN has no CPU layers); the file is the same.
    const auto engine = nn::open_node_engine(nn::node_device(o.device, 0));
    auto model = train::build_model_for(o, data, &engine->layers());
    model->set_parameters(result.average_parameters);
    model->set_buffers(result.average_buffers);
    train::write_file_atomically((std::filesystem::path(o.out) / "model.bin").string(),
                                 nn::encode_model(*model));
    if (c.plots)
      log->plot(o.out,
                fmt::format("{} {} over {}, {} nodes", o.model, o.algorithm, o.topology, o.nodes));
    fmt::print(out, "wrote {}/{{config.json, metrics.jsonl, model.bin{}}}\n", o.out,
               c.plots ? ", *.png" : "");
  }
}

// One flag of the options table, with its limits and choices checked by CLI11 (exit code 2).
void add_table_option(CLI::App& cmd, train::TrainOptions& o, const train::OptionSpec& spec) {
  const auto flag = train::option_label(spec, train::Naming::flag);
  const std::string names = *spec.short_flag ? std::string(spec.short_flag) + "," + flag : flag;
  std::visit(
      [&](auto member) {
        auto& field = o.*member;
        using V = std::decay_t<decltype(field)>;
        if constexpr (std::is_same_v<V, bool>) {
          cmd.add_flag(names, field, spec.help);
        } else {
          auto* option = cmd.add_option(names, field, spec.help);
          if constexpr (std::is_same_v<V, std::vector<double>>) option->delimiter(',');
          if constexpr (std::is_same_v<V, std::string>) {
            if (spec.choices) option->check(CLI::IsMember(spec.choices()));
          } else {
            option->check(CLI::Validator(
                [&spec](std::string& value) -> std::string {
                  try {
                    train::check_option_number(spec, std::stod(value), "value");
                  } catch (const std::exception& e) {
                    return e.what();
                  }
                  return {};
                },
                "", "range"));
          }
        }
      },
      spec.field);
}

}  // namespace

void add_train_command(CLI::App& app, Action& action) {
  auto c = std::make_shared<TrainCliOptions>();
  auto& o = c->t;
  auto* cmd = app.add_subcommand(
      "train",
      "Decentralized training on real data (default: resnet20 on Fashion-MNIST, 8 nodes, "
      "D-SGD over the one-peer exponential graph)");
  // Later occurrences win, so that command-line flags override the config file's values.
  cmd->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->add_option("--config", c->config_file,
                  "Read options from this TOML file (keys are the long flag names; flags win)");
  for (const auto& spec : train::train_option_table()) add_table_option(*cmd, o, spec);
  cmd->add_option("--backend", c->backend, "local (threads, default) or mpi (under mpirun)")
      ->check(CLI::IsMember({"local", "mpi"}));
  cmd->add_option("--timeout", c->timeout_s,
                  "Seconds a node waits for a peer before it fails, naming the peer (default: "
                  "$DECENT_COMM_TIMEOUT_S, else 300)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--nodes-per-machine", c->nodes_per_machine,
                  "Group the nodes into machines of G: exact averages inside a machine, the "
                  "topology between machines (hier:G:TOPOLOGY)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag(
      "--no-plots", [c](std::int64_t) { c->plots = false; }, "Do not draw PNG plots");
  cmd->add_flag("-q,--quiet", c->quiet, "Only evaluations and the final line");
  cmd->callback([c, &action] { action = [c](std::ostream& out) { run(*c, out); }; });
}

}  // namespace decent::cli
