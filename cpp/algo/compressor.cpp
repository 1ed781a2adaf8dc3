#include "algo/compressor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <unordered_set>

#include "core/error.hpp"
#include "core/parse.hpp"
#include "core/rng.hpp"

namespace decent::algo {
namespace {

struct KindName {
  CompressorKind kind;
  const char* name;
};
constexpr KindName kKinds[] = {
    {CompressorKind::identity, "identity"}, {CompressorKind::top_k, "top-k"},
    {CompressorKind::random_k, "random-k"}, {CompressorKind::qsgd, "qsgd"},
    {CompressorKind::int8, "int8"},         {CompressorKind::fp16, "fp16"},
    {CompressorKind::sign, "sign"},         {CompressorKind::minmax8, "minmax8"},
};

const char* kind_name(CompressorKind kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return k.name;
  return "?";
}

bool chunked(CompressorKind kind) {
  return kind == CompressorKind::qsgd || kind == CompressorKind::int8 ||
         kind == CompressorKind::sign || kind == CompressorKind::minmax8;
}

// Appends raw bytes of trivially copyable values (the wire is little-endian x86-64 / aarch64,
// as every host decent builds for).
template <typename V>
void put(std::vector<unsigned char>& out, const V& value) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(&value);
  out.insert(out.end(), bytes, bytes + sizeof(V));
}
template <typename V>
V get(const unsigned char* at) {
  V value;
  std::memcpy(&value, at, sizeof(V));
  return value;
}

// Packs values of `bits` bits, least significant first.
class BitWriter {
 public:
  BitWriter(std::vector<unsigned char>& out, int bits) : out_(out), bits_(bits) {}
  void put(std::uint32_t value) {
    acc_ |= static_cast<std::uint64_t>(value) << used_;
    used_ += bits_;
    while (used_ >= 8) {
      out_.push_back(static_cast<unsigned char>(acc_ & 0xFF));
      acc_ >>= 8;
      used_ -= 8;
    }
  }
  void flush() {
    if (used_ > 0) out_.push_back(static_cast<unsigned char>(acc_ & 0xFF));
    acc_ = 0;
    used_ = 0;
  }

 private:
  std::vector<unsigned char>& out_;
  int bits_;
  std::uint64_t acc_ = 0;
  int used_ = 0;
};

class BitReader {
 public:
  BitReader(const unsigned char* at, int bits) : at_(at), bits_(bits) {}
  std::uint32_t get() {
    while (have_ < bits_) {
      acc_ |= static_cast<std::uint64_t>(*at_++) << have_;
      have_ += 8;
    }
    const auto value = static_cast<std::uint32_t>(acc_ & ((std::uint64_t{1} << bits_) - 1));
    acc_ >>= bits_;
    have_ -= bits_;
    return value;
  }

 private:
  const unsigned char* at_;
  int bits_;
  std::uint64_t acc_ = 0;
  int have_ = 0;
};

std::size_t packed_bytes(std::size_t values, int bits) {
  return (values * static_cast<std::size_t>(bits) + 7) / 8;
}

template <typename T>
class Base : public Compressor<T> {
 public:
  using Compressor<T>::Compressor;

  void encode(std::span<const T> v, std::uint64_t seed,
              std::vector<unsigned char>& message) const final {
    if (v.size() > std::numeric_limits<std::uint32_t>::max())
      throw InvalidArgument(fmt::format("compressor {}: {} values; at most 2^32 - 1 per message",
                                        to_string(this->spec_), v.size()));
    message.clear();
    message.reserve(message_bytes(v.size()));
    put(message, static_cast<std::uint32_t>(this->spec_.kind));
    put(message, parameter(v.size()));
    put(message, static_cast<std::uint64_t>(v.size()));
    put(message, seed);
    encode_payload(v, seed, message);
  }

  void decode_add(std::span<const unsigned char> message, T weight, std::span<T> out) const final {
    const std::size_t d = out.size();
    auto refuse = [&](const std::string& why) {
      throw CommunicationError(
          fmt::format("compressed message ({} bytes): {}; this node decodes {} of {} values",
                      message.size(), why, to_string(this->spec_), d));
    };
    if (message.size() < kMessageHeaderBytes) refuse("shorter than its header");
    const auto kind = get<std::uint32_t>(message.data());
    const auto param = get<std::uint32_t>(message.data() + 4);
    const auto length = get<std::uint64_t>(message.data() + 8);
    if (kind != static_cast<std::uint32_t>(this->spec_.kind))
      refuse(
          fmt::format("made by compressor kind {}", kind_name(static_cast<CompressorKind>(kind))));
    if (length != d) refuse(fmt::format("of {} values", length));
    if (param != parameter(d)) refuse(fmt::format("with parameter {}", param));
    if (message.size() != message_bytes(d))
      refuse(fmt::format("expected {} bytes", message_bytes(d)));
    decode_payload(message.data() + kMessageHeaderBytes, get<std::uint64_t>(message.data() + 16),
                   weight, out);
  }

