#include "optim/optimizer.hpp"

#include <cmath>

#include "core/error.hpp"

namespace decent::optim {
namespace {

double norm(std::span<const float> v) {
  double s = 0;
  for (float x : v) s += static_cast<double>(x) * x;
  return std::sqrt(s);
}

// The optimizers whose state is one velocity per parameter (sgd, lars).
class WithVelocity : public Optimizer {
 public:
  WithVelocity(const OptimizerOptions& o, std::int64_t d)
      : o_(o), v_(static_cast<std::size_t>(d), 0.0f) {}
  std::vector<double> state() const override { return {v_.begin(), v_.end()}; }
  void set_state(std::span<const double> s) override {
    if (s.size() != v_.size()) throw InvalidArgument(o_.name + " state: wrong size");
    for (std::size_t i = 0; i < s.size(); ++i) v_[i] = static_cast<float>(s[i]);
  }

 protected:
  OptimizerOptions o_;
  std::vector<float> v_;
};

class Sgd final : public WithVelocity {
 public:
  Sgd(const OptimizerOptions& o, std::int64_t d) : WithVelocity(o, d) {}
  void direction(std::span<const float> x, std::span<float> g) override {
    const auto m = static_cast<float>(o_.momentum), wd = static_cast<float>(o_.weight_decay);
    for (std::size_t i = 0; i < g.size(); ++i) {
      const float gi = g[i] + wd * x[i];
      v_[i] = m * v_[i] + gi;
      g[i] = o_.nesterov ? gi + m * v_[i] : v_[i];
    }
  }
};

class Lars final : public WithVelocity {
 public:
  Lars(const OptimizerOptions& o, std::int64_t d, std::vector<Range> segs)
      : WithVelocity(o, d), segs_(std::move(segs)) {}
  void direction(std::span<const float> x, std::span<float> g) override {
    const auto m = static_cast<float>(o_.momentum);
    const double wd = o_.weight_decay;
    for (const auto& r : segs_) {
      const auto xs =
          x.subspan(static_cast<std::size_t>(r.offset), static_cast<std::size_t>(r.size));
      auto gs = g.subspan(static_cast<std::size_t>(r.offset), static_cast<std::size_t>(r.size));
      const double xn = norm(xs), gn = norm(gs);
      const double denom = gn + wd * xn;
      const auto local = static_cast<float>(xn > 0 && denom > 0 ? o_.eta * xn / denom : 1.0);
      for (std::size_t i = 0; i < gs.size(); ++i) {
        const auto k = static_cast<std::size_t>(r.offset) + i;
        v_[k] = m * v_[k] + local * (gs[i] + static_cast<float>(wd) * xs[i]);
        gs[i] = v_[k];
      }
    }
  }

 private:
  std::vector<Range> segs_;
};

class Lamb final : public Optimizer {
 public:
  Lamb(const OptimizerOptions& o, std::int64_t d, std::vector<Range> segs)
      : o_(o),
        segs_(std::move(segs)),
        m_(static_cast<std::size_t>(d), 0.0f),
        v_(static_cast<std::size_t>(d), 0.0f),
        r_(static_cast<std::size_t>(d)) {}
  void direction(std::span<const float> x, std::span<float> g) override {
    ++t_;
    const double b1 = o_.momentum, b2 = o_.beta2;
    const double c1 = 1 - std::pow(b1, static_cast<double>(t_)),
                 c2 = 1 - std::pow(b2, static_cast<double>(t_));
    const auto wd = static_cast<float>(o_.weight_decay);
    for (std::size_t i = 0; i < g.size(); ++i) {
      m_[i] = static_cast<float>(b1 * m_[i] + (1 - b1) * g[i]);
      v_[i] = static_cast<float>(b2 * v_[i] + (1 - b2) * static_cast<double>(g[i]) * g[i]);
      const double mh = m_[i] / c1, vh = v_[i] / c2;
      r_[i] = static_cast<float>(mh / (std::sqrt(vh) + o_.epsilon)) + wd * x[i];
    }
    for (const auto& r : segs_) {
      const auto o = static_cast<std::size_t>(r.offset), n = static_cast<std::size_t>(r.size);
      const double xn = norm(x.subspan(o, n)), rn = norm(std::span<const float>(r_).subspan(o, n));
      const auto ratio = static_cast<float>(xn > 0 && rn > 0 ? xn / rn : 1.0);
      for (std::size_t i = o; i < o + n; ++i) g[i] = ratio * r_[i];
    }
  }
  std::vector<double> state() const override {
    std::vector<double> s(m_.begin(), m_.end());
    s.insert(s.end(), v_.begin(), v_.end());
    s.push_back(static_cast<double>(t_));
    return s;
  }
  void set_state(std::span<const double> s) override {
    if (s.size() != 2 * m_.size() + 1) throw InvalidArgument("lamb state: wrong size");
    for (std::size_t i = 0; i < m_.size(); ++i) {
      m_[i] = static_cast<float>(s[i]);
      v_[i] = static_cast<float>(s[m_.size() + i]);
    }
    t_ = static_cast<std::int64_t>(s.back());
  }

 private:
  OptimizerOptions o_;
  std::vector<Range> segs_;
  std::vector<float> m_, v_, r_;
  std::int64_t t_ = 0;
};

}  // namespace

const std::vector<std::string>& optimizer_names() {
  static const std::vector<std::string> names{"sgd", "lars", "lamb"};
  return names;
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerOptions& o, std::int64_t dimension,
                                          std::vector<Range> segments) {
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
  if (o.name == "sgd") return std::make_unique<Sgd>(o, dimension);
  if (o.name == "lars") return std::make_unique<Lars>(o, dimension, std::move(segments));
  if (o.name == "lamb") return std::make_unique<Lamb>(o, dimension, std::move(segments));
  throw InvalidArgument("optimizer \"" + o.name + "\": unknown; expected one of sgd, lars, lamb");
}

}  // namespace decent::optim
