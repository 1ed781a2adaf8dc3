// Fully connected layer on oneDNN's inner product. A 4-D input (N x C x H x W, any layout) is
// consumed as is, with 4-D weights O x C x H x W whose plain order equals the flat O x (C*H*W)
// matrix: no flatten copy. The output is plain N x O (what the loss reads).
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
constexpr auto f32 = memory::data_type::f32;

class Linear final : public LinearShape {
 public:
  Linear(std::int64_t in, std::int64_t out) : LinearShape(in, out) {}

  const Tensor& forward(const Tensor& x, Mode mode) override {
    const Dims out = output_dims(x.dims());
    auto plan = plans_.get(desc_of(x), mode, [&] {
      auto p = std::make_shared<Plan>();
      p->in = desc_of(x);
      p->mode = mode;
      p->wdims = weight_dims(x.dims());
      p->fwd_pd = {{forward_kind(mode), memory::desc(x.dims(), f32, tag::any),
                    memory::desc(p->wdims, f32, tag::any), plain_desc({out_}), plain_desc(out)},
                   cpu_engine()};
      p->fwd = dnnl::inner_product_forward(p->fwd_pd);
      p->dst = tensor_of(p->fwd_pd.dst_desc());
      return p;
    });
    const Tensor& src = in_layout(x, plan->fwd_pd.src_desc(), plan->src_scratch);
    const Tensor w = flat_in_layout(w_.value, plan->wdims, plan->fwd_pd.weights_desc());
    execute(plan->fwd,
            {{DNNL_ARG_SRC, memory_of(src)},
             {DNNL_ARG_WEIGHTS, memory_of(w)},
             {DNNL_ARG_BIAS, bias(b_.value)},
             {DNNL_ARG_DST, memory_of(plan->dst)}},
            "linear forward");
    if (mode == Mode::train) {
      last_ = plan;
      saved_src_ = src;
    }
    return plan->dst;
  }

  const Tensor& backward(const Tensor& dy) override {
    if (!last_) throw InvalidArgument(describe() + ": backward without a training forward");
    auto& p = *last_;
    if (!p.bwd_ready) make_backward(p);
    const Tensor& d = in_layout(dy, desc_of(p.dst), Scratch::diff_dst);
    Tensor grad = view_of(plain_desc(p.wdims), w_.grad);
    const bool plain_dw = p.bwdw_pd.diff_weights_desc() == desc_of(grad);
    Tensor& dw = plain_dw ? grad : scratch(Scratch::diff_weights, p.bwdw_pd.diff_weights_desc());
    execute(p.bwdw,
            {{DNNL_ARG_SRC, memory_of(saved_src_)},
             {DNNL_ARG_DIFF_DST, memory_of(d)},
             {DNNL_ARG_DIFF_WEIGHTS, memory_of(dw)},
             {DNNL_ARG_DIFF_BIAS, bias(b_.grad)}},
            "linear backward (weights)");
    if (!plain_dw) reorder(dw, grad);
    if (!needs_input_grad_) return p.none;
    const Tensor w = flat_in_layout(w_.value, p.wdims, p.bwdd_pd.weights_desc());
    execute(p.bwdd,
            {{DNNL_ARG_DIFF_DST, memory_of(d)},
             {DNNL_ARG_WEIGHTS, memory_of(w)},
             {DNNL_ARG_DIFF_SRC, memory_of(p.dx)}},
            "linear backward (data)");
    return p.dx;
  }

 private:
  struct Plan {
    memory::desc in;
    Mode mode;
    Dims wdims;
    dnnl::inner_product_forward::primitive_desc fwd_pd;
    dnnl::inner_product_forward fwd;
    Tensor src_scratch, dst;
    bool bwd_ready = false;
    dnnl::inner_product_backward_weights::primitive_desc bwdw_pd;
    dnnl::inner_product_backward_weights bwdw;
    dnnl::inner_product_backward_data::primitive_desc bwdd_pd;
    dnnl::inner_product_backward_data bwdd;
    Tensor dx, none;
  };

  Dims weight_dims(const Dims& in) const {
    Dims w = in;
    w[0] = out_;
    return w;
  }
  memory bias(float* data) const { return memory_of(view_of(plain_desc({out_}), data)); }

  void make_backward(Plan& p) {
    const auto& f = p.fwd_pd;
    p.bwdw_pd = {
        {f.src_desc(), memory::desc(p.wdims, f32, tag::any), plain_desc({out_}), f.dst_desc()},
        cpu_engine(),
        f};
    p.bwdw = dnnl::inner_product_backward_weights(p.bwdw_pd);
    p.bwdd_pd = {{memory::desc(f.src_desc().dims(), f32, tag::any),
                  memory::desc(p.wdims, f32, tag::any), f.dst_desc()},
                 cpu_engine(),
                 f};
    p.bwdd = dnnl::inner_product_backward_data(p.bwdd_pd);
    p.dx = tensor_of(p.bwdd_pd.diff_src_desc());
    p.bwd_ready = true;
  }

  PlanCache<Plan> plans_;
  std::shared_ptr<Plan> last_;
  Tensor saved_src_;
};

}  // namespace

LayerPtr dnnl_linear(std::int64_t in_features, std::int64_t out_features) {
  return std::make_unique<Linear>(in_features, out_features);
}

}  // namespace decent::nn
