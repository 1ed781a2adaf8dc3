#include "cli/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

namespace decent::cli {

bool stderr_is_terminal() {
  return isatty(STDERR_FILENO) == 1;
}

std::string format_duration(double s) {
  const auto t = static_cast<long long>(s + 0.5);
  if (t >= 3600) return fmt::format("{}h{:02}m", t / 3600, (t % 3600) / 60);
  if (t >= 60) return fmt::format("{}m{:02}s", t / 60, t % 60);
  return fmt::format("{}s", t);
}

void ProgressBar::update(std::int64_t step, std::int64_t total, const std::string& status) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (step < total && drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double frac = total > 0 ? static_cast<double>(step) / static_cast<double>(total) : 1.0;
  const int width = 24, filled = static_cast<int>(frac * width);
  const std::string bar = std::string(static_cast<std::size_t>(filled), '#') +
                          std::string(static_cast<std::size_t>(width - filled), '.');
  const double eta =
      step > 0 ? elapsed * static_cast<double>(total - step) / static_cast<double>(step) : 0;
  out_ << fmt::format("\r[{}] {}/{} {} ETA {}\x1b[K", bar, step, total, status,
                      format_duration(eta));
  out_.flush();
  drawn_ = true;
}

void ProgressBar::clear() {
  if (enabled_ && drawn_) out_ << "\r\x1b[K" << std::flush;
  drawn_ = false;
}

}  // namespace decent::cli
