// Batch normalisation on oneDNN, optionally fused with the ReLU that follows it (one pass over
// the activations instead of two, forward and backward). Scale and shift are views of the
// model's flat buffers; running statistics are model buffers updated here after each training
// forward.
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "nn/dnnl/context.hpp"
#include "nn/dnnl/dnnl_layers.hpp"
#include "nn/dnnl/plan_cache.hpp"
#include "nn/layer_shapes.hpp"

namespace decent::nn {
namespace {

using dnnl::memory;
using flags = dnnl::normalization_flags;

class BatchNorm2d final : public BatchNormShape {
 public:
  explicit BatchNorm2d(const BatchNormOptions& o) : BatchNormShape(o) {}

  const Tensor& forward(const Tensor& x, Mode mode) override {
    output_dims(x.dims());
    auto plan = plans_.get(desc_of(x), mode, [&] { return make_plan(x, mode); });
    auto& p = *plan;
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory_of(x)},
                                         {DNNL_ARG_DST, memory_of(p.dst)},
                                         {DNNL_ARG_SCALE, vec(scale_.value)},
                                         {DNNL_ARG_SHIFT, vec(shift_.value)}};
    if (mode == Mode::train) {
      args[DNNL_ARG_MEAN] = memory_of(p.mean);
      args[DNNL_ARG_VARIANCE] = memory_of(p.var);
      if (p.workspace) args[DNNL_ARG_WORKSPACE] = p.workspace;
    } else {
      args[DNNL_ARG_MEAN] = vec(running_mean_);
      args[DNNL_ARG_VARIANCE] = vec(running_var_);
    }
    execute(p.fwd, args, "batch_norm2d forward");
    if (mode == Mode::train) {
      update_running_statistics(p, x.dims());
      last_ = plan;
      saved_src_ = x;
    }
    return p.dst;
  }

  const Tensor& backward(const Tensor& dy) override {
    if (!last_) throw InvalidArgument(describe() + ": backward without a training forward");
    auto& p = *last_;
    if (!p.bwd_ready) make_backward(p);
    const Tensor& d = in_layout(dy, p.bwd_pd.diff_dst_desc(), Scratch::diff_dst);
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, memory_of(saved_src_)},
        {DNNL_ARG_MEAN, memory_of(p.mean)},
        {DNNL_ARG_VARIANCE, memory_of(p.var)},
        {DNNL_ARG_DIFF_DST, memory_of(d)},
        // oneDNN 2.6 refuses to run the backward pass without the shift, though it ignores it.
        {DNNL_ARG_SCALE, vec(scale_.value)},
        {DNNL_ARG_SHIFT, vec(shift_.value)},
        {DNNL_ARG_DIFF_SRC, memory_of(p.dx)},
        {DNNL_ARG_DIFF_SCALE, vec(scale_.grad)},
        {DNNL_ARG_DIFF_SHIFT, vec(shift_.grad)}};
    if (p.workspace) args[DNNL_ARG_WORKSPACE] = p.workspace;
    execute(p.bwd, args, "batch_norm2d backward");
    // The input gradient is computed anyway (oneDNN has no weights-only backward).
    return needs_input_grad_ ? p.dx : p.none;
  }

 private:
  struct Plan {
    memory::desc in;
    Mode mode;
    dnnl::batch_normalization_forward::primitive_desc fwd_pd;
    dnnl::batch_normalization_forward fwd;
    Tensor dst, mean, var;
    memory workspace;
    bool bwd_ready = false;
    dnnl::batch_normalization_backward::primitive_desc bwd_pd;
    dnnl::batch_normalization_backward bwd;
    Tensor dx, none;
  };

  memory vec(float* data) const { return memory_of(view_of(plain_desc({o_.channels}), data)); }

  flags layer_flags() const {
    auto f = flags::use_scale | flags::use_shift;
    return o_.fuse_relu ? f | flags::fuse_norm_relu : f;
  }

  std::shared_ptr<Plan> make_plan(const Tensor& x, Mode mode) {
    auto p = std::make_shared<Plan>();
    p->in = desc_of(x);
    p->mode = mode;
    const bool train = mode == Mode::train;
    const auto f = train ? layer_flags() : layer_flags() | flags::use_global_stats;
    p->fwd_pd = {{forward_kind(mode), desc_of(x), o_.epsilon, f}, cpu_engine()};
    p->fwd = dnnl::batch_normalization_forward(p->fwd_pd);
    p->dst = tensor_of(p->fwd_pd.dst_desc());
    if (train) {
      p->mean = Tensor::plain({o_.channels});
      p->var = Tensor::plain({o_.channels});
      // Fused ReLU keeps its mask here; some implementations want one without it too.
      if (p->fwd_pd.workspace_desc().get_size() > 0)
        p->workspace = memory(p->fwd_pd.workspace_desc(), cpu_engine());
    }
    return p;
  }

  void make_backward(Plan& p) {
    p.bwd_pd = {{dnnl::prop_kind::backward, p.fwd_pd.dst_desc(), p.fwd_pd.src_desc(), o_.epsilon,
                 layer_flags()},
                cpu_engine(),
                p.fwd_pd};
    p.bwd = dnnl::batch_normalization_backward(p.bwd_pd);
    p.dx = tensor_of(p.bwd_pd.diff_src_desc());
    p.bwd_ready = true;
  }

  void update_running_statistics(const Plan& p, const Dims& in) {
    const double count = static_cast<double>(in[0] * in[2] * in[3]);
    const float unbias = count > 1 ? static_cast<float>(count / (count - 1)) : 1.0f;
    const float m = o_.momentum;
    for (std::int64_t c = 0; c < o_.channels; ++c) {
      running_mean_[c] = (1 - m) * running_mean_[c] + m * p.mean.data()[c];
      running_var_[c] = (1 - m) * running_var_[c] + m * p.var.data()[c] * unbias;
    }
  }

  PlanCache<Plan> plans_;
  std::shared_ptr<Plan> last_;
  Tensor saved_src_;
};

}  // namespace

LayerPtr dnnl_batch_norm2d(const BatchNormOptions& options) {
  return std::make_unique<BatchNorm2d>(options);
}

}  // namespace decent::nn
