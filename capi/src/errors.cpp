// decent_last_error(), decent_status_name() and the exception-to-status mapping.
#include <new>
#include <stdexcept>
#include <string>

#include "api_guard.hpp"
#include "core/log.hpp"

namespace decent::capi {
namespace {

thread_local std::string last_error;
thread_local decent_status last_error_status = DECENT_OK;

// The C enum and the C++ enum must agree value for value.
static_assert(DECENT_OK == static_cast<int>(Status::ok));
static_assert(DECENT_ERR_INVALID_ARGUMENT == static_cast<int>(Status::invalid_argument));
static_assert(DECENT_ERR_OUT_OF_RANGE == static_cast<int>(Status::out_of_range));
static_assert(DECENT_ERR_BUFFER_TOO_SMALL == static_cast<int>(Status::buffer_too_small));
static_assert(DECENT_ERR_NOT_SUPPORTED == static_cast<int>(Status::not_supported));
static_assert(DECENT_ERR_IO == static_cast<int>(Status::io));
static_assert(DECENT_ERR_COMMUNICATION == static_cast<int>(Status::communication));
static_assert(DECENT_ERR_TIMEOUT == static_cast<int>(Status::timeout));
static_assert(DECENT_ERR_NUMERICAL == static_cast<int>(Status::numerical));
static_assert(DECENT_ERR_OUT_OF_MEMORY == static_cast<int>(Status::out_of_memory));
static_assert(DECENT_ERR_INTERNAL == static_cast<int>(Status::internal));

}  // namespace

decent_status last_status() noexcept {
  return last_error_status;
}

void clear_last_error() noexcept {
  last_error.clear();
  last_error_status = DECENT_OK;
}

decent_status set_error(decent_status status, const std::string& message) noexcept {
  last_error_status = status;
  try {
    last_error = message;
  } catch (...) {
    // Out of memory while copying the message: keep the status, lose the text.
  }
  log_message(LogLevel::error, message);  // the log callback sees every failed call
  return status;
}

decent_status handle_exception(const char* function) noexcept {
  try {
    throw;
  } catch (const Error& e) {
    return set_error(static_cast<decent_status>(e.status()),
                     fmt::format("{}: {}", function, e.what()));
  } catch (const std::bad_alloc&) {
    return set_error(DECENT_ERR_OUT_OF_MEMORY, fmt::format("{}: out of memory", function));
  } catch (const std::invalid_argument& e) {
    return set_error(DECENT_ERR_INVALID_ARGUMENT, fmt::format("{}: {}", function, e.what()));
  } catch (const std::out_of_range& e) {
    return set_error(DECENT_ERR_OUT_OF_RANGE, fmt::format("{}: {}", function, e.what()));
  } catch (const std::exception& e) {
    return set_error(DECENT_ERR_INTERNAL,
                     fmt::format("{}: internal error: {}", function, e.what()));
  } catch (...) {
    return set_error(DECENT_ERR_INTERNAL,
                     fmt::format("{}: internal error: unknown exception", function));
  }
}

}  // namespace decent::capi

extern "C" {

const char* decent_last_error(void) {
  return decent::capi::last_error.c_str();
}

const char* decent_status_name(decent_status status) {
  switch (status) {
    case DECENT_OK: return "DECENT_OK";
    case DECENT_ERR_INVALID_ARGUMENT: return "DECENT_ERR_INVALID_ARGUMENT";
    case DECENT_ERR_OUT_OF_RANGE: return "DECENT_ERR_OUT_OF_RANGE";
    case DECENT_ERR_BUFFER_TOO_SMALL: return "DECENT_ERR_BUFFER_TOO_SMALL";
    case DECENT_ERR_NOT_SUPPORTED: return "DECENT_ERR_NOT_SUPPORTED";
    case DECENT_ERR_IO: return "DECENT_ERR_IO";
    case DECENT_ERR_COMMUNICATION: return "DECENT_ERR_COMMUNICATION";
    case DECENT_ERR_TIMEOUT: return "DECENT_ERR_TIMEOUT";
    case DECENT_ERR_NUMERICAL: return "DECENT_ERR_NUMERICAL";
    case DECENT_ERR_OUT_OF_MEMORY: return "DECENT_ERR_OUT_OF_MEMORY";
    case DECENT_ERR_INTERNAL: return "DECENT_ERR_INTERNAL";
  }
  return "DECENT_ERR_UNKNOWN";
}

}  // extern "C"
