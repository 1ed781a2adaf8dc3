// The message exchange (compressed gossip) checked the same way on every backend: each node
// sends a message whose length and bytes depend on its rank and the step (empty ones too), on a
// directed static and a time-varying graph, with neighbour averages of values in between; every
// node must receive exactly its in-neighbours' messages, in the topology's order.
#pragma once

#include <string>
#include <vector>

#include "comm/communicator.hpp"
#include "topology/topology.hpp"

namespace decent::test {

inline std::vector<unsigned char> test_message(int rank, std::int64_t step) {
  const std::int64_t length = (rank * 7 + step * 3) % 13;
  std::vector<unsigned char> m;
  for (std::int64_t j = 0; j < length; ++j)
    m.push_back(static_cast<unsigned char>((rank * 31 + step * 7 + j) & 0xFF));
  return m;
}

// Runs the exchanges on `c` and returns a description of every difference from the expected
// messages (empty when all arrived as sent).
inline std::vector<std::string> message_exchange_errors(comm::Communicator& c) {
  std::vector<std::string> errors;
  const int n = c.size(), r = c.rank();
  for (const char* spec : {"exp", "one-peer-exp", "ring"}) {
    const topology::Topology t(spec, n);
    std::vector<float> values(5, static_cast<float>(r));
    for (std::int64_t step = 0; step < 6; ++step) {
      const auto mine = test_message(r, step);
      const auto got = c.exchange_messages(mine.data(), mine.size(), t, step);
      const auto in = t.at(step).in_neighbors(r);
      if (got.size() != in.size()) {
        errors.push_back(std::string(spec) + ": wrong number of messages");
        continue;
      }
      for (std::size_t k = 0; k < in.size(); ++k)
        if (got[k] != test_message(in[k].node, step))
          errors.push_back(std::string(spec) + ": step " + std::to_string(step) +
                           ": the message of rank " + std::to_string(in[k].node) + " differs");
      if (step % 2) c.neighbor_average(values.data(), values.size(), t, step);  // interleaved
    }
  }
  return errors;
}

}  // namespace decent::test
