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
