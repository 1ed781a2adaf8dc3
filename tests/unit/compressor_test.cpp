// The compressors of compressed gossip (cpp/algo/compressor.hpp) against independent reasons:
// top-k against a full sort, the unbiased quantiser's mean and variance against their closed
// forms (Monte Carlo), random-k's expectation (k/d) v and residual (1 - k/d)||v||^2, fp16
// against the compiler's _Float16, the per-chunk error bounds of int8 and minmax8, sign's closed
// form, and the exact message sizes that bytes_sent reports.
#include "algo/compressor.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"

using namespace decent;
using namespace decent::algo;

namespace {

template <typename T>
std::vector<T> random_vector(std::size_t d, std::uint64_t seed, double scale = 1) {
  Rng rng(seed);
  std::vector<T> v(d);
  for (auto& x : v) x = static_cast<T>(scale * (2 * rng.uniform() - 1));
  return v;
}

// Q(v) through encode and decode_add into zeros.
template <typename T>
std::vector<T> round_trip(const Compressor<T>& c, const std::vector<T>& v, std::uint64_t seed,
                          std::vector<unsigned char>* message_out = nullptr) {
  std::vector<unsigned char> message;
  c.encode(v, seed, message);
  std::vector<T> q(v.size(), T{0});
  c.decode_add(message, T{1}, q);
  if (message_out) *message_out = message;
  return q;
}

template <typename T>
std::unique_ptr<Compressor<T>> make(const char* spec) {
  return make_compressor<T>(parse_compressor(spec));
}

}  // namespace

TEST_CASE("compressor specs: parsed, named canonically, and refused with the reason") {
  CHECK(to_string(parse_compressor("top-k:0.01")) == "top-k:0.01");
  CHECK(to_string(parse_compressor("qsgd:4")) == "qsgd:4");
  CHECK(to_string(parse_compressor("qsgd:4,chunk=128")) == "qsgd:4,chunk=128");
  CHECK(to_string(parse_compressor("minmax8, chunk = 512")) == "minmax8");
  CHECK(parse_compressor("random-k:0.5").fraction == 0.5);
  CHECK_THROWS_WITH_AS(parse_compressor("topk:0.1"), doctest::Contains("did you mean top-k"),
                       InvalidArgument);
  CHECK_THROWS_WITH_AS(parse_compressor("qsgd:9"), doctest::Contains("9 bits: expected 2 to 8"),
                       InvalidArgument);
  CHECK_THROWS_WITH_AS(parse_compressor("qsgd"), doctest::Contains("needs its bits"),
                       InvalidArgument);
  CHECK_THROWS_WITH_AS(parse_compressor("top-k:0"), doctest::Contains("0 < fraction <= 1"),
                       InvalidArgument);
  CHECK_THROWS_WITH_AS(parse_compressor("top-k:1.5"), doctest::Contains("0 < fraction <= 1"),
                       InvalidArgument);
  CHECK_THROWS_WITH_AS(parse_compressor("int8:3"), doctest::Contains("takes no value"),
                       InvalidArgument);
  CHECK_THROWS_WITH_AS(parse_compressor("sign,chunk=0"), doctest::Contains("chunk 0"),
                       InvalidArgument);
  CHECK_THROWS_WITH_AS(parse_compressor("top-k:0.1,chunk=4"), doctest::Contains("takes no items"),
                       InvalidArgument);
}

TEST_CASE("compressed messages have the documented sizes: header plus payload") {
  const std::size_t d = 1000, h = kMessageHeaderBytes;
  CHECK(h == 24);
  CHECK(make<float>("identity")->message_bytes(d) == h + 4000);
  CHECK(make<double>("identity")->message_bytes(d) == h + 8000);
  CHECK(make<float>("top-k:0.01")->message_bytes(d) == h + 10 * (4 + 4));
  CHECK(make<float>("random-k:0.01")->message_bytes(d) == h + 10 * 4);
  CHECK(make<float>("qsgd:4")->message_bytes(d) == h + 2 * 4 + 500);  // 2 chunks of 512
  CHECK(make<float>("qsgd:2")->message_bytes(d) == h + 2 * 4 + 250);
  CHECK(make<float>("int8")->message_bytes(d) == h + 2 * 4 + 1000);
  CHECK(make<float>("fp16")->message_bytes(d) == h + 2000);
  CHECK(make<float>("sign")->message_bytes(d) == h + 2 * 4 + 125);
  CHECK(make<float>("minmax8")->message_bytes(d) == h + 2 * 2 * 4 + 1000);
  // And encode writes exactly that many bytes.
  for (const char* spec : {"identity", "top-k:0.01", "random-k:0.3", "qsgd:3", "int8", "fp16",
                           "sign", "minmax8,chunk=100"}) {
    const auto c = make<float>(spec);
    std::vector<unsigned char> m;
    c->encode(random_vector<float>(d, 3), 7, m);
    CHECK_MESSAGE(m.size() == c->message_bytes(d), spec);
  }
}