  std::size_t message_bytes(std::size_t d) const final {
    return kMessageHeaderBytes + payload_bytes(d);
  }

 protected:
  virtual std::uint32_t parameter(std::size_t d) const {
    (void)d;
    return static_cast<std::uint32_t>(this->spec_.bits);
  }
  virtual std::size_t payload_bytes(std::size_t d) const = 0;
  virtual void encode_payload(std::span<const T> v, std::uint64_t seed,
                              std::vector<unsigned char>& out) const = 0;
  virtual void decode_payload(const unsigned char* at, std::uint64_t seed, T weight,
                              std::span<T> out) const = 0;
  std::size_t chunks(std::size_t d) const {
    return (d + this->spec_.chunk - 1) / this->spec_.chunk;
  }
};

template <typename T>
class Identity final : public Base<T> {
 public:
  using Base<T>::Base;

 protected:
  std::size_t payload_bytes(std::size_t d) const override { return d * sizeof(T); }
  void encode_payload(std::span<const T> v, std::uint64_t,
                      std::vector<unsigned char>& out) const override {
    const auto* bytes = reinterpret_cast<const unsigned char*>(v.data());
    out.insert(out.end(), bytes, bytes + v.size() * sizeof(T));
  }
  void decode_payload(const unsigned char* at, std::uint64_t, T weight,
                      std::span<T> out) const override {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] += weight * get<T>(at + i * sizeof(T));
  }
};

// top-k and random-k: k values of v at chosen indices. top-k sends the indices; random-k draws
// them from the seed on both sides.
template <typename T>
class Sparse final : public Base<T> {
 public:
  Sparse(CompressorSpec spec, bool random) : Base<T>(spec), random_(random) {}

 protected:
  std::uint32_t parameter(std::size_t d) const override {
    return static_cast<std::uint32_t>(kept_values(this->spec_.fraction, d));
  }
  std::size_t payload_bytes(std::size_t d) const override {
    const std::size_t k = kept_values(this->spec_.fraction, d);
    return k * sizeof(T) + (random_ ? 0 : k * sizeof(std::uint32_t));
  }
  void encode_payload(std::span<const T> v, std::uint64_t seed,
                      std::vector<unsigned char>& out) const override {
    const auto indices = random_ ? random_indices(v.size(), seed) : largest(v);
    if (!random_)
      for (auto i : indices) put(out, i);
    for (auto i : indices) put(out, v[i]);
  }
  void decode_payload(const unsigned char* at, std::uint64_t seed, T weight,
                      std::span<T> out) const override {
    const std::size_t k = kept_values(this->spec_.fraction, out.size());
    std::vector<std::uint32_t> indices;
    if (random_) {
      indices = random_indices(out.size(), seed);
    } else {
      indices.resize(k);
      for (std::size_t j = 0; j < k; ++j) {
        indices[j] = get<std::uint32_t>(at + j * sizeof(std::uint32_t));
        if (indices[j] >= out.size())
          throw CommunicationError(fmt::format(
              "compressed message: index {} of a vector of {} values", indices[j], out.size()));
      }
      at += k * sizeof(std::uint32_t);
    }
    for (std::size_t j = 0; j < k; ++j) out[indices[j]] += weight * get<T>(at + j * sizeof(T));
  }

