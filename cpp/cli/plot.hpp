// PNG plots through gnuplot (Debian: gnuplot-nox), data passed inline as a datablock.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace decent::cli {

struct Series {
  std::string title;
  std::vector<std::pair<double, double>> points;
};

struct PlotOptions {
  std::string title, x_label, y_label;
  bool log_y = false;
};

// Writes `path` (PNG). Throws decent::Error naming the problem when gnuplot is missing or fails.
void plot_png(const std::string& path, const PlotOptions& options,
              const std::vector<Series>& series);

}  // namespace decent::cli