TEST_CASE("identity and decode_add: out += weight * v exactly") {
  const auto v = random_vector<double>(37, 1);
  const auto c = make<double>("identity");
  std::vector<unsigned char> m;
  c->encode(v, 0, m);
  std::vector<double> out(v.size(), 1.0);
  c->decode_add(m, 0.25, out);
  for (std::size_t i = 0; i < v.size(); ++i) CHECK(out[i] == 1.0 + 0.25 * v[i]);
}

TEST_CASE("top-k keeps exactly the k largest magnitudes, so its residual is at most (1-k/d)|v|^2") {
  for (std::size_t d : {1u, 7u, 100u, 1001u}) {
    const double dd = static_cast<double>(d);
    for (double f : {0.01, 0.1, 0.5, 1.0}) {
      const auto v = random_vector<float>(d, d + 11);
      const auto c = make_compressor<float>({CompressorKind::top_k, f});
      const auto q = round_trip(*c, v, 0);
      const std::size_t k = std::max<std::size_t>(1, static_cast<std::size_t>(std::round(f * dd)));
      // The reference: a full sort by magnitude.
      std::vector<std::size_t> order(d);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](auto a, auto b) { return std::abs(v[a]) > std::abs(v[b]); });
      std::vector<float> expected(d, 0);
      for (std::size_t j = 0; j < std::min(k, d); ++j) expected[order[j]] = v[order[j]];
      CHECK(q == expected);
      double residual = 0, norm = 0;
      for (std::size_t i = 0; i < d; ++i) {
        residual += std::pow(q[i] - v[i], 2);
        norm += std::pow(v[i], 2);
      }
      CHECK(residual <= (1 - static_cast<double>(k) / dd) * norm + 1e-12);
    }
  }
}

TEST_CASE(
    "random-k: the receiver draws the sender's indices, and E Q(v) = (k/d) v and E residual = "
    "(1-k/d)|v|^2") {
  const std::size_t d = 40;
  const auto v = random_vector<double>(d, 5);
  const auto c = make<double>("random-k:0.25");
  const double p = 10.0 / d;  // k = 10
  const int draws = 20000;
  std::vector<double> mean(d, 0);
  double residual = 0, norm = 0;
  for (double x : v) norm += x * x;
  for (int s = 0; s < draws; ++s) {
    const auto q = round_trip(*c, v, 1000 + s);
    int kept = 0;
    for (std::size_t i = 0; i < d; ++i) {
      mean[i] += q[i] / draws;
      if (q[i] != 0) {
        ++kept;
        CHECK(q[i] == v[i]);  // values travel unchanged
      } else {
        residual += v[i] * v[i] / draws;
      }
    }
    REQUIRE(kept == 10);
  }
  // Each coordinate is kept with probability p: the mean's standard error is |v_i| sqrt(p(1-p)/N).
  for (std::size_t i = 0; i < d; ++i)
    CHECK(std::abs(mean[i] - p * v[i]) <= 4 * std::abs(v[i]) * std::sqrt(p * (1 - p) / draws));
  CHECK(residual == doctest::Approx((1 - p) * norm).epsilon(0.02));
  // Same seed, same message; another seed, other indices.
  CHECK(round_trip(*c, v, 9) == round_trip(*c, v, 9));
  CHECK(round_trip(*c, v, 9) != round_trip(*c, v, 10));
}

TEST_CASE("qsgd is unbiased and its variance is the closed form (|v|/s)^2 tau (1 - tau)") {
  // One chunk of 16 values; with s levels, |v_i| s / |v| = l + tau, and the value is rounded to
  // l or l + 1 (times |v| / s) with probabilities 1 - tau and tau.
  for (int bits : {2, 4}) {
    const auto c = make_compressor<double>({CompressorKind::qsgd, 0, bits, 16});
    REQUIRE(c->unbiased());
    const double s = (1 << (bits - 1)) - 1;
    const auto v = random_vector<double>(16, 77 + bits);
    double norm = 0;
    for (double x : v) norm += x * x;
    norm = std::sqrt(norm);
    const int draws = 40000;
    std::vector<double> sum(16, 0), squares(16, 0);
    for (int k = 0; k < draws; ++k) {
      const auto q = round_trip(*c, v, 5000 + k);
      for (std::size_t i = 0; i < 16; ++i) {
        sum[i] += q[i];
        squares[i] += q[i] * q[i];
      }
    }
    for (std::size_t i = 0; i < 16; ++i) {
      const double a = std::abs(v[i]) * s / norm, tau = a - std::floor(a);
      const double variance = std::pow(norm / s, 2) * tau * (1 - tau);
      const double mean = sum[i] / draws;
      const double sample_variance = squares[i] / draws - mean * mean;
      CHECK(std::abs(mean - v[i]) <= 5 * std::sqrt(variance / draws) + 1e-12);
      if (tau > 0.05 && tau < 0.95)
        CHECK(sample_variance == doctest::Approx(variance).epsilon(0.05));
    }
    // CHOCO's scale 1/tau with tau = 1 + min(C/s^2, sqrt(C)/s) (Koloskova et al. 2019).
    CHECK(c->contraction_scale() ==
          doctest::Approx(1 / (1 + std::min(16 / (s * s), 4 / s))).epsilon(1e-15));
  }
}

