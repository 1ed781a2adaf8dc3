// The spec the kind-by-kind property tests build each kind from: the kind's defaults, and for
// the hierarchical kind machines of 2 nodes (it has no default machine size).
#pragma once

#include "topology/spec.hpp"

namespace decent::test {

inline topology::TopologySpec default_spec(topology::Kind kind) {
  topology::TopologySpec spec;
  spec.kind = kind;
  if (kind == topology::Kind::hierarchical) spec.per_machine = 2;
  return spec;
}

}  // namespace decent::test