 private:
  // The k largest |v_i| (ties: the lower index), in increasing index order.
  std::vector<std::uint32_t> largest(std::span<const T> v) const {
    const std::size_t k = kept_values(this->spec_.fraction, v.size());
    std::vector<std::uint32_t> order(v.size());
    std::iota(order.begin(), order.end(), 0u);
    auto larger = [&](std::uint32_t a, std::uint32_t b) {
      const T fa = std::abs(v[a]), fb = std::abs(v[b]);
      return fa > fb || (fa == fb && a < b);
    };
    if (k < order.size())
      std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                       larger);
    order.resize(k);
    std::sort(order.begin(), order.end());
    return order;
  }
  // k distinct indices of [0, d) drawn from the seed (Floyd's algorithm), in increasing order.
  std::vector<std::uint32_t> random_indices(std::size_t d, std::uint64_t seed) const {
    const std::size_t k = kept_values(this->spec_.fraction, d);
    Rng rng(seed);
    std::unordered_set<std::uint32_t> chosen;
    chosen.reserve(k * 2);
    std::vector<std::uint32_t> out;
    out.reserve(k);
    for (std::size_t j = d - k; j < d; ++j) {
      auto t = static_cast<std::uint32_t>(rng.next_u64() % (j + 1));
      if (!chosen.insert(t).second) {
        t = static_cast<std::uint32_t>(j);
        chosen.insert(t);
      }
      out.push_back(t);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  bool random_;
};

// The per-chunk quantisers: a scale (or two) per chunk of C values and a few bits per value.
template <typename T>
class Quantizer final : public Base<T> {
 public:
  explicit Quantizer(CompressorSpec spec) : Base<T>(spec) {}

  bool unbiased() const override { return this->spec_.kind == CompressorKind::qsgd; }
  // The chunk and the bits: a node that quantises otherwise is refused by name.
  std::uint32_t parameter(std::size_t) const override {
    return static_cast<std::uint32_t>(this->spec_.chunk << 4 |
                                      static_cast<std::size_t>(this->spec_.bits));
  }
  double contraction_scale() const override {
    if (this->spec_.kind != CompressorKind::qsgd) return 1;
    const double s = levels(), c = static_cast<double>(this->spec_.chunk);
    return 1 / (1 + std::min(c / (s * s), std::sqrt(c) / s));
  }

 protected:
  std::size_t payload_bytes(std::size_t d) const override {
    return this->chunks(d) * scales() * sizeof(T) + packed_bytes(d, value_bits());
  }
  void encode_payload(std::span<const T> v, std::uint64_t seed,
                      std::vector<unsigned char>& out) const override {
    const std::size_t c = this->spec_.chunk, d = v.size();
    std::vector<T> scale_values;
    for (std::size_t b = 0; b < d; b += c) {
      const auto chunk = v.subspan(b, std::min(c, d - b));
      for (T s : chunk_scales(chunk)) scale_values.push_back(s);
    }
    for (T s : scale_values) put(out, s);
    BitWriter bits(out, value_bits());
    Rng rng(seed);
    for (std::size_t b = 0, at = 0; b < d; b += c, at += scales()) {
      const auto chunk = v.subspan(b, std::min(c, d - b));
      for (T x : chunk) bits.put(code(x, &scale_values[at], rng));
    }
    bits.flush();
  }
  void decode_payload(const unsigned char* at, std::uint64_t, T weight,
                      std::span<T> out) const override {
    const std::size_t c = this->spec_.chunk, d = out.size();
    const std::size_t n_scales = this->chunks(d) * scales();
    std::vector<T> scale_values(n_scales);
    for (std::size_t j = 0; j < n_scales; ++j) scale_values[j] = get<T>(at + j * sizeof(T));
    BitReader bits(at + n_scales * sizeof(T), value_bits());
    for (std::size_t b = 0, s = 0; b < d; b += c, s += scales())
      for (std::size_t i = b; i < std::min(d, b + c); ++i)
        out[i] += weight * value(bits.get(), &scale_values[s]);
  }

 private:
  CompressorKind kind() const { return this->spec_.kind; }
  double levels() const { return static_cast<double>((1 << (this->spec_.bits - 1)) - 1); }
  std::size_t scales() const { return kind() == CompressorKind::minmax8 ? 2 : 1; }
  int value_bits() const {
    switch (kind()) {
      case CompressorKind::qsgd: return this->spec_.bits;
      case CompressorKind::sign: return 1;
      default: return 8;  // int8, minmax8
    }
  }
  std::vector<T> chunk_scales(std::span<const T> chunk) const {
    switch (kind()) {
      case CompressorKind::qsgd: {
        double sum = 0;
        for (T x : chunk) sum += static_cast<double>(x) * static_cast<double>(x);
        return {static_cast<T>(std::sqrt(sum))};
      }
      case CompressorKind::int8: {
        T m = 0;
        for (T x : chunk) m = std::max(m, std::abs(x));
        return {m / T{127}};
      }
      case CompressorKind::sign: {
        double sum = 0;
        for (T x : chunk) sum += std::abs(static_cast<double>(x));
        return {static_cast<T>(sum / static_cast<double>(chunk.size()))};
      }
      default: {  // minmax8
        const auto [lo, hi] = std::minmax_element(chunk.begin(), chunk.end());
        return {*lo, *hi};
      }
    }
  }
  std::uint32_t code(T x, const T* scale, Rng& rng) const {
    switch (kind()) {
      case CompressorKind::qsgd: {
        const double s = levels();
        const double norm = static_cast<double>(scale[0]);
        const double a = norm > 0 ? std::abs(static_cast<double>(x)) / norm * s : 0.0;
        const double low = std::floor(a);
        // Up with probability a - low: E[level] = a, so E[Q(x)] = x.
        double level = low + (rng.uniform() < a - low ? 1.0 : 0.0);
        level = std::min(level, s);
        const double signed_level = x < 0 ? -level : level;
        return static_cast<std::uint32_t>(signed_level + s);
      }
      case CompressorKind::int8: {
        const double q = scale[0] > 0 ? std::nearbyint(static_cast<double>(x / scale[0])) : 0.0;
        return static_cast<std::uint32_t>(std::clamp(q, -127.0, 127.0) + 127.0);
      }
      case CompressorKind::sign: return x < 0 ? 1u : 0u;
      default: {  // minmax8
        const double range = static_cast<double>(scale[1]) - static_cast<double>(scale[0]);
        const double q =
            range > 0 ? std::nearbyint((static_cast<double>(x) - scale[0]) / range * 255.0) : 0.0;
        return static_cast<std::uint32_t>(std::clamp(q, 0.0, 255.0));
      }
    }
  }
  T value(std::uint32_t code, const T* scale) const {
    switch (kind()) {
      case CompressorKind::qsgd: {
        const double s = levels();
        return static_cast<T>((static_cast<double>(code) - s) * static_cast<double>(scale[0]) / s);
      }
      case CompressorKind::int8:
        return static_cast<T>(static_cast<double>(code) - 127.0) * scale[0];
      case CompressorKind::sign: return code ? -scale[0] : scale[0];
      default:  // minmax8
        return static_cast<T>(static_cast<double>(scale[0]) +
                              static_cast<double>(code) *
                                  (static_cast<double>(scale[1]) - static_cast<double>(scale[0])) /
                                  255.0);
    }
  }
};

template <typename T>
class Half final : public Base<T> {
 public:
  using Base<T>::Base;

 protected:
  std::size_t payload_bytes(std::size_t d) const override { return d * 2; }
  void encode_payload(std::span<const T> v, std::uint64_t,
                      std::vector<unsigned char>& out) const override {
    for (T x : v) put(out, to_half(static_cast<float>(x)));
  }
  void decode_payload(const unsigned char* at, std::uint64_t, T weight,
                      std::span<T> out) const override {
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] += weight * static_cast<T>(from_half(get<std::uint16_t>(at + 2 * i)));
  }
};

