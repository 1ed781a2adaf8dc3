#include "train/regroup.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <exception>
#include <map>
#include <optional>
#include <vector>

#include "core/error.hpp"

namespace decent::train {
namespace {

// The element-wise mean of the same vector in every checkpoint, summed in double in rank order
// (so every new node computes the same bits).
template <typename T, typename Get>
std::vector<T> mean_of(const std::vector<const NodeCheckpoint*>& used, Get get, const char* what) {
  const auto& first = get(*used.front());
  std::vector<double> sum(first.size(), 0.0);
  for (const auto* c : used) {
    const auto& v = get(*c);
    if (v.size() != first.size())
      throw InvalidArgument(fmt::format(
          "resume: node {}'s checkpoint has {} {} values, node {}'s has {} (files of different "
          "runs in one folder)",
          c->rank, v.size(), what, used.front()->rank, first.size()));
    for (std::size_t i = 0; i < v.size(); ++i) sum[i] += static_cast<double>(v[i]);
  }
  std::vector<T> mean(sum.size());
  for (std::size_t i = 0; i < sum.size(); ++i)
    mean[i] = static_cast<T>(sum[i] / static_cast<double>(used.size()));
  return mean;
}

}  // namespace

ResumeState load_resume_state(const std::string& dir, int rank, int nodes,
                              std::int64_t steps_per_epoch) {
  ResumeState out;
  std::exception_ptr own_error;
  std::optional<NodeCheckpoint> own;
  try {
    own = load_checkpoint(checkpoint_path(dir, rank));
  } catch (const IoError&) {
    own_error = std::current_exception();
  }
  if (own && own->nodes == nodes) {  // the exact resume
    out.checkpoint = std::move(*own);
    return out;
  }
  // How many nodes wrote the folder: from this node's file, else from the first that loads
  // (kept, so that no file is read twice).
  std::map<int, NodeCheckpoint> read;
  if (own) read.emplace(rank, std::move(*own));
  for (int k = 0; k < 1024 && read.empty(); ++k) {
    if (k == rank) continue;
    try {
      read.emplace(k, load_checkpoint(checkpoint_path(dir, k)));
    } catch (const IoError&) {
    }
  }
  const int saved = read.empty() ? 0 : read.begin()->second.nodes;
  // The same node count (or nothing readable): the node's own file is what it needs.
  if ((saved == nodes || saved <= 0) && own_error) std::rethrow_exception(own_error);
  if (saved <= 0) throw IoError("resume: " + dir + ": no node's checkpoint can be read");

  std::vector<std::optional<NodeCheckpoint>> files(static_cast<std::size_t>(saved));
  std::vector<std::string> reasons(files.size());
  for (int k = 0; k < saved; ++k) {
    const auto i = static_cast<std::size_t>(k);
    if (const auto it = read.find(k); it != read.end()) {
      files[i] = std::move(it->second);
      continue;
    }
    try {
      files[i] = load_checkpoint(checkpoint_path(dir, k));
    } catch (const IoError& e) {
      reasons[i] = e.what();
    }
  }
  std::int64_t newest = -1;
  for (const auto& f : files)
    if (f && f->nodes == saved) newest = std::max(newest, f->step);
  std::vector<const NodeCheckpoint*> used;
  std::vector<int> used_ranks;
  std::vector<std::string> left_out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    if (!f) {
      left_out.push_back(reasons[i]);
    } else if (f->nodes != saved) {
      left_out.push_back(fmt::format("{}: written by a run of {} nodes, not {}",
                                     checkpoint_path(dir, static_cast<int>(i)), f->nodes, saved));
    } else if (f->step != newest) {
      left_out.push_back(fmt::format("{}: step {}, older than step {}",
                                     checkpoint_path(dir, static_cast<int>(i)), f->step, newest));
    } else {
      used.push_back(&*f);
      used_ranks.push_back(static_cast<int>(i));
    }
  }
  if (used.empty())
    throw IoError(fmt::format("resume: {}: no checkpoint of the {}-node run can be read ({})", dir,
                              saved, fmt::join(left_out, "; ")));
  const NodeCheckpoint& first = *used.front();
  for (const auto* c : used)
    if (c->model != first.model || c->algorithm != first.algorithm ||
        c->optimizer != first.optimizer || c->settings != first.settings ||
        c->algorithm_state.size() != first.algorithm_state.size())
      throw InvalidArgument(fmt::format(
          "resume: the checkpoints of nodes {} and {} in {} were written by different runs",
          first.rank, c->rank, dir));

  NodeCheckpoint& c = out.checkpoint;
  c = first;  // model, algorithm, optimizer, settings, step
  c.rank = rank;
  c.nodes = nodes;
  for (auto& [name, value] : c.settings)
    if (name == "nodes") value = std::to_string(nodes);
  c.parameters = mean_of<float>(
      used, [](const NodeCheckpoint& x) -> const auto& { return x.parameters; }, "parameter");
  c.buffers = mean_of<float>(
      used, [](const NodeCheckpoint& x) -> const auto& { return x.buffers; }, "buffer");
  c.optimizer_state = mean_of<double>(
      used, [](const NodeCheckpoint& x) -> const auto& { return x.optimizer_state; },
      "optimizer state");
  for (std::size_t j = 0; j < c.algorithm_state.size(); ++j)
    c.algorithm_state[j] = mean_of<float>(
        used, [j](const NodeCheckpoint& x) -> const auto& { return x.algorithm_state[j]; },
        "algorithm state");
  const std::int64_t per_epoch = std::max<std::int64_t>(steps_per_epoch, 1);
  c.loader_epoch = c.step / per_epoch;
  c.loader_batch = c.step % per_epoch;
  out.regrouped = true;
  out.summary = fmt::format(
      "resume: the {}-node checkpoint of step {} continues on {} nodes from the average of node{} "
      "{}{}",
      saved, newest, nodes, used_ranks.size() > 1 ? "s" : "", fmt::join(used_ranks, ", "),
      left_out.empty() ? std::string() : fmt::format(" (left out: {})", fmt::join(left_out, "; ")));
  return out;
}

}  // namespace decent::train
