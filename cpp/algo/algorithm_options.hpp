// The options of an algorithm (algo/algorithm.hpp), in a header of their own so that the
// training options (train/options.hpp) take their defaults from here.
#pragma once

#include <cstdint>
#include <string>

namespace decent::algo {

struct AlgorithmOptions {
  std::string name = "dsgd";
  double lr = 0.05;         // gamma
  double momentum = 0.9;    // beta: dmsgd, decentlam
  std::int64_t period = 8;  // H: pga, local_sgd, diloco; the initial period of aga
  std::int64_t warmup = 0;  // aga: steps at the initial period whose mean loss is F_init
                            // (0: the first period)
  bool awc = false;         // adapt-with-combine form: dsgd, gradient_tracking, choco
  // choco: the compressor (algo/compressor.hpp) and the consensus step gamma_c (0: tuned as
  // the CHOCO authors do, docs/compression.md).
  std::string compressor = "top-k:0.01";
  double consensus_step = 0;
  // diloco: the outer Nesterov step on the averaged change every `period` steps, and whether
  // the inner steps gossip (D-SGD) and the outer change is gossiped instead of all-reduced.
  double outer_lr = 0.7;
  double outer_momentum = 0.9;
  bool inner_gossip = false;
  bool outer_gossip = false;
  std::uint64_t seed = 1;  // random choices of compressors (random-k, qsgd)
};

}  // namespace decent::algo