CompressorKind kind_from_name(std::string_view name) {
  for (const auto& k : kKinds)
    if (name == k.name) return k.kind;
  std::string hint;
  for (const auto& k : kKinds)
    if (edit_distance(name, k.name) <= 2) hint = fmt::format(" (did you mean {}?)", k.name);
  throw InvalidArgument(fmt::format("compressor \"{}\": unknown{}; expected one of {}", name, hint,
                                    join(compressor_names())));
}

}  // namespace

const std::vector<std::string>& compressor_names() {
  static const std::vector<std::string> names = {"identity", "top-k:F", "random-k:F", "qsgd:B",
                                                 "int8",     "fp16",    "sign",       "minmax8"};
  return names;
}

std::size_t kept_values(double fraction, std::size_t d) {
  if (d == 0) return 0;
  const double k = std::round(fraction * static_cast<double>(d));
  return std::clamp(static_cast<std::size_t>(std::max(k, 1.0)), std::size_t{1}, d);
}

CompressorSpec parse_compressor(std::string_view text) {
  const auto items = split(text, ',');
  if (items.empty()) throw InvalidArgument("compressor \"\": empty; expected e.g. top-k:0.01");
  CompressorSpec spec;
  const auto head = items[0];
  const auto colon = head.find(':');
  spec.kind = kind_from_name(trim(std::string_view(head).substr(0, colon)));
  const std::string what = fmt::format("compressor \"{}\"", text);
  const bool takes_fraction =
      spec.kind == CompressorKind::top_k || spec.kind == CompressorKind::random_k;
  const bool takes_bits = spec.kind == CompressorKind::qsgd;
  if (colon == std::string::npos) {
    if (takes_fraction || takes_bits)
      throw InvalidArgument(fmt::format("{}: needs its {}, e.g. {}", what,
                                        takes_bits ? "bits" : "fraction",
                                        takes_bits ? "qsgd:4" : "top-k:0.01"));
  } else {
    const auto value = std::string_view(head).substr(colon + 1);
    if (takes_fraction) {
      spec.fraction = parse_double(value, what + " fraction");
      if (!(spec.fraction > 0 && spec.fraction <= 1))
        throw InvalidArgument(
            fmt::format("{}: fraction {}: expected 0 < fraction <= 1", what, spec.fraction));
    } else if (takes_bits) {
      const auto bits = parse_int(value, what + " bits");
      if (bits < 2 || bits > 8)
        throw InvalidArgument(fmt::format("{}: {} bits: expected 2 to 8", what, bits));
      spec.bits = static_cast<int>(bits);
    } else {
      throw InvalidArgument(fmt::format("{}: {} takes no value", what, kind_name(spec.kind)));
    }
  }
  for (std::size_t i = 1; i < items.size(); ++i) {
    const auto eq = items[i].find('=');
    const auto key = trim(std::string_view(items[i]).substr(0, eq));
    if (eq == std::string::npos || key != "chunk" || !chunked(spec.kind))
      throw InvalidArgument(
          fmt::format("{}: \"{}\": unknown item; {}", what, items[i],
                      chunked(spec.kind) ? "expected chunk=C" : "this compressor takes no items"));
    const auto chunk = parse_int(std::string_view(items[i]).substr(eq + 1), what + " chunk");
    if (chunk < 1 || chunk > (1 << 24))
      throw InvalidArgument(fmt::format("{}: chunk {}: expected 1 to 2^24", what, chunk));
    spec.chunk = static_cast<std::size_t>(chunk);
  }
  return spec;
}

