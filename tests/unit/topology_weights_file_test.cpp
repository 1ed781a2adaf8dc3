// A user's own W from a JSON file (topology/weights_file.hpp): dense matrices, edge lists and
// periods of several steps give exactly the weights written, and every malformed or
// non-stochastic file is refused naming the file, the step and the row or column.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "topology/topology.hpp"

using namespace decent::topology;
namespace fs = std::filesystem;

namespace {

std::string write(const std::string& name, const std::string& text) {
  const auto p = fs::temp_directory_path() / ("decent_weights_" + name + ".json");
  std::ofstream(p) << text;
  return p.string();
}

}  // namespace

TEST_CASE("a weights file gives the matrices written in it") {
  // A lazy path on 3 nodes: symmetric, doubly stochastic.
  const auto dense =
      write("dense", R"({"weights": [[0.5, 0.5, 0], [0.5, 0.25, 0.25], [0, 0.25, 0.75]]})");
  const Topology t("file:" + dense, 0);
  CHECK(t.nodes() == 3);
  CHECK(t.period() == 1);
  CHECK(t.name() == "file:" + dense);
  CHECK(t.at(0).self_weight(1) == 0.25);
  REQUIRE(t.at(0).in_neighbors(1).size() == 2);
  CHECK(t.at(0).in_neighbors(1)[0].node == 0);
  CHECK(t.at(0).in_neighbors(1)[1].weight == 0.25);
  CHECK(t.symmetric());
  // The same as an edge list (self weights complete the rows), and a directed 2-step period.
  const auto edges = write("edges", R"({"n": 3, "edges": [[0, 1, 0.5], [1, 0, 0.5], [1, 2, 0.25],
                                                         [2, 1, 0.25]]})");
  const Topology e("file:" + edges, 3);
  for (int i = 0; i < 3; ++i) CHECK(e.at(0).self_weight(i) == t.at(0).self_weight(i));
  const auto steps = write("steps", R"({"steps": [{"weights": [[0.5, 0.5], [0.5, 0.5]]},
                                                 {"weights": [[1, 0], [0, 1]]}]})");
  const Topology s("file:" + steps, 2);
  CHECK(s.period() == 2);
  CHECK(s.at(1).in_neighbors(0).empty());
  CHECK(s.at(3).self_weight(0) == 1.0);
  // Edges whose row sums to 1 within the file tolerance (1e-9) leave a self weight of 0, not a
  // refused negative one.
  const auto full =
      write("full", R"({"n": 2, "edges": [[0, 1, 1.0000000001], [1, 0, 1.0000000001]]})");
  const Topology f("file:" + full, 2);
  CHECK(f.at(0).self_weight(0) == 0.0);
  CHECK(f.at(0).in_neighbors(0)[0].weight == 1.0000000001);
}

TEST_CASE("weights files that are not doubly stochastic or malformed are refused with the place") {
  auto refused = [](const std::string& name, const std::string& text, const std::string& part) {
    CAPTURE(name);
    const auto path = write(name, text);
    CHECK_THROWS_WITH(Topology("file:" + path, 0), doctest::Contains(part.c_str()));
  };
  refused("row", R"({"weights": [[0.5, 0.4], [0.5, 0.5]]})",
          "step 0: not doubly stochastic: row 0 (node 0's weights) sums to 0.9, not 1");
  refused("col", R"({"weights": [[0.5, 0.5], [0.6, 0.4]]})",
          "column 0 (the weights of node 0's value) sums to 1.1, not 1");
  refused("negative", R"({"weights": [[1.5, -0.5], [-0.5, 1.5]]})", "row 0, column 1: weight -0.5");
  refused("ragged", R"({"weights": [[1, 0], [1]]})", "row 1 must hold 2 weights");
  refused("second", R"({"steps": [{"weights": [[1, 0], [0, 1]]}, {"weights": [[1, 0], [1, 0]]}]})",
          "step 1: not doubly stochastic: column 0");
  refused("edge", R"({"n": 2, "edges": [[0, 2, 0.5]]})", "expected two different nodes below 2");
  refused("heavy", R"({"n": 2, "edges": [[0, 1, 1.5]]})", "row 0: its edges' weights sum to 1.5");
  refused("neither", R"({"w": 1})", "expected \"weights\" or \"edges\"");
  CHECK_THROWS_WITH_AS(Topology("file:" + write("bad", "{not json"), 0),
                       doctest::Contains("not JSON"), decent::IoError);
  CHECK_THROWS_WITH_AS(Topology("file:/nonexistent/w.json", 0),
                       doctest::Contains("cannot be opened"), decent::IoError);
  const auto ok = write("three", R"({"weights": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]})");
  CHECK_THROWS_WITH_AS(Topology("file:" + ok, 4),
                       doctest::Contains("has 3 nodes but 4 were asked for"),
                       decent::InvalidArgument);
}
