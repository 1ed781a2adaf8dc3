#include "core/log.hpp"

#include <atomic>
#include <mutex>

#include "core/error.hpp"

namespace decent {
namespace {

std::mutex sink_mutex;
LogSink sink;  // guarded by sink_mutex
// The lowest level delivered, or past error when there is no sink: the fast path is one load.
std::atomic<int> lowest{static_cast<int>(LogLevel::error) + 1};
thread_local bool in_sink = false;

}  // namespace

void set_log_sink(LogSink s, LogLevel min_level) {
  // The sink runs under sink_mutex: replacing it from inside would deadlock.
  if (in_sink) throw InvalidArgument("the log callback cannot be replaced from inside itself");
  if (static_cast<int>(min_level) < 0 || static_cast<int>(min_level) > 3)
    throw InvalidArgument("log level " + std::to_string(static_cast<int>(min_level)) +
                          ": expected 0 (debug) to 3 (error)");
  std::lock_guard lock(sink_mutex);
  const bool on = static_cast<bool>(s);
  sink = std::move(s);
  lowest = on ? static_cast<int>(min_level) : static_cast<int>(LogLevel::error) + 1;
}

bool log_enabled(LogLevel level) noexcept {
  return static_cast<int>(level) >= lowest.load(std::memory_order_relaxed) && !in_sink;
}

void log_message(LogLevel level, const std::string& message) noexcept {
  if (!log_enabled(level)) return;
  std::lock_guard lock(sink_mutex);
  if (!sink || static_cast<int>(level) < lowest) return;
  in_sink = true;
  try {
    sink(level, message);
  } catch (...) {
    // A sink that throws loses its message; the library's own call goes on.
  }
  in_sink = false;
}

}  // namespace decent
