#include "optim/optimizer.hpp"

#include <cmath>

#include "core/device_buffer.hpp"
#include "core/error.hpp"

namespace decent::optim {
namespace {

// The optimizers whose state is one velocity per parameter (sgd, lars).
class WithVelocity : public Optimizer {
 public:
  WithVelocity(const OptimizerOptions& o, std::int64_t d, const VectorOps<float>& ops)
      : o_(o), ops_(ops), v_(static_cast<std::size_t>(d), ops.device()) {}
  std::vector<double> state() const override {
    const auto v = v_.to_host();
    return {v.begin(), v.end()};
  }
  void set_state(std::span<const double> s) override {
    if (s.size() != v_.size()) throw InvalidArgument(o_.name + " state: wrong size");
    v_.from_host(std::vector<float>(s.begin(), s.end()));
  }

 protected:
  OptimizerOptions o_;
  const VectorOps<float>& ops_;
  DeviceBuffer<float> v_;
};

class Sgd final : public WithVelocity {
 public:
  using WithVelocity::WithVelocity;
  void direction(std::span<const float> x, std::span<float> g) override {
    ops_.sgd(g.size(), static_cast<float>(o_.momentum), static_cast<float>(o_.weight_decay),
             o_.nesterov, x.data(), g.data(), v_.data());
  }
};

class Lars final : public WithVelocity {
 public:
  Lars(const OptimizerOptions& o, std::int64_t d, std::vector<Range> segs,
       const VectorOps<float>& ops)
      : WithVelocity(o, d, ops), segs_(std::move(segs)) {}
  void direction(std::span<const float> x, std::span<float> g) override {
    ops_.lars(segs_, static_cast<float>(o_.momentum), o_.weight_decay, o_.eta, x.data(), g.data(),
              v_.data());
  }

 private:
  std::vector<Range> segs_;
};

class Lamb final : public Optimizer {
 public:
  Lamb(const OptimizerOptions& o, std::int64_t d, std::vector<Range> segs,
       const VectorOps<float>& ops)
      : o_(o),
        ops_(ops),
        segs_(std::move(segs)),
        m_(static_cast<std::size_t>(d), ops.device()),
        v_(static_cast<std::size_t>(d), ops.device()),
        r_(static_cast<std::size_t>(d), ops.device()) {}
  void direction(std::span<const float> x, std::span<float> g) override {
    ++t_;
    ops_.lamb(segs_, t_, o_.momentum, o_.beta2, o_.epsilon, static_cast<float>(o_.weight_decay),
              x.data(), g.data(), m_.data(), v_.data(), r_.data());
  }
  std::vector<double> state() const override {
    const auto m = m_.to_host(), v = v_.to_host();
    std::vector<double> s(m.begin(), m.end());
    s.insert(s.end(), v.begin(), v.end());
    s.push_back(static_cast<double>(t_));
    return s;
  }
  void set_state(std::span<const double> s) override {
    if (s.size() != 2 * m_.size() + 1) throw InvalidArgument("lamb state: wrong size");
    const auto n = static_cast<std::ptrdiff_t>(m_.size());
    m_.from_host(std::vector<float>(s.begin(), s.begin() + n));
    v_.from_host(std::vector<float>(s.begin() + n, s.begin() + 2 * n));
    t_ = static_cast<std::int64_t>(s.back());
  }

 private:
  OptimizerOptions o_;
  const VectorOps<float>& ops_;
  std::vector<Range> segs_;
  DeviceBuffer<float> m_, v_, r_;
  std::int64_t t_ = 0;
};

}  // namespace

const std::vector<std::string>& optimizer_names() {
  static const std::vector<std::string> names{"sgd", "lars", "lamb"};
  return names;
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerOptions& o, std::int64_t dimension,
                                          std::vector<Range> segments,
                                          const VectorOps<float>& ops) {
  if (dimension < 0) throw InvalidArgument("optimizer: negative dimension");
  if (!(o.momentum >= 0 && o.momentum < 1))
    throw InvalidArgument("momentum " + std::to_string(o.momentum) + ": expected [0, 1)");
  if (!(o.weight_decay >= 0)) throw InvalidArgument("weight decay must be >= 0");
  if (!(o.eta > 0) || !(o.beta2 >= 0 && o.beta2 < 1) || !(o.epsilon > 0))
    throw InvalidArgument("optimizer: eta > 0, beta2 in [0, 1) and epsilon > 0 are required");
  if (segments.empty()) segments.push_back({0, dimension});
  std::int64_t next = 0;
  for (const auto& r : segments) {
    if (r.offset != next || r.size < 0)
      throw InvalidArgument("optimizer segments must tile the buffer in order");
    next += r.size;
  }
  if (next != dimension)
    throw InvalidArgument("optimizer segments cover " + std::to_string(next) + " of " +
                          std::to_string(dimension) + " values");
  if (o.name == "sgd") return std::make_unique<Sgd>(o, dimension, ops);
  if (o.name == "lars") return std::make_unique<Lars>(o, dimension, std::move(segments), ops);
  if (o.name == "lamb") return std::make_unique<Lamb>(o, dimension, std::move(segments), ops);
  throw InvalidArgument("optimizer \"" + o.name + "\": unknown; expected one of sgd, lars, lamb");
}

}  // namespace decent::optim
