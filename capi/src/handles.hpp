// The structs behind the opaque handles of decent.h. Only capi/ sees them.
#pragma once

#include <string>

#include "topology/topology.hpp"

struct decent_topology {
  decent::topology::Topology impl;
  std::string name;  // returned by decent_topology_name(), owned here
};

#if DECENT_HAVE_DNNL
#include <memory>

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
