// Each optimizer against steps computed by hand from its definition, and the schedules against
// their closed forms.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "optim/optimizer.hpp"
#include "optim/schedule.hpp"

namespace decent::optim {

TEST_CASE("sgd: weight decay, heavy-ball momentum and Nesterov by hand") {
  const std::vector<float> x = {1, -2};
  for (bool nesterov : {false, true}) {
    auto opt = make_optimizer({"sgd", 0.9, nesterov, 0.1}, 2, {});
    std::vector<float> g = {0.5f, 0.25f};
    opt->direction(x, g);  // g' = g + 0.1 x = (0.6, 0.05); v = g'
    if (nesterov) {        // d = g' + 0.9 v
      CHECK(g[0] == doctest::Approx(0.6 + 0.54));
      CHECK(g[1] == doctest::Approx(0.05 + 0.045));
    } else {
      CHECK(g[0] == doctest::Approx(0.6));
      CHECK(g[1] == doctest::Approx(0.05));
    }
    g = {0.5f, 0.25f};
    opt->direction(x, g);  // v = 0.9 (0.6, 0.05) + (0.6, 0.05) = (1.14, 0.095)
    CHECK(g[0] == doctest::Approx(nesterov ? 0.6 + 0.9 * 1.14 : 1.14));
    CHECK(g[1] == doctest::Approx(nesterov ? 0.05 + 0.9 * 0.095 : 0.095));
  }
  // Plain SGD: the direction is the gradient.
  auto plain = make_optimizer({"sgd", 0.0, false, 0.0}, 2, {});
  std::vector<float> g = {0.5f, 0.25f};
  plain->direction(x, g);
  CHECK(g == std::vector<float>{0.5f, 0.25f});
}

TEST_CASE("lars: the per-segment trust ratio by hand") {
  // Segment 0: x = (3, 4), |x| = 5, g = (0, 1), |g| = 1: local = 0.1 * 5 / (1 + 0.01 * 5).
  // Segment 1: x = 0: the ratio falls back to 1.
  OptimizerOptions o{"lars", 0.9, false, 0.01};
  o.eta = 0.1;
  auto opt = make_optimizer(o, 3, {{0, 2}, {2, 1}});
  const std::vector<float> x = {3, 4, 0};
  std::vector<float> g = {0, 1, 2};
  opt->direction(x, g);
  const double local = 0.1 * 5 / 1.05;
  CHECK(g[0] == doctest::Approx(local * 0.03));
  CHECK(g[1] == doctest::Approx(local * 1.04));
  CHECK(g[2] == doctest::Approx(2.0));
  std::vector<float> g2 = {0, 1, 2};
  opt->direction(x, g2);  // v = 0.9 v + local (g + wd x)
  CHECK(g2[1] == doctest::Approx(1.9 * local * 1.04));
}

TEST_CASE("lamb: bias-corrected Adam direction scaled to the weight norm") {
  // Step 1: m_hat = g, v_hat = g^2, r = g / (|g| + eps) = sign(g); |r| = sqrt(2), |x| = 5.
  OptimizerOptions o{"lamb", 0.9, false, 0.0};
  o.epsilon = 1e-6;
  auto opt = make_optimizer(o, 2, {});
  const std::vector<float> x = {3, 4};
  std::vector<float> g = {0.5f, -2.0f};
  opt->direction(x, g);
  CHECK(g[0] == doctest::Approx(5 / std::sqrt(2.0)).epsilon(1e-5));
  CHECK(g[1] == doctest::Approx(-5 / std::sqrt(2.0)).epsilon(1e-5));
  // State round trip: a copy continues identically.
  auto copy = make_optimizer(o, 2, {});
  copy->set_state(opt->state());
  std::vector<float> a = {0.1f, 0.2f}, b = a;
  opt->direction(x, a);
  copy->direction(x, b);
  CHECK(a == b);
}

// Several steps of each optimizer along a trajectory (x <- x - lr d, the gradient a function of
// x), against references written here from the papers' update rules in double precision. Step 1
// alone cannot tell a swapped beta1/beta2 or a bias correction frozen at t = 1 (both pass it);
// the later steps do.
namespace {

constexpr int kDim = 7, kSteps = 8;
const std::vector<Range> kSegments = {{0, 3}, {3, 4}};

// A gradient that changes with x and step: g = A x + b_t, A diagonal with mixed signs.
std::vector<double> gradient_at(const std::vector<double>& x, int t) {
  std::vector<double> g(kDim);
  for (int i = 0; i < kDim; ++i)
    g[i] = (0.3 + 0.2 * i) * x[i] * (i % 2 ? -1 : 1) + 0.1 * std::sin(1.0 + t + 2.0 * i);
  return g;
}

std::vector<double> start_point() {
  std::vector<double> x(kDim);
  for (int i = 0; i < kDim; ++i) x[i] = 0.5 - 0.15 * i + 0.05 * i * i;
  return x;
}

double seg_norm(const std::vector<double>& v, const Range& r) {
  double s = 0;
  for (std::int64_t i = r.offset; i < r.offset + r.size; ++i) s += v[i] * v[i];
  return std::sqrt(s);
}

// Runs `opt` and `reference` (d = reference(x, g, t), t = 1, 2, ...) side by side over kSteps,
// each from its own iterate, and checks every step's iterate.
template <class Reference>
void compare_trajectories(Optimizer& opt, Reference reference, double lr) {
  std::vector<double> xr = start_point();
  std::vector<float> xf(xr.begin(), xr.end());
  for (int t = 1; t <= kSteps; ++t) {
    CAPTURE(t);
    const auto gr = gradient_at(xr, t);
    const auto dr = reference(xr, gr, t);
    std::vector<double> xd(xf.begin(), xf.end());
    const auto gd = gradient_at(xd, t);
    std::vector<float> g(gd.begin(), gd.end());
    opt.direction(xf, g);
    for (int i = 0; i < kDim; ++i) {
      xr[i] -= lr * dr[i];
      xf[i] -= static_cast<float>(lr) * g[i];
      CHECK(xf[i] == doctest::Approx(xr[i]).epsilon(2e-5));
    }
  }
}

}  // namespace

TEST_CASE("lamb over 8 steps equals the paper's algorithm (You et al. 2020, Algorithm 2)") {
  const double b1 = 0.9, b2 = 0.999, eps = 1e-6, wd = 0.01, lr = 0.05;
  OptimizerOptions o{"lamb", b1, false, wd};
  o.beta2 = b2;
  o.epsilon = eps;
  auto opt = make_optimizer(o, kDim, kSegments);
  std::vector<double> m(kDim, 0.0), v(kDim, 0.0);
  compare_trajectories(
      *opt,
      [&](const std::vector<double>& x, const std::vector<double>& g, int t) {
        std::vector<double> r(kDim), d(kDim);
        for (int i = 0; i < kDim; ++i) {
          m[i] = b1 * m[i] + (1 - b1) * g[i];
          v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
          const double m_hat = m[i] / (1 - std::pow(b1, t)), v_hat = v[i] / (1 - std::pow(b2, t));
          r[i] = m_hat / (std::sqrt(v_hat) + eps) + wd * x[i];
        }
        for (const auto& s : kSegments) {
          const double ratio = seg_norm(x, s) / seg_norm(r, s);  // phi(||x||) / ||r + wd x||
          for (std::int64_t i = s.offset; i < s.offset + s.size; ++i) d[i] = ratio * r[i];
        }
        return d;
      },
      lr);
}

TEST_CASE("lars over 8 steps equals the paper's algorithm (You et al. 2017, Algorithm 1)") {
  const double mom = 0.9, wd = 0.005, eta = 0.02, lr = 0.5;
  OptimizerOptions o{"lars", mom, false, wd};
  o.eta = eta;
  auto opt = make_optimizer(o, kDim, kSegments);
  std::vector<double> vel(kDim, 0.0);
  compare_trajectories(
      *opt,
      [&](const std::vector<double>& x, const std::vector<double>& g, int) {
        std::vector<double> d(kDim);
        for (const auto& s : kSegments) {
          // local lr = eta ||w|| / (||grad|| + beta ||w||); v = m v + gamma local (grad + beta w)
          const double local = eta * seg_norm(x, s) / (seg_norm(g, s) + wd * seg_norm(x, s));
          for (std::int64_t i = s.offset; i < s.offset + s.size; ++i) {
            vel[i] = mom * vel[i] + local * (g[i] + wd * x[i]);
            d[i] = vel[i];  // w <- w - gamma v, gamma = lr
          }
        }
        return d;
      },
      lr);
}

TEST_CASE("sgd with momentum and Nesterov over 8 steps equals PyTorch's documented update") {
  // torch.optim.SGD (dampening 0): g' = g + wd x; b = m b + g' (b = g' at t = 1);
  // heavy ball: d = b; Nesterov: d = g' + m b.
  for (bool nesterov : {false, true}) {
    CAPTURE(nesterov);
    const double mom = 0.9, wd = 1e-3, lr = 0.1;
    auto opt = make_optimizer({"sgd", mom, nesterov, wd}, kDim, {});
    std::vector<double> b(kDim, 0.0);
    compare_trajectories(
        *opt,
        [&](const std::vector<double>& x, const std::vector<double>& g, int t) {
          std::vector<double> d(kDim);
          for (int i = 0; i < kDim; ++i) {
            const double gp = g[i] + wd * x[i];
            b[i] = t == 1 ? gp : mom * b[i] + gp;
            d[i] = nesterov ? gp + mom * b[i] : b[i];
          }
          return d;
        },
        lr);
  }
}

TEST_CASE("optimizer errors") {
  CHECK_THROWS_WITH_AS(make_optimizer({"adamw"}, 2, {}), doctest::Contains("expected one of sgd"),
                       InvalidArgument);
  CHECK_THROWS_AS(make_optimizer({"sgd", 1.0}, 2, {}), InvalidArgument);
  CHECK_THROWS_AS(make_optimizer({"lars"}, 3, {{0, 2}}), InvalidArgument);
}

TEST_CASE("schedules: warm-up, cosine, step decay, linear scaling") {
  ScheduleOptions s{"cosine", 0.1, 10, 110, {}, 0.1};
  CHECK(learning_rate(s, 0) == doctest::Approx(0.01));
  CHECK(learning_rate(s, 9) == doctest::Approx(0.1));
  CHECK(learning_rate(s, 10) == doctest::Approx(0.1));
  CHECK(learning_rate(s, 60) == doctest::Approx(0.05));
  CHECK(learning_rate(s, 110) == doctest::Approx(0.0));
  s.kind = "step";
  s.warmup_steps = 0;
  s.milestones = {20, 30};
  CHECK(learning_rate(s, 19) == doctest::Approx(0.1));
  CHECK(learning_rate(s, 25) == doctest::Approx(0.01));
  CHECK(learning_rate(s, 35) == doctest::Approx(0.001));
  s.kind = "constant";
  CHECK(learning_rate(s, 1000) == doctest::Approx(0.1));
  CHECK(scaled_lr(0.1, 512) == doctest::Approx(0.2));
  s.kind = "linear";
  CHECK_THROWS_AS(learning_rate(s, 0), InvalidArgument);
}

}  // namespace decent::optim
