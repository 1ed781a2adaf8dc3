// Model builders by name: the CIFAR-style ResNets (resnet20/32/44/56/110, any depth 6n+2), the
// ImageNet-style ResNets (resnet18/34 basic blocks, resnet50/101/152 bottlenecks), and `mlp` and
// `lenet` for quick tests. Input channels, image size and class count come from the data.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/model.hpp"

namespace decent::nn {

class LayerBackend;

// The stem of the ImageNet-style ResNets: 7x7 stride-2 convolution and 3x3 max pool
// (`imagenet`), or one 3x3 stride-1 convolution for small images (`small`, the usual CIFAR
// variant). `automatic` picks `small` for images of at most 64 x 64.
enum class Stem { automatic, imagenet, small };

struct ModelSpec {
  std::string name = "resnet20";
  Dims input = {3, 32, 32};  // channels x height x width of one sample
  std::int64_t classes = 10;
  Stem stem = Stem::automatic;
  // Channels of the first stage (0: the architecture's own, 16 for CIFAR ResNets, 64 for
  // ImageNet ResNets, 128 hidden units for mlp). Smaller widths make quick tests.
  std::int64_t width = 0;
  std::uint64_t seed = 1;
  // The layer backend (nn/layer_backend.hpp) whose layers the model is made of, and on whose
  // device its flat buffers live; null: the one in scope, else the default (oneDNN).
  const LayerBackend* layers = nullptr;
};

// Builds and initialises a model; unknown names and unusable shapes give InvalidArgument naming
// them (and listing the known models).
std::unique_ptr<Model> build_model(const ModelSpec& spec);

// Parses "3x32x32" (channels x height x width, or "32x32" for one channel) into dims.
Dims parse_image_dims(const std::string& text);

// "resnet20", "resnet32", ... for help texts.
std::vector<std::string> model_names();

}  // namespace decent::nn
