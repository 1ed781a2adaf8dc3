#include "cli/lab_flags.hpp"

namespace decent::cli {

void add_lab_flags(CLI::App* cmd, LabFlags& f) {
  auto& o = f.run;
  cmd->add_option("-p,--problem", f.problem, "logistic (default) or least-squares")
      ->check(CLI::IsMember({"logistic", "least-squares"}));
  cmd->add_option("--data", f.data, "iid (default) or hetero (each node its own model)")
      ->check(CLI::IsMember({"iid", "hetero"}));
  cmd->add_option("-i,--iters", o.iterations, "Iterations (default 500)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 30));
  cmd->add_option("--lr", o.algorithm.lr, "Step size gamma (default 0.5)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--lr-decay", o.lr_decay,
                  "T > 0: step gamma * T / (T + k); 0: constant (default)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--momentum", o.algorithm.momentum, "beta for dmsgd and decentlam (default 0.9)")
      ->check(CLI::Range(0.0, 0.999999));
  cmd->add_option("--period", o.algorithm.period,
                  "H for pga, local_sgd and diloco, initial H of aga (default 8)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 30));
  cmd->add_option("--aga-warmup", o.algorithm.warmup,
                  "aga: iterations whose mean loss is the reference for the period (0: one period)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 30));
  cmd->add_flag("--awc", o.algorithm.awc,
                "Adapt-with-combine form (dsgd, gradient_tracking, choco)");
  cmd->add_option("--compressor", o.algorithm.compressor,
                  "choco: identity, top-k:F, random-k:F, qsgd:B, int8, fp16, sign, minmax8 "
                  "(default top-k:0.01)");
  cmd->add_option("--consensus-step", o.algorithm.consensus_step,
                  "choco: gamma_c in (0, 2]; 0 (default): tuned by a CHOCO-Gossip search")
      ->check(CLI::Range(0.0, 2.0));
  cmd->add_option("--outer-lr", o.algorithm.outer_lr, "diloco: outer learning rate (default 0.7)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--outer-momentum", o.algorithm.outer_momentum,
                  "diloco: outer Nesterov momentum (default 0.9)")
      ->check(CLI::Range(0.0, 0.999999));
  cmd->add_flag("--inner-gossip", o.algorithm.inner_gossip,
                "diloco: gossip (D-SGD) between outer steps instead of local steps");
  cmd->add_flag("--outer-gossip", o.algorithm.outer_gossip,
                "diloco: average the outer change with the neighbours, not over all nodes");
  cmd->add_option("-b,--batch", o.problem.batch, "Minibatch rows per gradient; 0 = full (default)");
  cmd->add_option("-d,--dim", o.problem.dimension, "Model dimension (default 10)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  cmd->add_option("-m,--samples", o.problem.samples, "Rows per node (default 200)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24));
  cmd->add_option("--reg", o.problem.regularization, "l2 regularisation lambda (default 0.01)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-s,--seed", o.problem.seed, "Seed of the data and minibatches (default 0)");
  cmd->add_option("--log-every", o.log_every, "Record every this many iterations (default 1)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 30));
}

lab::LabOptions resolve(const LabFlags& f) {
  auto o = f.run;
  o.problem.kind = lab::problem_kind_from_name(f.problem);
  o.problem.heterogeneous = f.data == "hetero";
  return o;
}

}  // namespace decent::cli
