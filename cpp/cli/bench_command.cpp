// `decent bench step`: training-step throughput of a model on random data (forward, backward and
// an SGD update of the flat parameters), like oneDNN's benchdnn: the same model, batch and
// thread count as a PyTorch run, side by side (tests/bench/nn).
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/parse.hpp"
#include "core/rng.hpp"
#include "nn/builders.hpp"
#include "nn/node_engine.hpp"
#include "nn/threads.hpp"

namespace decent::cli {
namespace {

struct BenchStepOptions {
  nn::ModelSpec spec;
  std::string input = "3x32x32";
  std::int64_t batch = 128;
  int threads = 0;
  int warmup = 3;
  int steps = 10;
  double lr = 0.01;
  std::string format = "text";
  std::string device = "cpu";
  bool tf32 = false;
};

std::int64_t peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<std::int64_t>(u.ru_maxrss) * 1024;  // Linux reports KiB
}

void run(BenchStepOptions o, std::ostream& out) {
  if (o.tf32 && parse_device(o.device).is_cpu())
    throw InvalidArgument("--tf32: only on a GPU (--device cuda); the CPU computes in fp32");
  const auto engine = nn::open_node_engine(nn::node_device(o.device, 0), {o.tf32});
  const bool cpu = engine->device().is_cpu();
  if (cpu && o.threads > 0) nn::set_threads(o.threads);
  o.spec.input = nn::parse_image_dims(o.input);
  o.spec.layers = &engine->layers();
  auto model = nn::build_model(o.spec);
  Rng rng(o.spec.seed);
  std::vector<float> images(static_cast<std::size_t>(o.batch * model->sample_size()));
  for (auto& v : images) v = static_cast<float>(2 * rng.uniform() - 1);
  std::vector<std::int32_t> labels(static_cast<std::size_t>(o.batch));
  for (auto& l : labels)
    l = static_cast<std::int32_t>(rng.next_u64() % static_cast<std::uint64_t>(o.spec.classes));

  auto step = [&] {
    model->train_step(images, labels);
    auto x = model->parameters();
    auto g = model->gradients();
    const auto n = static_cast<std::int64_t>(x.size());
    const auto lr = static_cast<float>(o.lr);
    if (!cpu) {
      engine->ops().axpy(x.size(), -lr, g.data(), x.data());
      engine->synchronize();  // the step is timed to its end, not to its last launch
      return;
    }
#pragma omp parallel for simd schedule(static)
    for (std::int64_t i = 0; i < n; ++i) x[i] -= lr * g[i];
  };
  for (int i = 0; i < o.warmup; ++i) step();  // primitive creation and first touches
  std::vector<double> seconds;
  for (int i = 0; i < o.steps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    step();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  double total = 0;
  for (double s : seconds) total += s;
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  const double ips = static_cast<double>(o.batch) * o.steps / total;
  if (o.format == "json") {
    out << nlohmann::json{{"engine", "decent"},
                          {"device", to_string(engine->device())},
                          {"model", o.spec.name},
                          {"input", o.input},
                          {"batch", o.batch},
                          {"threads", nn::threads()},
                          {"parameters", model->parameter_count()},
                          {"steps", o.steps},
                          {"median_step_seconds", median},
                          {"images_per_second", ips},
                          {"peak_rss_bytes", peak_rss_bytes()}}
               .dump()
        << "\n";
  } else {
    fmt::print(out, "{} on {} (batch {}, {}, {} parameters)\n", o.spec.name, o.input, o.batch,
               cpu ? fmt::format("{} threads", nn::threads()) : to_string(engine->device()),
               model->parameter_count());
    fmt::print(out, "  {:.1f} images/s, median step {:.2f} ms over {} steps, peak RSS {:.1f} MiB\n",
               ips, median * 1e3, o.steps, static_cast<double>(peak_rss_bytes()) / (1 << 20));
  }
}

}  // namespace

void add_bench_command(CLI::App& app, Action& action) {
  auto* bench = app.add_subcommand("bench", "Benchmarks of the engine's parts");
  bench->require_subcommand(1);
  auto o = std::make_shared<BenchStepOptions>();
  auto* cmd = bench->add_subcommand(
      "step", "Training-step throughput (forward, backward, SGD update) on random data");
  cmd->add_option("-m,--model", o->spec.name, "Model (" + join(nn::model_names()) + ")");
  cmd->add_option("--input", o->input, "One sample's dims CxHxW (default 3x32x32)");
  cmd->add_option("--classes", o->spec.classes, "Classes (default 10)")
      ->check(CLI::Range(2, 1 << 20));
  cmd->add_option("-b,--batch", o->batch, "Batch size (default 128)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 20));
  cmd->add_option("--threads", o->threads, "Threads (default: OMP_NUM_THREADS or all cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--warmup", o->warmup, "Untimed steps first (default 3)")
      ->check(CLI::Range(0, 1000));
  cmd->add_option("--steps", o->steps, "Timed steps (default 10)")->check(CLI::Range(1, 100000));
  cmd->add_option("--width", o->spec.width, "First-stage channels (default: the model's own)")
      ->check(CLI::Range(0, 4096));
  cmd->add_option("--seed", o->spec.seed, "Seed of the weights and data (default 1)");
  cmd->add_option("--device", o->device, "cpu (default), cuda or cuda:N")
      ->check([](const std::string& v) {
        try {
          parse_device(v);
          return std::string();
        } catch (const InvalidArgument& e) {
          return std::string(e.what());
        }
      });
  cmd->add_flag("--tf32", o->tf32,
                "GPU convolutions and matrix products on TF32 tensor cores (default: fp32)");
  cmd->add_option("-f,--format", o->format, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([o, &action] { action = [o](std::ostream& out) { run(*o, out); }; });
}

}  // namespace decent::cli
