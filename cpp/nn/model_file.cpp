#include "nn/model_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/error.hpp"
#include "nn/builders.hpp"

namespace decent::nn {
namespace {

constexpr char kMagic[9] = "DECENTM2";

std::uint32_t crc_of(std::string_view b) {
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(b.data()), static_cast<uInt>(b.size())));
}

class Reader {
 public:
  Reader(std::string_view b, const std::string& what) : b_(b), what_(what) {}
  void raw(void* out, std::size_t n, const char* field) {
    if (n > b_.size() - pos_)
      throw IoError(what_ + ": truncated at byte offset " + std::to_string(b_.size()) +
                    " (expected " + std::to_string(n) + " bytes of " + field + " from offset " +
                    std::to_string(pos_) + ")");
    if (n > 0) std::memcpy(out, b_.data() + pos_, n);
    pos_ += n;
  }
  std::int64_t i64(const char* field) {
    std::int64_t v;
    raw(&v, 8, field);
    return v;
  }
  std::size_t pos() const { return pos_; }

 private:
  std::string_view b_;
  const std::string& what_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string encode_model(const Model& m) {
  std::string b(kMagic, 8);
  auto put = [&b](std::int64_t v) { b.append(reinterpret_cast<const char*>(&v), 8); };
  put(static_cast<std::int64_t>(m.name().size()));
  b += m.name();
  for (auto d : m.input_dims()) put(d);
  put(m.classes());
  put(m.width_option());
  put(m.stem_option());
  const auto p = m.parameters_on_host();  // a model on any device
  const auto f = m.buffers_on_host();
  put(static_cast<std::int64_t>(p.size()));
  put(static_cast<std::int64_t>(f.size()));
  b.append(reinterpret_cast<const char*>(p.data()), p.size() * sizeof(float));
  b.append(reinterpret_cast<const char*>(f.data()), f.size() * sizeof(float));
  const auto crc = crc_of(b);
  b.append(reinterpret_cast<const char*>(&crc), 4);
  return b;
}

std::unique_ptr<Model> decode_model(std::string_view bytes, const std::string& what) {
  if (bytes.size() < 12 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    throw IoError(what + ": not a decent model file (magic at byte offset 0; expected " + kMagic +
                  (bytes.substr(0, 8) == "DECENTM1" ? ", this is 0.1.0's format 1, which lacks "
                                                      "the input shape"
                                                    : "") +
                  ")");
  std::uint32_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 4, 4);
  const auto body = bytes.substr(0, bytes.size() - 4);
  if (stored != crc_of(body))
    throw IoError(what + ": checksum mismatch (CRC-32 at byte offset " +
                  std::to_string(bytes.size() - 4) + "): the file is corrupt");
  Reader r(body, what);
  char magic[8];
  r.raw(magic, 8, "the magic number");
  const auto name_length = r.i64("the name length");
  if (name_length < 1 || name_length > 256)
    throw IoError(what + ": corrupt name length at byte offset 8");
  ModelSpec spec;
  spec.name.resize(static_cast<std::size_t>(name_length));
  r.raw(spec.name.data(), spec.name.size(), "the model name");
  spec.input = {r.i64("the channels"), r.i64("the height"), r.i64("the width")};
  spec.classes = r.i64("the classes");
  spec.width = r.i64("the first-stage width");
  const auto stem = r.i64("the stem");
  if (stem < 0 || stem > 2) throw IoError(what + ": corrupt stem " + std::to_string(stem));
  spec.stem = static_cast<Stem>(stem);
  const auto params = r.i64("the parameter count"), buffers = r.i64("the buffer count");
  const auto at = r.pos();
  auto model = build_model(spec);
  if (params != model->parameter_count() ||
      buffers != static_cast<std::int64_t>(model->buffers().size()))
    throw IoError(what + ": holds " + std::to_string(params) + " parameters and " +
                  std::to_string(buffers) + " buffer values (byte offset " +
                  std::to_string(at - 16) + "), but " + spec.name + " has " +
                  std::to_string(model->parameter_count()) + " and " +
                  std::to_string(model->buffers().size()));
  auto p = model->parameters();
  auto f = model->buffers();
  r.raw(p.data(), p.size_bytes(), "the parameters");
  r.raw(f.data(), f.size_bytes(), "the buffers");
  if (r.pos() != body.size())
    throw IoError(what + ": unexpected data after byte offset " + std::to_string(r.pos()));
  return model;
}

}  // namespace decent::nn
