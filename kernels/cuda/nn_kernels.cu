// The device side of kernels/nn_body.hpp: cuda::each (vector_kernels.hpp) for the residual,
// loss and pooling functors, which the cuDNN backend's layers will launch. Built without fused
// multiply-adds like the other kernels.
#include "../batch_norm_body.hpp"
#include "../nn_body.hpp"
#include "each.cuh"

namespace decent::cuda {

#define DECENT_EACH(F) template int each<F>(std::size_t, const F&, void*);
DECENT_EACH(kernels::ResidualAddRelu)
DECENT_EACH(kernels::ReluMask)
DECENT_EACH(kernels::AddInto)
DECENT_EACH(kernels::ResidualSum)
DECENT_EACH(kernels::SoftmaxCrossEntropyRow)
DECENT_EACH(kernels::MaxPoolForward)
DECENT_EACH(kernels::MaxPoolBackward)
DECENT_EACH(kernels::AvgPoolForward)
DECENT_EACH(kernels::AvgPoolBackward)
DECENT_EACH(kernels::ReluForward)
DECENT_EACH(kernels::AddBias)
DECENT_EACH(kernels::ColumnSums)
DECENT_EACH(kernels::NchwToNhwc)
DECENT_EACH(kernels::NhwcToNchw)
DECENT_EACH(kernels::ChannelPartialSums)
DECENT_EACH(kernels::ChannelReduce)
DECENT_EACH(kernels::BatchNormTrainStatistics)
DECENT_EACH(kernels::BatchNormInferStatistics)
DECENT_EACH(kernels::BatchNormApply)
DECENT_EACH(kernels::BatchNormBackwardPartials)
DECENT_EACH(kernels::BatchNormParamGrads)
DECENT_EACH(kernels::BatchNormBackwardData)

}  // namespace decent::cuda