std::string to_string(const CompressorSpec& spec) {
  std::string s = kind_name(spec.kind);
  if (spec.kind == CompressorKind::top_k || spec.kind == CompressorKind::random_k)
    s += fmt::format(":{}", spec.fraction);
  if (spec.kind == CompressorKind::qsgd) s += fmt::format(":{}", spec.bits);
  if (chunked(spec.kind) && spec.chunk != CompressorSpec{}.chunk)
    s += fmt::format(",chunk={}", spec.chunk);
  return s;
}

template <typename T>
std::unique_ptr<Compressor<T>> make_compressor(const CompressorSpec& spec) {
  switch (spec.kind) {
    case CompressorKind::identity: return std::make_unique<Identity<T>>(spec);
    case CompressorKind::top_k: return std::make_unique<Sparse<T>>(spec, false);
    case CompressorKind::random_k: return std::make_unique<Sparse<T>>(spec, true);
    case CompressorKind::fp16: return std::make_unique<Half<T>>(spec);
    default: return std::make_unique<Quantizer<T>>(spec);
  }
}
template std::unique_ptr<Compressor<float>> make_compressor<float>(const CompressorSpec&);
template std::unique_ptr<Compressor<double>> make_compressor<double>(const CompressorSpec&);

std::uint16_t to_half(float value) {
  const auto f = std::bit_cast<std::uint32_t>(value);
  const std::uint32_t sign = (f >> 16) & 0x8000u;
  const std::uint32_t abs = f & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) return static_cast<std::uint16_t>(sign | 0x7E00u);  // NaN
  // 65504 is the largest half; everything at or above it (infinity too) saturates.
  if (abs >= 0x477FE000u) return static_cast<std::uint16_t>(sign | 0x7BFFu);
  if (abs < 0x38800000u) {  // below the smallest normal half (2^-14): subnormal or zero
    // value * 2^24 rounded to nearest even is the subnormal's integer significand.
    const float scaled = std::bit_cast<float>(abs) * 16777216.0f;
    return static_cast<std::uint16_t>(sign | static_cast<std::uint32_t>(std::nearbyint(scaled)));
  }
  // Normal: rebias the exponent (127 -> 15) and round the 23-bit mantissa to 10, to nearest
  // even; a carry out of the mantissa correctly bumps the exponent.
  std::uint32_t half = ((abs >> 13) - ((127 - 15) << 10));
  const std::uint32_t rest = abs & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;
  return static_cast<std::uint16_t>(sign | half);
}

float from_half(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1Fu;
  const std::uint32_t mantissa = bits & 0x3FFu;
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24
    const float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 31) return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

}  // namespace decent::algo
