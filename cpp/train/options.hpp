// Everything a training run is configured by; `decent train` flags and the TOML file map onto
// these fields one to one (docs/training.md lists them with their defaults).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "algo/algorithm_options.hpp"

namespace decent::train {

struct TrainOptions {
  // Model
  std::string model = "resnet20";
  std::int64_t width = 0;  // first-stage channels, 0: the model's own
  // Data
  std::string data = "fashion-mnist";  // fashion-mnist, mnist, cifar10, synthetic
  std::string data_dir;                // default: Debian's /usr/share/datasets/fashion-mnist
  std::string partition = "iid";       // iid, dirichlet[:alpha], sorted
  std::int64_t train_limit = 0;        // use only the first N training images (0: all)
  std::int64_t test_limit = 0;         // and the first N test images (0: all)
  std::int64_t crop_padding = 0;       // random crop after zero padding (0: off)
  bool flip = false;                   // random horizontal flip
  // Decentralized algorithm
  int nodes = 8;
  std::string topology = "one-peer-exp";
  std::string algorithm = "dsgd";
  bool awc = false;             // adapt-with-combine (communication overlapped with compute)
  std::int64_t period = 8;      // pga, local_sgd, diloco; aga's initial period
  std::int64_t aga_warmup = 0;  // aga: steps whose mean loss is the reference (0: one period)
  // Communication-efficient algorithms (docs/compression.md); defaults are the algorithms'.
  std::string compressor = algo::AlgorithmOptions{}.compressor;     // choco
  double consensus_step = algo::AlgorithmOptions{}.consensus_step;  // choco: 0 = tuned
  double outer_lr = algo::AlgorithmOptions{}.outer_lr;              // diloco
  double outer_momentum = algo::AlgorithmOptions{}.outer_momentum;  // diloco (Nesterov)
  bool inner_gossip = algo::AlgorithmOptions{}.inner_gossip;  // diloco: D-SGD between outer steps
  bool outer_gossip = algo::AlgorithmOptions{}.outer_gossip;  // diloco: outer change gossiped
  // Local optimisation
  std::string optimizer = "sgd";  // sgd, lars, lamb
  std::int64_t epochs = 2;
  std::int64_t batch = 32;  // per node
  double lr = 0.1;
  bool scale_lr = false;  // lr * global batch / 256
  double momentum = 0.9;  // of the optimizer; of the algorithm for dmsgd and decentlam
  bool nesterov = false;
  double weight_decay = 5e-4;
  std::string schedule = "cosine";  // constant, step, cosine
  std::vector<double> milestones;   // step schedule, in epochs
  double warmup_epochs = 0;
  // Run
  std::uint64_t seed = 1;
  int threads = 0;                 // oneDNN threads per node (0: cores / nodes, at least 1)
  std::int64_t log_every = 20;     // steps between training metric lines
  bool eval_nodes = false;         // also evaluate every node's own model
  std::string out = "runs/train";  // output folder: config, metrics.jsonl, plots, model ("": none)
  std::string resume;              // checkpoint file to continue from
  std::int64_t checkpoint_every = 0;  // steps between checkpoints (0: at the end only, if out)
  std::int64_t max_steps = 0;         // stop after this many steps (0: all epochs), for tests
  // Where every node computes: cpu, cuda (node r on GPU r mod count) or cuda:N (all on GPU N).
  std::string device = "cpu";
};

}  // namespace decent::train
