// Max, average and global average pooling on oneDNN, in the layout of their input.
#include <string>

#include "core/error.hpp"
#include "nn/dnnl/context.hpp"
#include "nn/dnnl/dnnl_layers.hpp"
#include "nn/dnnl/plan_cache.hpp"
#include "nn/layer_shapes.hpp"

namespace decent::nn {
namespace {

using dnnl::memory;
using tag = memory::format_tag;

dnnl::algorithm algorithm_of(PoolKind kind) {
  switch (kind) {
    case PoolKind::max: return dnnl::algorithm::pooling_max;
    case PoolKind::average: return dnnl::algorithm::pooling_avg_include_padding;
    case PoolKind::global_average: break;
  }
  return dnnl::algorithm::pooling_avg_exclude_padding;  // no padding: either average
}

class Pool final : public PoolShape {
 public:
  Pool(PoolKind kind, const PoolOptions& o)
      : PoolShape(kind, o), algo_(algorithm_of(kind)), global_(kind == PoolKind::global_average) {}

  const Tensor& forward(const Tensor& x, Mode mode) override {
    const Dims out = output_dims(x.dims());
    auto plan = plans_.get(desc_of(x), mode, [&] {
      auto p = std::make_shared<Plan>();
      p->in = desc_of(x);
      p->mode = mode;
      const auto w = window(x.dims());
      p->fwd_pd = {
          {forward_kind(mode), algo_, desc_of(x),
           memory::desc(out, memory::data_type::f32, tag::any), w.strides, w.kernel, w.pad, w.pad},
          cpu_engine()};
      p->fwd = dnnl::pooling_forward(p->fwd_pd);
      p->dst = tensor_of(p->fwd_pd.dst_desc());
      if (mode == Mode::train && algo_ == dnnl::algorithm::pooling_max)
        p->workspace = memory(p->fwd_pd.workspace_desc(), cpu_engine());
      return p;
    });
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory_of(x)},
                                         {DNNL_ARG_DST, memory_of(plan->dst)}};
    if (plan->workspace) args[DNNL_ARG_WORKSPACE] = plan->workspace;
    execute(plan->fwd, args, "pooling forward");
    if (mode == Mode::train) last_ = plan;
    return plan->dst;
  }

  const Tensor& backward(const Tensor& dy) override {
    if (!last_) throw InvalidArgument(describe() + ": backward without a training forward");
    auto& p = *last_;
    if (!needs_input_grad_) return p.none;
    if (!p.bwd_ready) {
      const auto w = window(p.in.dims());
      p.bwd_pd = {{algo_, p.in, p.fwd_pd.dst_desc(), w.strides, w.kernel, w.pad, w.pad},
                  cpu_engine(),
                  p.fwd_pd};
      p.bwd = dnnl::pooling_backward(p.bwd_pd);
      p.dx = tensor_of(p.bwd_pd.diff_src_desc());
      p.bwd_ready = true;
    }
    const Tensor& d = in_layout(dy, p.bwd_pd.diff_dst_desc(), Scratch::diff_dst);
    std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, memory_of(d)},
                                         {DNNL_ARG_DIFF_SRC, memory_of(p.dx)}};
    if (p.workspace) args[DNNL_ARG_WORKSPACE] = p.workspace;
    execute(p.bwd, args, "pooling backward");
    return p.dx;
  }

 private:
  struct Window {
    memory::dims strides, kernel, pad;
  };
  Window window(const Dims& in) const {
    if (global_) return {{1, 1}, {in[2], in[3]}, {0, 0}};
    return {{o_.stride, o_.stride}, {o_.kernel, o_.kernel}, {o_.padding, o_.padding}};
  }

  struct Plan {
    memory::desc in;
    Mode mode;
    dnnl::pooling_forward::primitive_desc fwd_pd;
    dnnl::pooling_forward fwd;
    Tensor dst;
    memory workspace;
    bool bwd_ready = false;
    dnnl::pooling_backward::primitive_desc bwd_pd;
    dnnl::pooling_backward bwd;
    Tensor dx, none;
  };

  dnnl::algorithm algo_;
  bool global_;
  PlanCache<Plan> plans_;
  std::shared_ptr<Plan> last_;
};

}  // namespace

LayerPtr dnnl_max_pool2d(const PoolOptions& o) {
  return std::make_unique<Pool>(PoolKind::max, o);
}
LayerPtr dnnl_avg_pool2d(const PoolOptions& o) {
  return std::make_unique<Pool>(PoolKind::average, o);
}
LayerPtr dnnl_global_avg_pool() {
  return std::make_unique<Pool>(PoolKind::global_average, PoolOptions{});
}

}  // namespace decent::nn
