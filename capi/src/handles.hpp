// The structs behind the opaque handles of decent.h. Only capi/ sees them.
#pragma once

#include <string>

#include "topology/topology.hpp"

struct decent_topology {
  decent::topology::Topology impl;
  std::string name;  // returned by decent_topology_name(), owned here
};

#include <memory>

#include "comm/communicator.hpp"

// Lent communicators (decent_comm_run_local) point at the run's; owned ones (MPI) keep theirs
// and, when this process's MPI was started by decent, the session that finalises it.
struct decent_comm {
  decent::comm::Communicator* impl = nullptr;
  std::shared_ptr<void> owned;  // the communicator and MPI session, for decent_comm_mpi_create
  bool lent = false;
};

#if DECENT_HAVE_DNNL

#include "data/image_set.hpp"
#include "data/loader.hpp"
#include "nn/model.hpp"
#include "train/local_trainer.hpp"

struct decent_dataset {
  decent::data::ImageSet set;
  decent::data::Normalization norm;  // the set's own, for decent_dataset_batch
};

struct decent_model {
  std::unique_ptr<decent::nn::Model> impl;
};

struct decent_trainer {
  std::unique_ptr<decent::train::LocalTrainer> impl;
};
#endif
