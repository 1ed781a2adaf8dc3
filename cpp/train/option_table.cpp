#include "train/option_table.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "algo/algorithm.hpp"
#include "algo/compressor.hpp"
#include "core/device.hpp"
#include "core/error.hpp"
#include "core/parse.hpp"
#include "data/partition.hpp"
#include "optim/optimizer.hpp"

namespace decent::train {
namespace {

using O = TrainOptions;
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<std::string> data_kinds() {
  return {"fashion-mnist", "mnist", "cifar10", "synthetic", "memory"};
}
std::vector<std::string> algorithms() {
  return algo::algorithm_names();
}
std::vector<std::string> optimizers() {
  return optim::optimizer_names();
}
std::vector<std::string> schedules() {
  return {"cosine", "step", "constant"};
}

std::string text(double v) {
  return fmt::format("{}", v);
}

}  // namespace

const std::vector<OptionSpec>& train_option_table() {
  // clang-format off
  static const std::vector<OptionSpec> table = {
    {"model", "-m", "Model (resnet20/32/44/56/110, resnet18/34/50/101/152, mlp, lenet; default resnet20)", &O::model},
    {"width", "", "First-stage channels (0: the model's own)", &O::width, 0, 4096},
    {"data", "-d", "fashion-mnist (default), mnist, cifar10 or synthetic (memory: a program's own data, through the C ABI)", &O::data, -kInf, kInf, false, false, data_kinds},
    {"data_dir", "", "Dataset folder (default for fashion-mnist: /usr/share/datasets/fashion-mnist)", &O::data_dir},
    {"partition", "", "iid (default), dirichlet[:alpha] or sorted", &O::partition},
    {"train_limit", "", "Use only the first N training images (0: all)", &O::train_limit, 0},
    {"test_limit", "", "Use only the first N test images (0: all)", &O::test_limit, 0},
    {"crop_padding", "", "Random crop after zero padding by this much (0: off)", &O::crop_padding, 0, 64},
    {"flip", "", "Random horizontal flips", &O::flip},
    {"nodes", "-n", "In-process nodes (default 8; under mpirun: the ranks)", &O::nodes, 1, 4096},
    {"topology", "-t", "Topology spec (decent topology --list; default one-peer-exp)", &O::topology},
    {"algorithm", "-a", "Algorithm (default dsgd)", &O::algorithm, -kInf, kInf, false, false, algorithms},
    {"awc", "", "Adapt-with-combine: overlap the exchange with the gradient", &O::awc},
    {"period", "", "Global-averaging period H (pga, local_sgd, diloco; aga's initial H; default 8)", &O::period, 1, 1 << 20},
    {"aga_warmup", "", "aga: steps whose mean loss is the reference for the period (0: one period)", &O::aga_warmup, 0, 1099511627776.0},
    {"compressor", "", "choco: identity, top-k:F, random-k:F, qsgd:B, int8, fp16, sign or minmax8, with ,chunk=C (default top-k:0.01)", &O::compressor},
    {"consensus_step", "", "choco: consensus step gamma_c in (0, 2]; 0 (default): tuned by the CHOCO authors' search", &O::consensus_step, 0, 2},
    {"outer_lr", "", "diloco: outer learning rate (default 0.7)", &O::outer_lr, 0, kInf, true},
    {"outer_momentum", "", "diloco: outer Nesterov momentum (default 0.9)", &O::outer_momentum, 0, 1, false, true},
    {"inner_gossip", "", "diloco: D-SGD steps between outer steps instead of local steps", &O::inner_gossip},
    {"outer_gossip", "", "diloco: average the outer change with the neighbours instead of all nodes", &O::outer_gossip},
    {"optimizer", "", "sgd (default), lars or lamb", &O::optimizer, -kInf, kInf, false, false, optimizers},
    {"epochs", "-e", "Epochs (default 2)", &O::epochs, 1, 100000},
    {"batch", "-b", "Batch size per node (default 32)", &O::batch, 1, 1 << 20},
    {"lr", "", "Learning rate (default 0.1)", &O::lr, 0, kInf, true, true},
    {"scale_lr", "", "Linear scaling rule: lr * nodes * batch / 256", &O::scale_lr},
    {"momentum", "", "Momentum (default 0.9; the algorithm's for dmsgd and decentlam)", &O::momentum, 0, 1, false, true},
    {"nesterov", "", "Nesterov momentum (sgd)", &O::nesterov},
    {"weight_decay", "", "Weight decay (default 5e-4)", &O::weight_decay, 0, kInf, false, true},
    {"schedule", "", "cosine (default), step or constant", &O::schedule, -kInf, kInf, false, false, schedules},
    {"milestones", "", "Epochs where the step schedule multiplies the lr by 0.1 (comma-separated)", &O::milestones, 0, kInf, false, true},
    {"warmup_epochs", "", "Linear warm-up epochs (default 0; at most --epochs)", &O::warmup_epochs, 0, kInf, false, true},
    {"seed", "-s", "Seed of weights, partition and shuffles (default 1)", &O::seed},
    {"threads", "", "oneDNN threads per node (0, the default: cores / nodes)", &O::threads, 0, 1024, false, false, nullptr, false},
    {"log_every", "", "Steps between metric lines (default 20)", &O::log_every, 1, 1 << 30, false, false, nullptr, false},
    {"eval_nodes", "", "Also evaluate every node's own model", &O::eval_nodes, -kInf, kInf, false, false, nullptr, false},
    {"out", "-o", "Output folder: config.json, metrics.jsonl, plots, model.bin, checkpoint/ (default runs/train; \"\" for none)", &O::out, -kInf, kInf, false, false, nullptr, false},
    {"resume", "", "Continue from this checkpoint folder (an earlier run's OUT/checkpoint)", &O::resume, -kInf, kInf, false, false, nullptr, false},
    {"checkpoint_every", "", "Steps between checkpoints in OUT/checkpoint (0: only at the end)", &O::checkpoint_every, 0, kInf, false, false, nullptr, false},
    {"max_steps", "", "Stop after this many steps (0: all epochs)", &O::max_steps, 0, kInf, false, false, nullptr, false},
    {"device", "", "Where the nodes compute: cpu (default), cuda (node r on GPU r mod count) or cuda:N", &O::device, -kInf, kInf, false, false, nullptr, false},
  };
  // clang-format on
  return table;
}

const OptionSpec& option_spec(const std::string& name) {
  for (const auto& s : train_option_table())
    if (name == s.name) return s;
  throw Error(Status::internal, "no training option \"" + name + "\"");
}

std::string option_label(const OptionSpec& spec, Naming naming) {
  if (naming == Naming::field) return std::string("options.") + spec.name;
  std::string flag = std::string("--") + spec.name;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

std::string option_text(const OptionSpec& spec, const TrainOptions& o) {
  return std::visit(
      [&](auto member) -> std::string {
        const auto& v = o.*member;
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string>)
          return v;
        else if constexpr (std::is_same_v<V, bool>)
          return v ? "true" : "false";
        else if constexpr (std::is_same_v<V, double>)
          return text(v);
        else if constexpr (std::is_same_v<V, std::vector<double>>) {
          std::vector<std::string> parts;
          for (double d : v) parts.push_back(text(d));
          return join(parts, ",");
        } else
          return std::to_string(v);
      },
      spec.field);
}

void check_option_number(const OptionSpec& s, double v, const std::string& label) {
  const bool low = s.min_exclusive ? !(v > s.min) : !(v >= s.min);
  const bool high = s.max_exclusive ? !(v < s.max) : !(v <= s.max);
  if (!low && !high) return;
  std::string range;
  if (std::isinf(s.max))
    range = fmt::format("{} {}", s.min_exclusive ? ">" : ">=", text(s.min));
  else
    range = fmt::format("{}{}, {}{}", s.min_exclusive ? "(" : "[", text(s.min), text(s.max),
                        s.max_exclusive ? ")" : "]");
  throw InvalidArgument(fmt::format("{} {}: expected {}", label, text(v), range));
}

void validate(const TrainOptions& o, Naming naming) {
  for (const auto& s : train_option_table()) {
    const auto label = option_label(s, naming);
    std::visit(
        [&](auto member) {
          const auto& v = o.*member;
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::string>) {
            if (!s.choices) return;
            const auto names = s.choices();
            if (std::find(names.begin(), names.end(), v) == names.end())
              throw InvalidArgument(fmt::format("{} \"{}\": unknown; expected one of {}", label, v,
                                                fmt::join(names, ", ")));
          } else if constexpr (std::is_same_v<V, std::vector<double>>) {
            for (double d : v) check_option_number(s, d, label);
          } else if constexpr (!std::is_same_v<V, bool>) {
            check_option_number(s, static_cast<double>(v), label);
          }
        },
        s.field);
  }
  if (o.warmup_epochs > static_cast<double>(o.epochs))
    throw InvalidArgument(fmt::format(
        "{} {}: expected at most {} ({})", option_label(option_spec("warmup_epochs"), naming),
        text(o.warmup_epochs), option_label(option_spec("epochs"), naming), o.epochs));
  try {
    parse_device(o.device);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(
        fmt::format("{}: {}", option_label(option_spec("device"), naming), e.what()));
  }
  try {
    algo::parse_compressor(o.compressor);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(
        fmt::format("{}: {}", option_label(option_spec("compressor"), naming), e.what()));
  }
  try {
    data::parse_partition(o.partition, o.seed);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(
        fmt::format("{}: {}", option_label(option_spec("partition"), naming), e.what()));
  }
}

}  // namespace decent::train
