#include <algorithm>

#include "mix.hpp"

namespace decent::cuda {
namespace {

template <typename T>
struct MixArgs {
  T* x;
  std::size_t count;
  T self_weight;
  int peers;
  const T* source[kMaxMixPeers];
  T weight[kMaxMixPeers];
};

// Same order of operations as the CPU kernel (comm/exchange.cpp): self first, then the peers in
// the topology's order.
template <typename T>
__global__ void mix_kernel(MixArgs<T> a) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < a.count;
       i += stride) {
    T v = a.self_weight * a.x[i];
    for (int k = 0; k < a.peers; ++k) v += a.weight[k] * a.source[k][i];
    a.x[i] = v;
  }
}

template <typename T>
cudaError_t launch(T* x, std::size_t count, double self_weight, const void* const* peers,
                   const double* weights, int peer_count, cudaStream_t stream) {
  if (count == 0) return cudaSuccess;
  constexpr int kThreads = 256;
  const int blocks =
      static_cast<int>(std::min<std::size_t>((count + kThreads - 1) / kThreads, 4096));
  int done = 0;
  do {  // at least one launch, so that the self weight is applied even without peers
    MixArgs<T> a{};
    a.x = x;
    a.count = count;
    a.self_weight = static_cast<T>(done == 0 ? self_weight : 1.0);
    a.peers = std::min(kMaxMixPeers, peer_count - done);
    for (int k = 0; k < a.peers; ++k) {
      a.source[k] = static_cast<const T*>(peers[done + k]);
      a.weight[k] = static_cast<T>(weights[done + k]);
    }
    mix_kernel<T><<<blocks, kThreads, 0, stream>>>(a);
    const cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess) return status;
    done += a.peers;
  } while (done < peer_count);
  return cudaSuccess;
}

}  // namespace

cudaError_t mix(void* x, std::size_t element_size, std::size_t count, double self_weight,
                const void* const* peers, const double* weights, int peer_count,
                cudaStream_t stream) {
  if (element_size == sizeof(float))
    return launch(static_cast<float*>(x), count, self_weight, peers, weights, peer_count, stream);
  return launch(static_cast<double*>(x), count, self_weight, peers, weights, peer_count, stream);
}

}  // namespace decent::cuda
