#include "core/parse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/error.hpp"

namespace decent {
namespace {

template <typename T>
T parse_integer(std::string_view token, std::string_view what, std::string_view expected) {
  token = trim(token);
  T value{};
  const char* end = token.data() + token.size();
  auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (token.empty() || ec != std::errc() || ptr != end) {
    const char* why = ec == std::errc::result_out_of_range ? "out of range" : "not a number";
    throw InvalidArgument(fmt::format("{} \"{}\": {}; expected {}", what, token, why, expected));
  }
  return value;
}

}  // namespace

std::int64_t parse_int(std::string_view token, std::string_view what) {
  return parse_integer<std::int64_t>(token, what, "an integer");
}

std::uint64_t parse_uint64(std::string_view token, std::string_view what) {
  return parse_integer<std::uint64_t>(token, what, "a non-negative integer");
}

double parse_double(std::string_view token, std::string_view what) {
  token = trim(token);
  double value = 0;
  const char* end = token.data() + token.size();
  auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (token.empty() || ec != std::errc() || ptr != end || !std::isfinite(value))
    throw InvalidArgument(fmt::format("{} \"{}\": not a finite number", what, token));
  return value;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> pieces;
  if (trim(text).empty()) return pieces;
  std::size_t begin = 0;
  while (true) {
    const auto at = text.find(sep, begin);
    pieces.emplace_back(trim(text.substr(begin, at - begin)));
    if (at == std::string_view::npos) break;
    begin = at + 1;
  }
  return pieces;
}

std::string join(const std::vector<std::string>& names, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += sep;
    out += names[i];
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace decent
