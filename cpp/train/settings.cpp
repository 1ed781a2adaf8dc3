#include "train/settings.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <map>

#include "core/error.hpp"
#include "core/fnv.hpp"
#include "train/option_table.hpp"

namespace decent::train {
namespace {

// FNV-1a, cut to 52 bits so that the hash is exact as a double (the all-reduce's type).
double hash52(const std::string& s) {
  return static_cast<double>(fnv1a(s.data(), s.size()) & ((std::uint64_t{1} << 52) - 1));
}

}  // namespace

Settings run_settings(const TrainOptions& o, int nodes) {
  Settings settings;
  for (const auto& spec : train_option_table())
    if (spec.defines_run)
      settings.emplace_back(spec.name, std::string(spec.name) == "nodes" ? std::to_string(nodes)
                                                                         : option_text(spec, o));
  return settings;
}

std::vector<std::string> changed_settings(const Settings& a, const Settings& b) {
  std::map<std::string, std::string> in_b(b.begin(), b.end());
  std::vector<std::string> changed;
  for (const auto& [name, value] : a) {
    const auto it = in_b.find(name);
    if (it == in_b.end())
      changed.push_back(name + ": " + value + " -> (absent)");
    else if (it->second != value)
      changed.push_back(name + ": " + value + " -> " + it->second);
    if (it != in_b.end()) in_b.erase(it);
  }
  for (const auto& [name, value] : in_b) changed.push_back(name + ": (absent) -> " + value);
  return changed;
}

void check_same_settings(comm::Communicator& comm, const Settings& settings) {
  const auto n = static_cast<std::size_t>(comm.size()), k = settings.size();
  if (n == 1) return;
  // Row r holds rank r's hashes (the count first: ranks of other versions may have others).
  std::vector<double> table(n * (k + 1), 0.0);
  const auto mine = static_cast<std::size_t>(comm.rank()) * (k + 1);
  table[mine] = static_cast<double>(k);
  for (std::size_t j = 0; j < k; ++j)
    table[mine + 1 + j] = hash52(settings[j].first + "=" + settings[j].second);
  comm.allreduce(table.data(), table.size(), comm::ReduceOp::sum);
  std::vector<std::string> problems;
  std::vector<bool> differs(k, false);
  for (std::size_t r = 1; r < n; ++r) {
    std::vector<std::string> fields;
    if (table[r * (k + 1)] != table[0]) {
      fields.push_back("the number of settings (another decent version?)");
    } else {
      for (std::size_t j = 0; j < k; ++j)
        if (table[r * (k + 1) + 1 + j] != table[1 + j]) {
          fields.push_back(settings[j].first);
          differs[j] = true;
        }
    }
    if (!fields.empty())
      problems.push_back(
          fmt::format("rank {} differs from rank 0 in {}", r, fmt::join(fields, ", ")));
  }
  if (problems.empty()) return;
  std::vector<std::string> here;
  for (std::size_t j = 0; j < k; ++j)
    if (differs[j]) here.push_back(settings[j].first + "=" + settings[j].second);
  throw InvalidArgument(fmt::format(
      "the ranks were started with different settings: {} (rank {} has {}); start every rank with "
      "the same flags",
      fmt::join(problems, "; "), comm.rank(), fmt::join(here, ", ")));
}

}  // namespace decent::train
