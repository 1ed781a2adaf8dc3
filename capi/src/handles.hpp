// The structs behind the opaque handles of decent.h. Only capi/ sees them.
#pragma once

#include <string>

#include "topology/topology.hpp"

struct decent_topology {
  decent::topology::Topology impl;
  std::string name;  // returned by decent_topology_name(), owned here
};

#include <atomic>
#include <memory>

#include "comm/communicator.hpp"

// Lent communicators (decent_comm_run_local) point at the run's; owned ones (MPI) keep theirs
// and, when this process's MPI was started by decent, the session that finalises it.
struct decent_comm {
  decent::comm::Communicator* impl = nullptr;
  std::shared_ptr<void> owned;  // the communicator and MPI session, for decent_comm_mpi_create
  bool lent = false;
  // The first failed collective on this handle (its status and message): a node of
  // decent_comm_run_local that ignores it and returns 0 still fails the run.
  decent_status failure = DECENT_OK;
  std::string failure_message;
};

#if DECENT_HAVE_DNNL

#include "data/image_set.hpp"
#include "data/loader.hpp"
#include "nn/model.hpp"
#include "train/local_trainer.hpp"

struct decent_dataset {
  decent::data::ImageSet set;
  decent::data::Normalization norm;  // the training split's, for decent_dataset_batch
};

struct decent_model {
  std::unique_ptr<decent::nn::Model> impl;
};

struct decent_trainer {
  std::unique_ptr<decent::train::LocalTrainer> impl;
  // True while decent_trainer_run/step trains: its progress callback (or another thread) may
  // not free, run, step, load, query or evaluate the trainer meanwhile.
  std::atomic<bool> running{false};
  std::string config_json;            // decent_trainer_config_json's text, made at the first call
  const decent_comm* comm = nullptr;  // decent_trainer_create_with_comm's; must stay live
};
#endif
