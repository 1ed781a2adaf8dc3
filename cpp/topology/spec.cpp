#include "topology/spec.hpp"

#include <fmt/format.h>

#include <limits>

#include "core/error.hpp"
#include "core/parse.hpp"

namespace decent::topology {
namespace {

bool has_dimensions(Kind kind) {
  return kind == Kind::grid || kind == Kind::torus;
}

std::vector<std::string> keys_for(Kind kind) {
  std::vector<std::string> keys = {"n", "weights"};
  if (has_dimensions(kind)) keys.insert(keys.end(), {"RxC", "rows", "cols"});
  if (kind == Kind::random) keys.insert(keys.end(), {"p", "seed"});
  if (is_base_kind(kind)) keys.insert(keys.end(), {"k"});
  if (kind == Kind::equi_static || kind == Kind::u_equi_static)
    keys.insert(keys.end(), {"m", "seed"});
  if (kind == Kind::od_equi_dyn || kind == Kind::ou_equi_dyn)
    keys.insert(keys.end(), {"eta", "steps", "seed"});
  return keys;
}

int parse_count(std::string_view spec, std::string_view key, std::string_view value) {
  const auto what = fmt::format("topology \"{}\": {}", spec, key);
  const auto v = parse_int(value, what);
  if (v < 1 || v > std::numeric_limits<int>::max())
    throw InvalidArgument(fmt::format("{} = {}: expected a positive integer", what, value));
  return static_cast<int>(v);
}

// "4x4" -> rows 4, cols 4.
bool parse_dimensions(std::string_view spec, std::string_view item, TopologySpec& out) {
  const auto x = item.find_first_of("xX");
  if (x == std::string_view::npos || item.find('=') != std::string_view::npos) return false;
  out.rows = parse_count(spec, "rows", item.substr(0, x));
  out.cols = parse_count(spec, "cols", item.substr(x + 1));
  return true;
}

}  // namespace

TopologySpec parse_spec(std::string_view text) {
  const auto spec_text = trim(text);
  if (spec_text.empty())
    throw InvalidArgument(
        fmt::format("topology spec is empty; expected one of {}", join(kind_names())));
  TopologySpec spec;
  const auto colon = spec_text.find(':');
  spec.kind = kind_from_name(trim(spec_text.substr(0, colon)));
  if (colon == std::string_view::npos) return spec;
  if (spec.kind == Kind::one_peer) {
    spec.inner = {parse_spec(spec_text.substr(colon + 1))};
    return spec;
  }
  if (spec.kind == Kind::hierarchical) {
    auto rest = trim(spec_text.substr(colon + 1));
    const auto next = rest.find(':');
    const auto head = trim(rest.substr(0, next));
    if (!head.empty() && head.find_first_not_of("0123456789") == std::string_view::npos) {
      spec.per_machine = parse_count(spec_text, "nodes per machine", head);
      rest = next == std::string_view::npos ? std::string_view{} : trim(rest.substr(next + 1));
    }
    if (!rest.empty()) spec.inner = {parse_spec(rest)};
    return spec;
  }
  if (spec.kind == Kind::file) {
    spec.path = std::string(trim(spec_text.substr(colon + 1)));
    return spec;
  }

  for (const auto& item : split(spec_text.substr(colon + 1), ',')) {
    if (has_dimensions(spec.kind) && parse_dimensions(spec_text, item, spec)) continue;
    const auto eq = item.find('=');
    const auto key = trim(std::string_view(item).substr(0, eq));
    const auto value =
        eq == std::string::npos ? std::string_view{} : trim(std::string_view(item).substr(eq + 1));
    const auto allowed = keys_for(spec.kind);
    const bool known = std::find(allowed.begin(), allowed.end(), key) != allowed.end();
    if (item.empty() || eq == std::string::npos || !known || key == "RxC")
      throw InvalidArgument(fmt::format("topology \"{}\": unexpected \"{}\" for {}; expected {}",
                                        spec_text, item, info(spec.kind).name, join(allowed)));
    if (key == "n") {
      spec.nodes = parse_count(spec_text, key, value);
    } else if (key == "weights") {
      spec.weights = weight_rule_from_name(value);
    } else if (key == "rows") {
      spec.rows = parse_count(spec_text, key, value);
    } else if (key == "cols") {
      spec.cols = parse_count(spec_text, key, value);
    } else if (key == "p") {
      const double p = parse_double(value, fmt::format("topology \"{}\": p", spec_text));
      if (!(p > 0.0 && p <= 1.0))
        throw InvalidArgument(fmt::format(
            "topology \"{}\": p = {}: expected a probability in (0, 1]", spec_text, value));
      spec.p = p;
    } else if (key == "seed") {
      spec.seed = parse_uint64(value, fmt::format("topology \"{}\": seed", spec_text));
    } else if (key == "m") {
      spec.m = parse_count(spec_text, key, value);
      if (spec.m > kMaxEquiShifts)
        throw InvalidArgument(fmt::format("topology \"{}\": m = {}: expected 1 to {} shifts",
                                          spec_text, spec.m, kMaxEquiShifts));
    } else if (key == "steps") {
      spec.steps = parse_count(spec_text, key, value);
    } else if (key == "eta") {
      const double eta = parse_double(value, fmt::format("topology \"{}\": eta", spec_text));
      if (!(eta > 0.0 && eta <= 1.0))
        throw InvalidArgument(fmt::format("topology \"{}\": eta = {}: expected a damping in (0, 1]",
                                          spec_text, value));
      spec.eta = eta;
    } else if (key == "k") {
      spec.k = parse_count(spec_text, key, value);
      if (spec.k > kMaxBasePeers)
        throw InvalidArgument(
            fmt::format("topology \"{}\": k = {}: expected 1 to {} peers per step", spec_text,
                        spec.k, kMaxBasePeers));
    }
  }
  if ((spec.rows == 0) != (spec.cols == 0))
    throw InvalidArgument(
        fmt::format("topology \"{}\": give both rows and cols (or RxC), or neither", spec_text));
  return spec;
}

std::string to_string(const TopologySpec& spec) {
  if (spec.kind == Kind::file) return std::string(info(spec.kind).name) + ":" + spec.path;
  if (spec.kind == Kind::hierarchical) {
    auto out = std::string(info(spec.kind).name) + ":";
    if (spec.per_machine > 0) out += std::to_string(spec.per_machine) + ":";
    // Without an outer spec, resolve() takes the one-peer exponential graph.
    return out + (spec.inner.empty() ? std::string(info(Kind::one_peer_exponential).name)
                                     : to_string(spec.inner.front()));
  }
  if (spec.kind == Kind::one_peer && !spec.inner.empty())
    return std::string(info(spec.kind).name) + ":" + to_string(spec.inner.front());
  std::vector<std::string> items;
  if (has_dimensions(spec.kind) && spec.rows > 0)
    items.push_back(fmt::format("{}x{}", spec.rows, spec.cols));
  if (spec.nodes > 0) items.push_back(fmt::format("n={}", spec.nodes));
  if (spec.kind == Kind::random) {
    if (spec.p) items.push_back(fmt::format("p={}", *spec.p));
    items.push_back(fmt::format("seed={}", spec.seed));
  }
  if (is_equi_topo_kind(spec.kind)) {
    if (spec.m > 0) items.push_back(fmt::format("m={}", spec.m));
    if (spec.eta) items.push_back(fmt::format("eta={}", *spec.eta));
    if (spec.steps > 0) items.push_back(fmt::format("steps={}", spec.steps));
    items.push_back(fmt::format("seed={}", spec.seed));
  }
  if (is_base_kind(spec.kind)) items.push_back(fmt::format("k={}", spec.k > 0 ? spec.k : 1));
  if (spec.weights != WeightRule::automatic)
    items.push_back(fmt::format("weights={}", weight_rule_name(spec.weights)));
  std::string out(info(spec.kind).name);
  if (!items.empty()) out += ":" + join(items, ",");
  return out;
}

}  // namespace decent::topology
