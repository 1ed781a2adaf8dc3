#include "nn/builders.hpp"

#include <charconv>

#include "core/error.hpp"
#include "core/parse.hpp"
#include "nn/layer_backend.hpp"
#include "nn/layers.hpp"

namespace decent::nn {
namespace {

LayerPtr conv(std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t stride) {
  return make_conv2d({in, out, k, stride, k / 2});
}
LayerPtr bn(std::int64_t c, bool relu) {
  return make_batch_norm2d({c, 0.1f, 1e-5f, relu});
}

std::vector<LayerPtr> layers(LayerPtr a, LayerPtr b) {
  std::vector<LayerPtr> v;
  v.push_back(std::move(a));
  v.push_back(std::move(b));
  return v;
}

// 1x1 projection with batch norm where the block changes the shape (ResNet "option B").
LayerPtr shortcut(std::int64_t in, std::int64_t out, std::int64_t stride) {
  if (in == out && stride == 1) return nullptr;
  return make_sequential(layers(conv(in, out, 1, stride), bn(out, false)));
}

// conv3x3(s)-bn-relu-conv3x3-bn, plus shortcut, then relu.
LayerPtr basic_block(std::int64_t in, std::int64_t out, std::int64_t stride) {
  std::vector<LayerPtr> main;
  main.push_back(conv(in, out, 3, stride));
  main.push_back(bn(out, true));
  main.push_back(conv(out, out, 3, 1));
  main.push_back(bn(out, false));
  return make_residual(make_sequential(std::move(main)), shortcut(in, out, stride));
}

// 1x1 reduce - 3x3(s) - 1x1 expand by 4 (stride on the 3x3, as torchvision's ResNet v1.5).
LayerPtr bottleneck_block(std::int64_t in, std::int64_t width, std::int64_t stride) {
  std::vector<LayerPtr> main;
  main.push_back(conv(in, width, 1, 1));
  main.push_back(bn(width, true));
  main.push_back(conv(width, width, 3, stride));
  main.push_back(bn(width, true));
  main.push_back(conv(width, 4 * width, 1, 1));
  main.push_back(bn(4 * width, false));
  return make_residual(make_sequential(std::move(main)), shortcut(in, 4 * width, stride));
}

void head(std::vector<LayerPtr>& net, std::int64_t features, std::int64_t classes) {
  net.push_back(make_global_avg_pool());
  net.push_back(make_linear(features, classes));
}

// CIFAR ResNet (He et al. 2016, section 4.2): depth 6n+2, stages of 16/32/64 channels.
LayerPtr cifar_resnet(int depth, const ModelSpec& s) {
  const int n = (depth - 2) / 6;
  const auto w = s.width > 0 ? s.width : 16;
  std::vector<LayerPtr> net;
  net.push_back(conv(s.input[0], w, 3, 1));
  net.push_back(bn(w, true));
  std::int64_t in = w;
  for (int stage = 0; stage < 3; ++stage) {
    const auto out = w << stage;
    for (int b = 0; b < n; ++b) {
      net.push_back(basic_block(in, out, (stage > 0 && b == 0) ? 2 : 1));
      in = out;
    }
  }
  head(net, in, s.classes);
  return make_sequential(std::move(net));
}

// ImageNet ResNet: four stages of 64/128/256/512 (times 4 out of a bottleneck).
LayerPtr imagenet_resnet(const std::vector<int>& blocks, bool bottleneck, const ModelSpec& s) {
  const auto w = s.width > 0 ? s.width : 64;
  const bool small =
      s.stem == Stem::small || (s.stem == Stem::automatic && s.input[1] <= 64 && s.input[2] <= 64);
  std::vector<LayerPtr> net;
  if (small) {
    net.push_back(conv(s.input[0], w, 3, 1));
    net.push_back(bn(w, true));
  } else {
    net.push_back(make_conv2d({s.input[0], w, 7, 2, 3}));
    net.push_back(bn(w, true));
    net.push_back(make_max_pool2d({3, 2, 1}));
  }
  std::int64_t in = w;
  for (std::size_t stage = 0; stage < blocks.size(); ++stage) {
    const auto width = w << stage;
    for (int b = 0; b < blocks[stage]; ++b) {
      const std::int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
      net.push_back(bottleneck ? bottleneck_block(in, width, stride)
                               : basic_block(in, width, stride));
      in = bottleneck ? 4 * width : width;
    }
  }
  head(net, in, s.classes);
  return make_sequential(std::move(net));
}

LayerPtr mlp(const ModelSpec& s) {
  const auto hidden = s.width > 0 ? s.width : 128;
  std::vector<LayerPtr> net;
  net.push_back(make_linear(s.input[0] * s.input[1] * s.input[2], hidden));
  net.push_back(make_relu());
  net.push_back(make_linear(hidden, s.classes));
  return make_sequential(std::move(net));
}

// LeNet-5 shape (conv 5x5 -> 6, pool, conv 5x5 -> 16, pool, 120, 84), with ReLU and max pool.
std::vector<LayerPtr> lenet_features(std::int64_t channels) {
  std::vector<LayerPtr> net;
  net.push_back(make_conv2d({channels, 6, 5, 1, 2}));
  net.push_back(make_relu());
  net.push_back(make_max_pool2d({2, 2, 0}));
  net.push_back(make_conv2d({6, 16, 5, 1, 0}));
  net.push_back(make_relu());
  net.push_back(make_max_pool2d({2, 2, 0}));
  return net;
}

LayerPtr lenet(const ModelSpec& s) {
  const Dims d = make_sequential(lenet_features(s.input[0]))
                     ->output_dims({1, s.input[0], s.input[1], s.input[2]});
  auto net = lenet_features(s.input[0]);
  net.push_back(make_linear(d[1] * d[2] * d[3], 120));
  net.push_back(make_relu());
  net.push_back(make_linear(120, 84));
  net.push_back(make_relu());
  net.push_back(make_linear(84, s.classes));
  return make_sequential(std::move(net));
}

bool parse_depth(const std::string& s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string known_list() {
  std::string s;
  for (const auto& n : model_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

Dims parse_image_dims(const std::string& text) {
  Dims d;
  for (const auto& piece : split(text, 'x')) d.push_back(parse_int(piece, "image dimension"));
  if (d.size() == 2) d.insert(d.begin(), 1);
  if (d.size() != 3 || d[0] < 1 || d[1] < 1 || d[2] < 1)
    throw InvalidArgument("image dims \"" + text +
                          "\": expected CxHxW (e.g. 3x32x32) or HxW, each >= 1");
  return d;
}

std::vector<std::string> model_names() {
  return {"resnet20", "resnet32", "resnet44",  "resnet56",  "resnet110", "resnet18",
          "resnet34", "resnet50", "resnet101", "resnet152", "mlp",       "lenet"};
}

std::unique_ptr<Model> build_model(const ModelSpec& s) {
  // Every layer, and the model's flat buffers, come from the spec's backend.
  const ScopedLayerBackend scope(s.layers ? *s.layers : current_layer_backend());
  if (s.input.size() != 3 || s.input[0] < 1 || s.input[1] < 1 || s.input[2] < 1)
    throw InvalidArgument("model " + s.name + ": input " + to_string(s.input) +
                          ": expected channels x height x width, each >= 1");
  if (s.classes < 2)
    throw InvalidArgument("model " + s.name + ": " + std::to_string(s.classes) +
                          " classes; expected at least 2");
  if (s.width < 0) throw InvalidArgument("model " + s.name + ": width must be >= 0");
  LayerPtr net;
  int depth = 0;
  const bool resnet = s.name.rfind("resnet", 0) == 0 && parse_depth(s.name.substr(6), depth);
  if (resnet && depth == 18)
    net = imagenet_resnet({2, 2, 2, 2}, false, s);
  else if (resnet && depth == 34)
    net = imagenet_resnet({3, 4, 6, 3}, false, s);
  else if (resnet && depth == 50)
    net = imagenet_resnet({3, 4, 6, 3}, true, s);
  else if (resnet && depth == 101)
    net = imagenet_resnet({3, 4, 23, 3}, true, s);
  else if (resnet && depth == 152)
    net = imagenet_resnet({3, 8, 36, 3}, true, s);
  else if (resnet && depth >= 8 && (depth - 2) % 6 == 0)
    net = cifar_resnet(depth, s);
  else if (s.name == "mlp")
    net = mlp(s);
  else if (s.name == "lenet")
    net = lenet(s);
  else if (resnet)
    throw InvalidArgument("model \"" + s.name +
                          "\": a CIFAR ResNet needs depth 6n+2 (8, 14, 20, "
                          "...) and an ImageNet one 18, 34, 50, 101 or 152");
  else
    throw InvalidArgument("model \"" + s.name + "\": unknown; expected one of " + known_list());
  auto model = std::make_unique<Model>(s.name, std::move(net), s.input, s.classes, s.seed);
  model->set_recipe(s.width, static_cast<int>(s.stem));
  return model;
}

}  // namespace decent::nn
