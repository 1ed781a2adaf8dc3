// Device-side mixing for the NCCL communicator: x <- self * x + sum_k w_k * peer_k, on a stream.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

namespace decent::cuda {

// Peers per kernel launch; more are handled by further launches that add onto x.
inline constexpr int kMaxMixPeers = 16;

// Queues the mixing on `stream` for float (element_size 4) or double (8) values. peers and
// weights are host arrays of `peer_count` entries (device pointers and their weights). Returns
// the launch's error code.
cudaError_t mix(void* x, std::size_t element_size, std::size_t count, double self_weight,
                const void* const* peers, const double* weights, int peer_count,
                cudaStream_t stream);

}  // namespace decent::cuda
