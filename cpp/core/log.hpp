// The library's log: one process-wide sink that the embedding program sets (the C ABI's
// decent_set_log_callback). decent writes nothing to stdout or stderr itself; without a sink its
// messages are dropped. Calls to the sink are serialised, and a message raised while the sink
// runs on the same thread (the sink calling back into decent) is dropped rather than delivered
// re-entrantly.
#pragma once

#include <functional>
#include <string>

namespace decent {

enum class LogLevel : int { debug = 0, info = 1, warning = 2, error = 3 };

using LogSink = std::function<void(LogLevel, const std::string&)>;

// Replaces the sink (empty: drop every message); messages below min_level are dropped.
void set_log_sink(LogSink sink, LogLevel min_level);

// Whether a message of `level` would reach a sink (to skip formatting it otherwise).
bool log_enabled(LogLevel level) noexcept;

// Hands one message (one line) to the sink. Never throws: a failing sink loses the message.
void log_message(LogLevel level, const std::string& message) noexcept;

}  // namespace decent
