// Compressors for compressed gossip (CHOCO-SGD, docs/compression.md): what a node sends instead
// of a dense vector v, and how a receiver turns the bytes back into Q(v). The message is the
// real wire format (its size is what bytes_sent counts): a 24-byte header (kind, parameter,
// length, seed) and the compressed payload.
//
//   identity        v as it is (d values)
//   top-k:F         the k = max(1, round(F d)) largest |v_i|: k uint32 indices and k values
//   random-k:F      k values at indices drawn from the message's seed (the receiver draws the
//                   same indices): k values
//   qsgd:B          unbiased stochastic quantisation (QSGD) to B bits (2..8) per value: per chunk
//                   of C values its norm ||v||_2 and each value's signed level in -s..s,
//                   s = 2^(B-1) - 1, rounded up or down at random so that E Q(v) = v
//   int8            per chunk max|v| / 127 and each value rounded to an int8
//   fp16            each value rounded to IEEE half precision (saturating at +-65504)
//   sign            per chunk ||v||_1 / C and one sign bit per value
//   minmax8         per chunk min and max and each value rounded to one of 256 levels between
//                   them (BAGUA's low-precision gossip of differences)
//
// C (chunk=C) is 512 by default. Every random choice comes from the seed given to encode(), so a
// message is a function of (v, seed): runs are reproducible and resumable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace decent::algo {

enum class CompressorKind : std::uint32_t {
  identity = 1,
  top_k,
  random_k,
  qsgd,
  int8,
  fp16,
  sign,
  minmax8
};

struct CompressorSpec {
  CompressorKind kind = CompressorKind::identity;
  double fraction = 0;      // top-k, random-k: the share of values sent, in (0, 1]
  int bits = 0;             // qsgd: bits per value, 2..8
  std::size_t chunk = 512;  // qsgd, int8, sign, minmax8: values per scale
};

// Parses "identity", "top-k:0.01", "random-k:0.01", "qsgd:4", "int8", "fp16", "sign",
// "minmax8", each optionally with ",chunk=C". Throws InvalidArgument naming the bad part.
CompressorSpec parse_compressor(std::string_view spec);
// The canonical spec ("top-k:0.01", "qsgd:4,chunk=512").
std::string to_string(const CompressorSpec& spec);
// The kinds, for help texts and errors.
const std::vector<std::string>& compressor_names();

template <typename T>
class Compressor {
 public:
  explicit Compressor(CompressorSpec spec) : spec_(spec) {}
  virtual ~Compressor() = default;
  const CompressorSpec& spec() const { return spec_; }

  // Replaces `message` with the encoding of v; random choices (random-k, qsgd) come from seed.
  virtual void encode(std::span<const T> v, std::uint64_t seed,
                      std::vector<unsigned char>& message) const = 0;
  // out += weight * Q, the values the message stands for (out has the encoded length). Throws
  // CommunicationError for a message of another compressor, parameter or length.
  virtual void decode_add(std::span<const unsigned char> message, T weight,
                          std::span<T> out) const = 0;
  // The size of the message for d values (the same for every v).
  virtual std::size_t message_bytes(std::size_t d) const = 0;
  // Whether E Q(v) = v (qsgd); the others are biased (contractive) compressors.
  virtual bool unbiased() const { return false; }
  // What CHOCO scales Q by so that it contracts (E||aQ(v) - v||^2 < ||v||^2): 1, and for the
  // unbiased qsgd 1 / tau with tau = 1 + min(C / s^2, sqrt(C) / s) (Koloskova et al. 2019).
  virtual double contraction_scale() const { return 1; }

 protected:
  CompressorSpec spec_;
};

template <typename T>
std::unique_ptr<Compressor<T>> make_compressor(const CompressorSpec& spec);

// The size of a message's header: kind (uint32), parameter (uint32: k for top-k and random-k;
// chunk << 4 | bits for the quantisers), length of the vector (uint64), seed (uint64).
inline constexpr std::size_t kMessageHeaderBytes = 24;

// k of top-k and random-k for d values: max(1, round(fraction d)), at most d (0 when d is 0).
std::size_t kept_values(double fraction, std::size_t d);

// IEEE 754 binary16 conversions (round to nearest even; values beyond 65504 saturate).
std::uint16_t to_half(float value);
float from_half(std::uint16_t bits);

}  // namespace decent::algo
