// The spec-string parser: accepted forms, canonical text, and errors that name the bad token and
// list what was expected.
#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "topology/spec.hpp"
#include "topology/topology.hpp"

using namespace decent::topology;

namespace {

std::string parse_error(const std::string& text) {
  try {
    parse_spec(text);
  } catch (const decent::InvalidArgument& e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("spec strings parse into kind and parameters") {
  auto s = parse_spec("torus:4x4");
  CHECK(s.kind == Kind::torus);
  CHECK(s.rows == 4);
  CHECK(s.cols == 4);
  s = parse_spec(" random : p=0.3 , seed=7 ");
  CHECK(s.kind == Kind::random);
  CHECK(*s.p == 0.3);
  CHECK(s.seed == 7);
  s = parse_spec("exponential:n=16,weights=uniform");
  CHECK(s.kind == Kind::exponential);
  CHECK(s.nodes == 16);
  CHECK(s.weights == WeightRule::uniform);
  CHECK(parse_spec("fully-connected").kind == Kind::full);
  CHECK(parse_spec("grid:rows=2,cols=3").cols == 3);
}

TEST_CASE("the canonical name rebuilds the same topology") {
  for (const char* text : {"torus:3x5", "random:p=0.25,seed=11,n=20", "one-peer-exp:n=12",
                           "star:n=7", "ring:n=6,weights=metropolis"}) {
    const Topology a(text, 0);
    const Topology b(a.name(), 0);
    CAPTURE(text);
    CHECK(a.name() == b.name());
    for (int k = 0; k < a.period(); ++k) CHECK(a.at(k).dense() == b.at(k).dense());
  }
  CHECK(Topology("torus:3x5", 0).name() == "torus:3x5,n=15,weights=uniform");
}

TEST_CASE("bad specs name the token and what was expected") {
  CHECK(contains(parse_error(""), "expected one of ring"));
  const auto unknown = parse_error("rign");
  CHECK(contains(unknown, "\"rign\""));
  CHECK(contains(unknown, "expected one of ring, directed-ring, grid, torus"));
  const auto bad_key = parse_error("random:q=0.3");
  CHECK(contains(bad_key, "\"q=0.3\""));
  CHECK(contains(bad_key, "expected n, weights, p, seed"));
  CHECK(contains(parse_error("torus:4y4"), "\"4y4\""));
  CHECK(contains(parse_error("torus:4x"), "cols \"\": not a number"));
  CHECK(contains(parse_error("torus:0x4"), "expected a positive integer"));
  CHECK(contains(parse_error("random:p=abc"), "\"abc\""));
  CHECK(contains(parse_error("random:p=1.5"), "probability in (0, 1]"));
  CHECK(contains(parse_error("random:seed=-1"), "non-negative integer"));
  CHECK(contains(parse_error("ring:weights=equal"), "expected one of auto, uniform, metropolis"));
  CHECK(contains(parse_error("ring:4x4"), "unexpected \"4x4\" for ring"));
  CHECK(contains(parse_error("ring:n"), "unexpected \"n\""));
  CHECK(contains(parse_error("grid:rows=3"), "give both rows and cols"));
  CHECK(
      contains(parse_error("ring:n=99999999999"), "n = 99999999999: expected a positive integer"));
}
