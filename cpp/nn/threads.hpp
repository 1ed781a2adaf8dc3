// CPU threads of the layers (oneDNN on OpenMP) and decent's own loops, per calling thread. With
// oneDNN these are OpenMP's settings (cpp/nn/dnnl/context.cpp); a build without it computes its
// host loops on one thread (cpp/nn/threads_serial.cpp).
#pragma once

namespace decent::nn {

// Threads for oneDNN and decent's own loops on the calling thread (n >= 1; InvalidArgument
// otherwise), and the current count. The default is OMP_NUM_THREADS, else the number of cores.
void set_threads(int n);
int threads();

}  // namespace decent::nn
