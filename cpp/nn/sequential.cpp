// Composite layers: a chain of layers, and the residual block relu(main(x) + shortcut(x)).
#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "kernels/nn_body.hpp"
#include "nn/backend.hpp"
#include "nn/layer_backend.hpp"
#include "nn/layer_shapes.hpp"
#include "nn/layers.hpp"

namespace decent::nn {
namespace {

class Sequential final : public Layer {
 public:
  explicit Sequential(std::vector<LayerPtr> layers) : layers_(std::move(layers)) {
    for (const auto& l : layers_)
      if (!l) throw InvalidArgument("sequential: a layer is null");
  }

  std::string describe() const override {
    return "sequential(" + std::to_string(layers_.size()) + " layers)";
  }
  Dims output_dims(const Dims& in) const override {
    Dims d = in;
    for (const auto& l : layers_) d = l->output_dims(d);
    return d;
  }
  std::vector<Layer*> children() override {
    std::vector<Layer*> c;
    for (auto& l : layers_) c.push_back(l.get());
    return c;
  }
  void set_needs_input_grad(bool needed) override {
    needs_input_grad_ = needed;
    if (!layers_.empty()) layers_.front()->set_needs_input_grad(needed);
  }

  const Tensor& forward(const Tensor& x, Mode mode) override {
    const Tensor* t = &x;
    for (auto& l : layers_) t = &l->forward(*t, mode);
    return *t;
  }
  const Tensor& backward(const Tensor& dy) override {
    const Tensor* g = &dy;
    for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) g = &(*it)->backward(*g);
    return *g;
  }

 private:
  std::vector<LayerPtr> layers_;
};

class Residual final : public ResidualShape {
 public:
  Residual(LayerPtr main, LayerPtr shortcut)
      : ResidualShape(std::move(main), std::move(shortcut)) {}

  // out = relu(a + b), in a's layout.
  const Tensor& forward(const Tensor& x, Mode mode) override {
    output_dims(x.dims());
    const Tensor& a = main_->forward(x, mode);
    require_host(a, "residual");
    const Tensor& b =
        to_layout(shortcut_ ? shortcut_->forward(x, mode) : x, a.layout(), Scratch::diff_dst);
    Tensor& out = mode == Mode::train ? out_train_ : out_infer_;
    if (out.empty() || !out.same_layout(a)) out = Tensor(a.layout_ptr());
    const float* pa = a.data();
    const float* pb = b.data();
    float* po = out.data();
    const auto n = static_cast<std::int64_t>(a.storage_size());
    const kernels::ResidualAddRelu f{pa, pb, po};
#pragma omp parallel for simd schedule(static)
    for (std::int64_t i = 0; i < n; ++i) f(static_cast<std::size_t>(i));
    return out;
  }

  // g = dy * [out > 0] flows into both branches; dx = main'(g) + shortcut'(g).
  const Tensor& backward(const Tensor& dy) override {
    if (out_train_.empty()) throw InvalidArgument("residual: backward without a training forward");
    require_host(dy, "residual");
    const Tensor& d = to_layout(dy, out_train_.layout(), Scratch::diff_dst);
    if (g_.empty() || !g_.same_layout(d)) g_ = Tensor(d.layout_ptr());
    mask(d, out_train_, g_);
    const Tensor& ga = main_->backward(g_);
    const Tensor& gb = shortcut_ ? shortcut_->backward(g_) : g_;
    if (!needs_input_grad_) return none_;
    const Tensor& gb2 = to_layout(gb, ga.layout(), Scratch::diff_dst);
    // The sum goes into ga's storage: it is the main branch's input gradient, which that layer
    // only writes, so no extra activation-sized buffer per block is needed.
    Tensor sum = ga;
    float* pa = sum.data();
    const float* pb = gb2.data();
    const auto n = static_cast<std::int64_t>(ga.storage_size());
    const kernels::AddInto f{pa, pb};
#pragma omp parallel for simd schedule(static)
    for (std::int64_t i = 0; i < n; ++i) f(static_cast<std::size_t>(i));
    dx_ = sum;
    return dx_;
  }

 private:
  static void mask(const Tensor& dy, const Tensor& out, Tensor& g) {
    const float* pd = dy.data();
    const float* po = out.data();
    float* pg = g.data();
    const auto n = static_cast<std::int64_t>(out.storage_size());
    const kernels::ReluMask f{pd, po, pg};
#pragma omp parallel for simd schedule(static)
    for (std::int64_t i = 0; i < n; ++i) f(static_cast<std::size_t>(i));
  }

  Tensor out_train_, out_infer_, g_, dx_, none_;
};

}  // namespace

LayerPtr make_sequential(std::vector<LayerPtr> layers) {
  return std::make_unique<Sequential>(std::move(layers));
}
LayerPtr host_residual(LayerPtr main, LayerPtr shortcut) {
  return std::make_unique<Residual>(std::move(main), std::move(shortcut));
}
LayerPtr make_residual(LayerPtr main, LayerPtr shortcut) {
  return current_layer_backend().residual(std::move(main), std::move(shortcut));
}

}  // namespace decent::nn
