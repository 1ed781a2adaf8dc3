#include "cli/plot.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "core/error.hpp"

namespace decent::cli {
namespace {

// gnuplot single-quoted strings: a quote is written twice.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

void plot_png(const std::string& path, const PlotOptions& options,
              const std::vector<Series>& series) {
  std::string script = "set terminal pngcairo size 900,560 noenhanced\n";
  script += fmt::format("set output {}\n", quoted(path));
  script += fmt::format("set title {}\nset xlabel {}\nset ylabel {}\n", quoted(options.title),
                        quoted(options.x_label), quoted(options.y_label));
  script += "set grid\nset key top right\n";
  if (options.log_y) script += "set logscale y\nset format y '%.0e'\n";
  for (std::size_t s = 0; s < series.size(); ++s) {
    script += fmt::format("$d{} << EOD\n", s);
    for (const auto& [x, y] : series[s].points)
      if (!options.log_y || y > 0) script += fmt::format("{} {}\n", x, y);
    script += "EOD\n";
  }
  script += "plot ";
  for (std::size_t s = 0; s < series.size(); ++s)
    script += fmt::format("{}$d{} using 1:2 with lines lw 2 title {}", s ? ", " : "", s,
                          quoted(series[s].title));
  script += "\n";

  FILE* gnuplot = popen("gnuplot 2>&1", "w");
  if (gnuplot == nullptr) throw Error(Status::io, "cannot start gnuplot");
  std::fwrite(script.data(), 1, script.size(), gnuplot);
  const int rc = pclose(gnuplot);
  if (rc != 0)
    throw Error(Status::io, rc == 127 * 256 ? "gnuplot is not installed (Debian: gnuplot-nox)"
                                            : fmt::format("gnuplot failed to write {}", path));
  if (!std::filesystem::exists(path))
    throw Error(Status::io, fmt::format("gnuplot did not write {}", path));
}

}  // namespace decent::cli
