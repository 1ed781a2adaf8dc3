// decent_set_log_callback: the C face of core/log.
#include "api_guard.hpp"
#include "core/log.hpp"

// The C enum and the C++ enum must agree value for value.
static_assert(DECENT_LOG_DEBUG == static_cast<int>(decent::LogLevel::debug));
static_assert(DECENT_LOG_INFO == static_cast<int>(decent::LogLevel::info));
static_assert(DECENT_LOG_WARNING == static_cast<int>(decent::LogLevel::warning));
static_assert(DECENT_LOG_ERROR == static_cast<int>(decent::LogLevel::error));

extern "C" {

decent_status decent_set_log_callback(decent_log_fn fn, void* user, decent_log_level min_level) {
  DECENT_API_BEGIN();
  const int level = static_cast<int>(min_level);
  if (level < DECENT_LOG_DEBUG || level > DECENT_LOG_ERROR)
    throw decent::InvalidArgument(
        fmt::format("min_level {}: expected DECENT_LOG_DEBUG (0) to DECENT_LOG_ERROR (3)", level));
  decent::LogSink sink;
  if (fn != nullptr)
    sink = [fn, user](decent::LogLevel l, const std::string& message) {
      fn(static_cast<decent_log_level>(l), message.c_str(), user);
    };
  decent::set_log_sink(std::move(sink), static_cast<decent::LogLevel>(level));
  DECENT_API_END();
}

}  // extern "C"
