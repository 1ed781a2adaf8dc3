// ReLU on oneDNN's eltwise primitive, in whatever layout its input has.
#include <string>

#include "core/error.hpp"
#include "nn/dnnl/context.hpp"
#include "nn/dnnl/dnnl_layers.hpp"
#include "nn/dnnl/plan_cache.hpp"
#include "nn/layer_shapes.hpp"

namespace decent::nn {
namespace {

using dnnl::memory;

class Relu final : public ReluShape {
 public:
  const Tensor& forward(const Tensor& x, Mode mode) override {
    output_dims(x.dims());
    auto plan = plans_.get(desc_of(x), mode, [&] {
      auto p = std::make_shared<Plan>();
      p->in = desc_of(x);
      p->mode = mode;
      p->fwd_pd = {{forward_kind(mode), dnnl::algorithm::eltwise_relu, desc_of(x), 0.f, 0.f},
                   cpu_engine()};
      p->fwd = dnnl::eltwise_forward(p->fwd_pd);
      p->dst = tensor_of(p->fwd_pd.dst_desc());
      return p;
    });
    execute(plan->fwd, {{DNNL_ARG_SRC, memory_of(x)}, {DNNL_ARG_DST, memory_of(plan->dst)}},
            "relu forward");
    if (mode == Mode::train) {
      last_ = plan;
      saved_src_ = x;
    }
    return plan->dst;
  }

  const Tensor& backward(const Tensor& dy) override {
    if (!last_) throw InvalidArgument("relu: backward without a training forward");
    auto& p = *last_;
    if (!needs_input_grad_) return p.none;
    if (!p.bwd_ready) {
      p.bwd_pd = {{dnnl::algorithm::eltwise_relu, p.fwd_pd.dst_desc(), p.in, 0.f, 0.f},
                  cpu_engine(),
                  p.fwd_pd};
      p.bwd = dnnl::eltwise_backward(p.bwd_pd);
      p.dx = tensor_of(p.bwd_pd.diff_src_desc());
      p.bwd_ready = true;
    }
    const Tensor& d = in_layout(dy, p.bwd_pd.diff_dst_desc(), Scratch::diff_dst);
    execute(p.bwd,
            {{DNNL_ARG_SRC, memory_of(saved_src_)},
             {DNNL_ARG_DIFF_DST, memory_of(d)},
             {DNNL_ARG_DIFF_SRC, memory_of(p.dx)}},
            "relu backward");
    return p.dx;
  }

 private:
  struct Plan {
    memory::desc in;
    Mode mode;
    dnnl::eltwise_forward::primitive_desc fwd_pd;
    dnnl::eltwise_forward fwd;
    Tensor dst;
    bool bwd_ready = false;
    dnnl::eltwise_backward::primitive_desc bwd_pd;
    dnnl::eltwise_backward bwd;
    Tensor dx, none;
  };
  PlanCache<Plan> plans_;
  std::shared_ptr<Plan> last_;
  Tensor saved_src_;
};

}  // namespace

LayerPtr dnnl_relu() {
  return std::make_unique<Relu>();
}

}  // namespace decent::nn
