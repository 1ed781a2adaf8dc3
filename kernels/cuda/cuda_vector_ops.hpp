// The CUDA device: its DeviceBackend (core/device.hpp) and VectorOps (core/vector_ops.hpp).
// Code that runs on GPUs links decent_gpu and calls use_cuda_devices() once; the CPU library
// (libdecent.so) never depends on CUDA (docs/design.md, "Devices").
#pragma once

#include <memory>

#include "core/device.hpp"
#include "core/vector_ops.hpp"

namespace decent::cuda {

// The number of CUDA devices this process can use; 0 without a driver or a device.
int device_count();

// Registers the CUDA DeviceBackend, so that DeviceBuffer, Stream and Event work on cuda:N.
// Idempotent. Throws NotSupported (with the driver's reason) when no device is usable.
void use_cuda_devices();

// VectorOps over memory of stream.device(), queued on `stream` (which must outlive the ops).
template <typename T>
std::unique_ptr<VectorOps<T>> make_vector_ops(const Stream& stream);
// The same on a raw cudaStream_t of `device` (for code that owns its stream: the NCCL
// communicator); nullptr is the device's legacy default stream.
template <typename T>
std::unique_ptr<VectorOps<T>> make_vector_ops(const Device& device, void* stream);

}  // namespace decent::cuda
