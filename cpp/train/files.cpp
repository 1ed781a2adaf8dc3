#include "train/files.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"

namespace decent::train {

void write_file_atomically(const std::string& path, std::string_view bytes) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError("file " + tmp + ": cannot be created: " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      throw IoError("file " + tmp + ": write failed at byte offset " + std::to_string(done) + ": " +
                    why);
    }
    done += static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    throw IoError("file " + tmp + ": fsync/close failed: " + std::strerror(errno));
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw IoError("file " + path + ": rename from " + tmp + " failed: " + ec.message());
}

void save_model(const std::string& path, const std::string& model_name,
                std::span<const float> parameters, std::span<const float> buffers) {
  std::string b = "DECENTM1";
  auto put_u64 = [&b](std::uint64_t v) { b.append(reinterpret_cast<const char*>(&v), 8); };
  put_u64(model_name.size());
  b += model_name;
  put_u64(parameters.size());
  put_u64(buffers.size());
  b.append(reinterpret_cast<const char*>(parameters.data()), parameters.size_bytes());
  b.append(reinterpret_cast<const char*>(buffers.data()), buffers.size_bytes());
  const auto crc = static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(b.data()), static_cast<uInt>(b.size())));
  b.append(reinterpret_cast<const char*>(&crc), 4);
  write_file_atomically(path, b);
}

}  // namespace decent::train
