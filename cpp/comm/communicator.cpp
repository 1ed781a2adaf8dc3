#include "comm/communicator.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "core/error.hpp"

namespace decent::comm {

std::chrono::milliseconds default_timeout() {
  // Five minutes covers a slow peer loading data or a large first exchange; a peer that never
  // comes is reported after that instead of hanging the run.
  if (const char* env = std::getenv("DECENT_COMM_TIMEOUT_S")) {
    char* end = nullptr;
    const double seconds = std::strtod(env, &end);
    if (end != env && *end == '\0' && seconds > 0)
      return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  }
  return std::chrono::minutes(5);
}

void check_not_null(const Buffer& data, const char* what) {
  if (data.data == nullptr && data.count > 0)
    throw InvalidArgument(fmt::format("{}: buffer is NULL", what));
}

void Communicator::check_buffer(const Buffer& data, const char* what) const {
  check_not_null(data, what);
  check_memory(data, what);
}

void Communicator::check_memory(const Buffer& data, const char* what) const {
  if (takes(data.device)) return;
  throw NotSupported(fmt::format(
      "{}: the buffer is in {} memory, but the {} communicator moves {} memory", what,
      to_string(data.device), backend(), memory() == DeviceKind::cpu ? "host" : "CUDA device"));
}

void Communicator::start_message_exchange(const void* message, std::size_t bytes,
                                          const topology::Topology& topology, std::int64_t step) {
  Buffer buffer{const_cast<void*>(message), bytes, DataType::bytes, Device{}};
  check_not_null(buffer, "message exchange");
  start_messages(buffer, topology, step);
}

void Communicator::start_messages(Buffer, const topology::Topology&, std::int64_t) {
  throw NotSupported(fmt::format(
      "compressed gossip: the {} communicator does not exchange messages (local and mpi do)",
      backend()));
}

std::vector<std::vector<unsigned char>> Communicator::finish_messages() {
  throw NotSupported(fmt::format(
      "compressed gossip: the {} communicator does not exchange messages (local and mpi do)",
      backend()));
}

void Communicator::check_root(int root, const char* what) const {
  if (root < 0 || root >= size())
    throw OutOfRange(fmt::format("{}: root {}: expected 0 <= root < {}", what, root, size()));
}

}  // namespace decent::comm
