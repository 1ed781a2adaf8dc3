// decent_model_*: validates arguments and forwards to cpp/nn.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include "api_guard.hpp"
#include "handles.hpp"
#include "live_handles.hpp"
#include "nn/builders.hpp"
#include "nn/model_file.hpp"
#include "nn/threads.hpp"
#include "train/files.hpp"

namespace {

using decent::capi::require;
using decent::capi::require_count;

decent::nn::Model& model_of(const decent_model* m) {
  auto& h = decent::capi::live(m, "decent_model", "model");
  if (!h.impl) throw decent::InvalidArgument("argument 'model' is not a live model");
  return *h.impl;
}

// The caller's array must hold exactly `needed` values: a different size is a mistake (a model
// of another shape), not a buffer to fill partially.
void require_exact(std::size_t count, std::size_t needed, const char* argument) {
  if (count != needed)
    throw decent::InvalidArgument(
        fmt::format("argument '{}' holds {} values; the model needs {}", argument, count, needed));
}

}  // namespace

extern "C" {

decent_status decent_model_create(const char* name, int64_t channels, int64_t height, int64_t width,
                                  int64_t classes, uint64_t seed, decent_model** out) {
  DECENT_API_BEGIN();
  require(out, "out") = nullptr;
  decent::nn::ModelSpec spec;
  spec.name = &require(name, "name");
  spec.input = {channels, height, width};
  spec.classes = classes;
  spec.seed = seed;
  auto m = std::make_unique<decent_model>();
  m->impl = decent::nn::build_model(spec);
  *out = decent::capi::publish(std::move(m), "decent_model");
  DECENT_API_END();
}

void decent_model_free(decent_model* model) {
  decent::capi::retire(model, "decent_model", __func__);
}

decent_status decent_model_parameter_count(const decent_model* model, int64_t* parameters,
                                           int64_t* buffers) {
  DECENT_API_BEGIN();
  auto& m = model_of(model);
  if (parameters) *parameters = m.parameter_count();
  if (buffers) *buffers = static_cast<int64_t>(m.buffers().size());
  DECENT_API_END();
}

decent_status decent_model_shape(const decent_model* model, int64_t* channels, int64_t* height,
                                 int64_t* width, int64_t* classes) {
  DECENT_API_BEGIN();
  auto& m = model_of(model);
  if (channels) *channels = m.input_dims()[0];
  if (height) *height = m.input_dims()[1];
  if (width) *width = m.input_dims()[2];
  if (classes) *classes = m.classes();
  DECENT_API_END();
}

decent_status decent_model_get_parameters(const decent_model* model, float* out, size_t count) {
  DECENT_API_BEGIN();
  auto& m = model_of(model);
  require_exact(count, m.parameters().size(), "count");
  if (count) std::copy(m.parameters().begin(), m.parameters().end(), &require(out, "out"));
  DECENT_API_END();
}

decent_status decent_model_set_parameters(decent_model* model, const float* values, size_t count) {
  DECENT_API_BEGIN();
  auto& m = model_of(model);
  require_exact(count, m.parameters().size(), "count");
  if (count) std::copy(&require(values, "values"), values + count, m.parameters().begin());
  DECENT_API_END();
}

decent_status decent_model_get_buffers(const decent_model* model, float* out, size_t count) {
  DECENT_API_BEGIN();
  auto& m = model_of(model);
  require_exact(count, m.buffers().size(), "count");
  if (count) std::copy(m.buffers().begin(), m.buffers().end(), &require(out, "out"));
  DECENT_API_END();
}

decent_status decent_model_set_buffers(decent_model* model, const float* values, size_t count) {
  DECENT_API_BEGIN();
  auto& m = model_of(model);
  require_exact(count, m.buffers().size(), "count");
  if (count) std::copy(&require(values, "values"), values + count, m.buffers().begin());
  DECENT_API_END();
}

decent_status decent_model_predict(decent_model* model, const float* images, size_t images_count,
                                   int64_t batch, float* logits, size_t logits_count) {
  DECENT_API_BEGIN();
  auto& m = model_of(model);
  require(images, "images");
  require(logits, "logits");
  if (batch < 1) throw decent::InvalidArgument(fmt::format("batch {}: expected >= 1", batch));
  require_exact(images_count, static_cast<std::size_t>(batch * m.sample_size()), "images_count");
  require_count(logits_count, static_cast<std::size_t>(batch * m.classes()), "logits");
  m.predict(std::span(images, images_count), batch, std::span(logits, logits_count));
  DECENT_API_END();
}

decent_status decent_model_save(const decent_model* model, const char* path) {
  DECENT_API_BEGIN();
  const auto bytes = decent::nn::encode_model(model_of(model));
  decent::train::write_file_atomically(&require(path, "path"), bytes);
  DECENT_API_END();
}

decent_status decent_model_load(const char* path, decent_model** out) {
  DECENT_API_BEGIN();
  require(out, "out") = nullptr;
  const std::string file = &require(path, "path");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw decent::IoError("file " + file + ": cannot be opened");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto m = std::make_unique<decent_model>();
  m->impl = decent::nn::decode_model(bytes, "file " + file);
  *out = decent::capi::publish(std::move(m), "decent_model");
  DECENT_API_END();
}

decent_status decent_model_save_to_memory(const decent_model* model, void* buffer, size_t capacity,
                                          size_t* size) {
  DECENT_API_BEGIN();
  const auto bytes = decent::nn::encode_model(model_of(model));
  require(size, "size") = bytes.size();
  if (capacity > 0) require(static_cast<char*>(buffer), "buffer");
  decent::capi::require_count(capacity, bytes.size(), "buffer (capacity, in bytes)");
  std::memcpy(buffer, bytes.data(), bytes.size());
  DECENT_API_END();
}

decent_status decent_model_load_from_memory(const void* buffer, size_t size, decent_model** out) {
  DECENT_API_BEGIN();
  require(out, "out") = nullptr;
  const auto* bytes = &require(static_cast<const char*>(buffer), "buffer");
  auto m = std::make_unique<decent_model>();
  m->impl = decent::nn::decode_model(std::string_view(bytes, size), "buffer");
  *out = decent::capi::publish(std::move(m), "decent_model");
  DECENT_API_END();
}

decent_status decent_set_threads(int threads) {
  DECENT_API_BEGIN();
  if (threads < 1 || threads > 1024)
    throw decent::InvalidArgument(fmt::format("threads {}: expected 1 to 1024", threads));
  decent::nn::set_threads(threads);
  DECENT_API_END();
}

}  // extern "C"
