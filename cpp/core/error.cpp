#include "core/error.hpp"

namespace decent {

void rethrow_with_context(const Error& e, const std::string& context) {
  const std::string m = context + e.what();
  switch (e.status()) {
    case Status::invalid_argument: throw InvalidArgument(m);
    case Status::out_of_range: throw OutOfRange(m);
    case Status::buffer_too_small: throw BufferTooSmall(m);
    case Status::not_supported: throw NotSupported(m);
    case Status::numerical: throw NumericalError(m);
    case Status::communication: throw CommunicationError(m);
    case Status::timeout: throw TimeoutError(m);
    case Status::io: throw IoError(m);
    default: throw Error(e.status(), m);
  }
}

}  // namespace decent