TEST_CASE("int8, sign and minmax8 per chunk: within half a level, and sign's closed form") {
  const std::size_t d = 1000, chunk = 64;
  const auto v = random_vector<float>(d, 21, 3.0);
  const auto int8 = round_trip(*make<float>("int8,chunk=64"), v, 0);
  const auto sign = round_trip(*make<float>("sign,chunk=64"), v, 0);
  const auto mm = round_trip(*make<float>("minmax8,chunk=64"), v, 0);
  for (std::size_t b = 0; b < d; b += chunk) {
    const std::size_t e = std::min(d, b + chunk);
    float max_abs = 0, lo = v[b], hi = v[b];
    double l1 = 0;
    for (std::size_t i = b; i < e; ++i) {
      max_abs = std::max(max_abs, std::abs(v[i]));
      lo = std::min(lo, v[i]);
      hi = std::max(hi, v[i]);
      l1 += std::abs(v[i]);
    }
    for (std::size_t i = b; i < e; ++i) {
      CHECK(std::abs(int8[i] - v[i]) <= max_abs / 127 / 2 * (1 + 1e-5));
      CHECK(std::abs(mm[i] - v[i]) <= (hi - lo) / 255 / 2 * (1 + 1e-5));
      const float expected = static_cast<float>(l1 / static_cast<double>(e - b));
      CHECK(sign[i] == (v[i] < 0 ? -expected : expected));
    }
  }
  // The extremes of a chunk travel exactly in minmax8.
  const auto lo = std::min_element(v.begin(), v.begin() + 64) - v.begin();
  CHECK(mm[static_cast<std::size_t>(lo)] == v[static_cast<std::size_t>(lo)]);
}

TEST_CASE("fp16 rounds as the compiler's _Float16 does, and saturates at 65504") {
  std::vector<float> values = {0.0f,      -0.0f,    1.0f,          -2.5f,          65504.0f,
                               65519.0f,  1e6f,     -1e30f,        6.1e-5f,        5.96e-8f,
                               3e-8f,     2.98e-8f, 1.0009765625f, 1.00048828125f, 1.00146484375f,
                               0.333333f, 1e-4f,    -7.5e-6f};
  Rng rng(3);
  for (int i = 0; i < 100000; ++i)
    values.push_back(
        static_cast<float>((2 * rng.uniform() - 1) * std::pow(2.0, 40 * rng.uniform() - 26)));
  for (float x : values) {
    const float back = from_half(to_half(x));
    if (std::abs(x) >= 65504.0f) {
      CHECK(back == std::copysign(65504.0f, x));
      continue;
    }
#ifdef __FLT16_MAX__
    const float reference = static_cast<float>(static_cast<_Float16>(x));
    CHECK_MESSAGE(std::bit_cast<std::uint32_t>(back) == std::bit_cast<std::uint32_t>(reference), x);
#else
    CHECK(std::abs(back - x) <= std::abs(x) * 0x1p-11f + 0x1p-25f);
#endif
  }
  CHECK(std::isnan(from_half(to_half(std::nanf("")))));
}

TEST_CASE("a message of another compressor, length or size is refused by name") {
  const auto v = random_vector<float>(100, 1);
  std::vector<unsigned char> m;
  make<float>("top-k:0.1")->encode(v, 0, m);
  std::vector<float> out(100), shorter(99);
  CHECK_THROWS_WITH_AS(make<float>("random-k:0.1")->decode_add(m, 1, out),
                       doctest::Contains("made by compressor kind top-k"), CommunicationError);
  CHECK_THROWS_WITH_AS(make<float>("top-k:0.1")->decode_add(m, 1, shorter),
                       doctest::Contains("of 100 values"), CommunicationError);
  CHECK_THROWS_WITH_AS(make<float>("top-k:0.2")->decode_add(m, 1, out),
                       doctest::Contains("with parameter 10"), CommunicationError);
  m.pop_back();
  CHECK_THROWS_WITH_AS(make<float>("top-k:0.1")->decode_add(m, 1, out),
                       doctest::Contains("expected 104 bytes"), CommunicationError);
  std::vector<unsigned char> tiny(3);
  CHECK_THROWS_WITH_AS(make<float>("int8")->decode_add(tiny, 1, out),
                       doctest::Contains("shorter than its header"), CommunicationError);
  std::vector<unsigned char> q;
  make<float>("qsgd:4,chunk=64")->encode(v, 0, q);
  CHECK_THROWS_WITH_AS(make<float>("qsgd:4")->decode_add(q, 1, out),
                       doctest::Contains("with parameter"), CommunicationError);
}
