// Typed exceptions of the engine. Each carries the status code the C ABI returns for it, so the
// exception barrier in capi/ maps them without knowing every call site.
#pragma once

#include <stdexcept>
#include <string>

namespace decent {

// Mirrors decent_status in capi/include/decent/decent.h (values must stay equal; a static_assert
// in capi/src checks it).
enum class Status : int {
  ok = 0,
  invalid_argument = 1,
  out_of_range = 2,
  buffer_too_small = 3,
  not_supported = 4,
  io = 5,
  communication = 6,
  timeout = 7,
  numerical = 8,
  out_of_memory = 9,
  internal = 10,
};

class Error : public std::runtime_error {
 public:
  Error(Status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  Status status() const noexcept { return status_; }

 private:
  Status status_;
};

// A value the caller gave is wrong (bad name, bad shape, NULL pointer, ...).
struct InvalidArgument : Error {
  explicit InvalidArgument(const std::string& m) : Error(Status::invalid_argument, m) {}
};
// An index or step outside the valid range.
struct OutOfRange : Error {
  explicit OutOfRange(const std::string& m) : Error(Status::out_of_range, m) {}
};
// The caller's output buffer is too small; the message says how large it must be.
struct BufferTooSmall : Error {
  explicit BufferTooSmall(const std::string& m) : Error(Status::buffer_too_small, m) {}
};
// A valid request this build or this input cannot serve (e.g. Metropolis weights on a digraph).
struct NotSupported : Error {
  explicit NotSupported(const std::string& m) : Error(Status::not_supported, m) {}
};
// A result failed a numerical check (e.g. a weight matrix that is not doubly stochastic).
struct NumericalError : Error {
  explicit NumericalError(const std::string& m) : Error(Status::numerical, m) {}
};

// A communicator failed, or the ranks disagree (buffer sizes, topologies, steps).
struct CommunicationError : Error {
  explicit CommunicationError(const std::string& m) : Error(Status::communication, m) {}
};
// A file could not be read, or its contents are corrupt (the message names the file and offset).
struct IoError : Error {
  explicit IoError(const std::string& m) : Error(Status::io, m) {}
};
// A peer did not arrive within the communicator's timeout.
struct TimeoutError : Error {
  explicit TimeoutError(const std::string& m) : Error(Status::timeout, m) {}
};

// Throws an exception of the class that matches e.status(), with `context` put before the
// message (e.g. "rank 3: "), so that callers can still catch the specific type.
[[noreturn]] void rethrow_with_context(const Error& e, const std::string& context);

}  // namespace decent
