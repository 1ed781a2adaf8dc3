// Strict number parsing and the string helpers used for messages.
#include "core/parse.hpp"

#include <doctest/doctest.h>

#include "core/error.hpp"

using namespace decent;

TEST_CASE("numbers parse only when the whole token is a number") {
  CHECK(parse_int(" 42 ", "x") == 42);
  CHECK(parse_int("-7", "x") == -7);
  CHECK_THROWS_AS(parse_int("4x", "x"), InvalidArgument);
  CHECK_THROWS_AS(parse_int("", "x"), InvalidArgument);
  CHECK_THROWS_AS(parse_int("99999999999999999999", "x"), InvalidArgument);
  CHECK(parse_uint64("18446744073709551615", "seed") == 18446744073709551615ULL);
  CHECK_THROWS_AS(parse_uint64("-1", "seed"), InvalidArgument);
  CHECK(parse_double("0.25", "p") == 0.25);
  CHECK(parse_double("1e-3", "p") == 0.001);
  CHECK_THROWS_AS(parse_double("nan", "p"), InvalidArgument);
  CHECK_THROWS_AS(parse_double("inf", "p"), InvalidArgument);
  CHECK_THROWS_AS(parse_double("0.5.1", "p"), InvalidArgument);
  try {
    parse_int("abc", "nodes");
  } catch (const InvalidArgument& e) {
    CHECK(std::string(e.what()) == "nodes \"abc\": not a number; expected an integer");
  }
}

TEST_CASE("split, trim, join and edit distance") {
  CHECK(split(" a , b,c ", ',') == std::vector<std::string>{"a", "b", "c"});
  CHECK(split("", ',').empty());
  CHECK(split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  CHECK(trim("  x y \t") == "x y");
  CHECK(join({"a", "b"}) == "a, b");
  CHECK(edit_distance("rign", "ring") == 2);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
}
