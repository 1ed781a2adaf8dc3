// Convolution on oneDNN. Activations use the layout oneDNN prefers ("any"); weights stay plain
// (out x in x k x k) in the model's flat buffer, so that mixing, checkpoints and the C ABI see one
// format, and are reordered into the primitive's layout at each forward (cheap next to the
// convolution itself).
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

class Conv2d final : public Conv2dShape {
 public:
  explicit Conv2d(const Conv2dOptions& o) : Conv2dShape(o) {}

  const Tensor& forward(const Tensor& x, Mode mode) override {
    auto plan = plans_.get(desc_of(x), mode, [&] { return make_plan(x, mode); });
    const Tensor& src = in_layout(x, plan->fwd_pd.src_desc(), plan->src_scratch);
    const Tensor w = flat_in_layout(w_.value, weight_dims(), plan->fwd_pd.weights_desc());
    execute(plan->fwd,
            {{DNNL_ARG_SRC, memory_of(src)},
             {DNNL_ARG_WEIGHTS, memory_of(w)},
             {DNNL_ARG_DST, memory_of(plan->dst)}},
            "conv2d forward");
    if (mode == Mode::train) {
      last_ = plan;
      saved_src_ = src;  // shares storage: the producer keeps it until its next forward
    }
    return plan->dst;
  }

  const Tensor& backward(const Tensor& dy) override {
    if (!last_) throw InvalidArgument(describe() + ": backward without a training forward");
    auto& p = *last_;
    if (!p.bwd_ready || (needs_input_grad_ && !p.bwdd_ready)) make_backward(p);
    const Tensor& dyw = in_layout(dy, p.bwdw_pd.diff_dst_desc(), Scratch::diff_dst);
    Tensor grad = view_of(plain_desc(weight_dims()), w_.grad);
    Tensor& dw =
        p.diff_weights_plain ? grad : scratch(Scratch::diff_weights, p.bwdw_pd.diff_weights_desc());
    execute(p.bwdw,
            {{DNNL_ARG_SRC, memory_of(saved_src_)},
             {DNNL_ARG_DIFF_DST, memory_of(dyw)},
             {DNNL_ARG_DIFF_WEIGHTS, memory_of(dw)}},
            "conv2d backward (weights)");
    if (!p.diff_weights_plain) reorder(dw, grad);
    if (!needs_input_grad_) return p.none;
    const Tensor& dyd = in_layout(dy, p.bwdd_pd.diff_dst_desc(), Scratch::diff_dst);
    const Tensor w = flat_in_layout(w_.value, weight_dims(), p.bwdd_pd.weights_desc());
    execute(p.bwdd,
            {{DNNL_ARG_DIFF_DST, memory_of(dyd)},
             {DNNL_ARG_WEIGHTS, memory_of(w)},
             {DNNL_ARG_DIFF_SRC, memory_of(p.dx)}},
            "conv2d backward (data)");
    return p.dx;
  }

 private:
  struct Plan {
    memory::desc in;
    Mode mode;
    dnnl::convolution_forward::primitive_desc fwd_pd;
    dnnl::convolution_forward fwd;
    Tensor src_scratch, dst;
    bool bwd_ready = false;
    dnnl::convolution_backward_weights::primitive_desc bwdw_pd;
    dnnl::convolution_backward_weights bwdw;
    dnnl::convolution_backward_data::primitive_desc bwdd_pd;
    dnnl::convolution_backward_data bwdd;
    bool bwdd_ready = false;
    bool diff_weights_plain = false;
    Tensor dx, none;
  };

  memory::dims strides() const { return {o_.stride, o_.stride}; }
  memory::dims pads() const { return {o_.padding, o_.padding}; }

  std::shared_ptr<Plan> make_plan(const Tensor& x, Mode mode) {
    const Dims out = output_dims(x.dims());
    auto p = std::make_shared<Plan>();
    p->in = desc_of(x);
    p->mode = mode;
    const memory::desc src(x.dims(), f32, tag::any), wei(weight_dims(), f32, tag::any),
        dst(out, f32, tag::any);
    const auto prop = forward_kind(mode);
    p->fwd_pd = {
        {prop, dnnl::algorithm::convolution_direct, src, wei, dst, strides(), pads(), pads()},
        cpu_engine()};
    p->fwd = dnnl::convolution_forward(p->fwd_pd);
    p->dst = tensor_of(p->fwd_pd.dst_desc());
    return p;
  }

  void make_backward(Plan& p) {
    const auto& f = p.fwd_pd;
    const memory::desc wei_any(weight_dims(), f32, tag::any),
        dst_any(f.dst_desc().dims(), f32, tag::any);
    p.bwdw_pd = {{dnnl::algorithm::convolution_direct, f.src_desc(), wei_any, dst_any, strides(),
                  pads(), pads()},
                 cpu_engine(),
                 f};
    p.bwdw = dnnl::convolution_backward_weights(p.bwdw_pd);
    p.diff_weights_plain = p.bwdw_pd.diff_weights_desc() == plain_desc(weight_dims());
    p.bwd_ready = true;
    // The first layer of a model needs no input gradient: skip the primitive and its buffer.
    if (!needs_input_grad_) return;
    const memory::desc src_any(f.src_desc().dims(), f32, tag::any);
    p.bwdd_pd = {
        {dnnl::algorithm::convolution_direct, src_any, wei_any, dst_any, strides(), pads(), pads()},
        cpu_engine(),
        f};
    p.bwdd = dnnl::convolution_backward_data(p.bwdd_pd);
    p.dx = tensor_of(p.bwdd_pd.diff_src_desc());
    p.bwdd_ready = true;
  }

  PlanCache<Plan> plans_;
  std::shared_ptr<Plan> last_;
  Tensor saved_src_;
};

}  // namespace

LayerPtr dnnl_conv2d(const Conv2dOptions& options) {
  return std::make_unique<Conv2d>(options);
}

}  // namespace decent::nn
