#include "train/checkpoint.hpp"

#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.hpp"
#include "train/files.hpp"

namespace decent::train {
namespace {

constexpr char kMagic[8] = {'D', 'E', 'C', 'E', 'N', 'T', 'C', '2'};
constexpr char kMagicV1[8] = {'D', 'E', 'C', 'E', 'N', 'T', 'C', '1'};

class Writer {
 public:
  void raw(const void* p, std::size_t n) {
    if (n > 0) bytes.append(static_cast<const char*>(p), n);
  }
  void u64(std::uint64_t v) { raw(&v, 8); }
  void i64(std::int64_t v) { raw(&v, 8); }
  void str(const std::string& s) {
    u64(s.size());
    raw(s.data(), s.size());
  }
  template <class T>
  void vec(const std::vector<T>& v) {
    u64(v.size());
    raw(v.data(), v.size() * sizeof(T));
  }
  std::string bytes;
};

class Reader {
 public:
  Reader(const std::string& path, const std::string& bytes) : path_(path), b_(bytes) {}
  void raw(void* p, std::size_t n) {
    if (n > b_.size() - pos_)
      throw IoError("checkpoint " + path_ + ": truncated at byte offset " +
                    std::to_string(b_.size()) + ": expected " + std::to_string(n) +
                    " bytes from offset " + std::to_string(pos_));
    if (n > 0) std::memcpy(p, b_.data() + pos_, n);  // p is NULL for an empty vector
    pos_ += n;
  }
  std::uint64_t u64() {
    std::uint64_t v;
    raw(&v, 8);
    return v;
  }
  std::int64_t i64() {
    std::int64_t v;
    raw(&v, 8);
    return v;
  }
  std::string str() {
    const auto n = u64();
    check_len(n, 1);
    std::string s(n, '\0');
    raw(s.data(), n);
    return s;
  }
  template <class T>
  std::vector<T> vec() {
    const auto n = u64();
    check_len(n, sizeof(T));
    std::vector<T> v(n);
    raw(v.data(), n * sizeof(T));
    return v;
  }
  std::size_t pos() const { return pos_; }

 private:
  void check_len(std::uint64_t n, std::size_t size) {
    if (n > (b_.size() - pos_) / size)
      throw IoError("checkpoint " + path_ + ": corrupt length " + std::to_string(n) +
                    " at byte offset " + std::to_string(pos_ - 8));
  }
  std::string path_;
  const std::string& b_;
  std::size_t pos_ = 0;
};

std::uint32_t crc_of(const char* p, std::size_t n) {
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(p), static_cast<uInt>(n)));
}

}  // namespace

std::string checkpoint_path(const std::string& dir, int rank) {
  return (std::filesystem::path(dir) / ("node-" + std::to_string(rank) + ".ckpt")).string();
}

void save_checkpoint(const std::string& path, const NodeCheckpoint& c) {
  Writer w;
  w.raw(kMagic, 8);
  w.i64(c.step);
  w.i64(c.loader_epoch);
  w.i64(c.loader_batch);
  w.i64(c.rank);
  w.i64(c.nodes);
  w.str(c.model);
  w.str(c.algorithm);
  w.str(c.optimizer);
  w.vec(c.parameters);
  w.vec(c.buffers);
  w.vec(c.optimizer_state);
  w.u64(c.algorithm_state.size());
  for (const auto& a : c.algorithm_state) w.vec(a);
  w.u64(c.settings.size());
  for (const auto& [name, value] : c.settings) {
    w.str(name);
    w.str(value);
  }
  const auto crc = crc_of(w.bytes.data(), w.bytes.size());
  w.raw(&crc, 4);
  write_file_atomically(path, w.bytes);
}

NodeCheckpoint load_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("checkpoint " + path + ": cannot be opened");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const bool v1 = bytes.size() >= 12 && std::memcmp(bytes.data(), kMagicV1, 8) == 0;
  if (bytes.size() < 12 || (!v1 && std::memcmp(bytes.data(), kMagic, 8) != 0))
    throw IoError("checkpoint " + path + ": not a decent checkpoint (magic at byte offset 0)");
  std::uint32_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 4, 4);
  if (stored != crc_of(bytes.data(), bytes.size() - 4))
    throw IoError("checkpoint " + path + ": checksum mismatch (CRC-32 at byte offset " +
                  std::to_string(bytes.size() - 4) + "): the file is corrupt");
  const std::string body = bytes.substr(0, bytes.size() - 4);
  Reader r(path, body);
  char magic[8];
  r.raw(magic, 8);
  NodeCheckpoint c;
  c.step = r.i64();
  c.loader_epoch = r.i64();
  c.loader_batch = r.i64();
  c.rank = static_cast<std::int32_t>(r.i64());
  c.nodes = static_cast<std::int32_t>(r.i64());
  c.model = r.str();
  c.algorithm = r.str();
  c.optimizer = r.str();
  c.parameters = r.vec<float>();
  c.buffers = r.vec<float>();
  c.optimizer_state = r.vec<double>();
  const auto arrays = r.u64();
  if (arrays > 16) throw IoError("checkpoint " + path + ": corrupt algorithm state count");
  for (std::uint64_t i = 0; i < arrays; ++i) c.algorithm_state.push_back(r.vec<float>());
  if (!v1) {
    const auto count = r.u64();
    if (count > 1024) throw IoError("checkpoint " + path + ": corrupt settings count");
    for (std::uint64_t i = 0; i < count; ++i) {
      auto name = r.str();
      c.settings.emplace_back(std::move(name), r.str());
    }
  }
  if (r.pos() != body.size())
    throw IoError("checkpoint " + path + ": unexpected data after byte offset " +
                  std::to_string(r.pos()));
  return c;
}

}  // namespace decent::train
