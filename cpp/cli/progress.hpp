// Progress of long runs on stderr: a bar redrawn in place on a terminal, nothing between the
// regular metric lines otherwise (logs stay readable).
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace decent::cli {

class ProgressBar {
 public:
  // `enabled` false (not a terminal) makes update() a no-op.
  ProgressBar(std::ostream& out, bool enabled) : out_(out), enabled_(enabled) {}
  // Redraws at most 10 times a second: step/total, `status` text, rate and ETA.
  void update(std::int64_t step, std::int64_t total, const std::string& status);
  // Clears the bar's line (before printing other text) and at the end.
  void clear();

 private:
  std::ostream& out_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

// Whether stderr is a terminal.
bool stderr_is_terminal();

// "1h02m", "3m12s", "45s".
std::string format_duration(double seconds);

}  // namespace decent::cli
