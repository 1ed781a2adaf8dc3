// The dataset, model and trainer entry points in a build without oneDNN
// (DECENT_WITH_DNNL=OFF): they exist, as decent.h promises, and fail with
// DECENT_ERR_NOT_SUPPORTED.
#include "api_guard.hpp"

namespace {
decent_status absent(const char* function) {
  return decent::capi::set_error(
      DECENT_ERR_NOT_SUPPORTED,
      fmt::format("{}: this libdecent was built without oneDNN (DECENT_WITH_DNNL=OFF); datasets, "
                  "models and training need it",
                  function));
}
}  // namespace

#define DECENT_ABSENT(NAME, ...)    \
  decent_status NAME(__VA_ARGS__) { \
    return absent(#NAME);           \
  }

extern "C" {
DECENT_ABSENT(decent_dataset_open, const char*, const char*, int, decent_dataset**)
void decent_dataset_free(decent_dataset*) {}
DECENT_ABSENT(decent_dataset_size, const decent_dataset*, int64_t*)
DECENT_ABSENT(decent_dataset_shape, const decent_dataset*, int64_t*, int64_t*, int64_t*, int64_t*)
DECENT_ABSENT(decent_dataset_batch, const decent_dataset*, const int64_t*, size_t, float*, size_t,
              int32_t*, size_t)
DECENT_ABSENT(decent_dataset_partition, const decent_dataset*, const char*, int, uint64_t, int,
              int64_t*, size_t, size_t*)
DECENT_ABSENT(decent_dataset_normalization, const decent_dataset*, float*, float*, size_t)
DECENT_ABSENT(decent_dataset_from_memory, const float*, size_t, const int32_t*, size_t, int64_t,
              int64_t, int64_t, int64_t, decent_dataset**)
DECENT_ABSENT(decent_dataset_set_normalization, decent_dataset*, const float*, const float*, size_t)
DECENT_ABSENT(decent_model_create, const char*, int64_t, int64_t, int64_t, int64_t, uint64_t,
              decent_model**)
void decent_model_free(decent_model*) {}
DECENT_ABSENT(decent_model_parameter_count, const decent_model*, int64_t*, int64_t*)
DECENT_ABSENT(decent_model_shape, const decent_model*, int64_t*, int64_t*, int64_t*, int64_t*)
DECENT_ABSENT(decent_model_get_parameters, const decent_model*, float*, size_t)
DECENT_ABSENT(decent_model_set_parameters, decent_model*, const float*, size_t)
DECENT_ABSENT(decent_model_get_buffers, const decent_model*, float*, size_t)
DECENT_ABSENT(decent_model_set_buffers, decent_model*, const float*, size_t)
DECENT_ABSENT(decent_model_predict, decent_model*, const float*, size_t, int64_t, float*, size_t)
DECENT_ABSENT(decent_model_save, const decent_model*, const char*)
DECENT_ABSENT(decent_model_load, const char*, decent_model**)
DECENT_ABSENT(decent_model_save_to_memory, const decent_model*, void*, size_t, size_t*)
DECENT_ABSENT(decent_model_load_from_memory, const void*, size_t, decent_model**)
DECENT_ABSENT(decent_set_threads, int)
DECENT_ABSENT(decent_train_default_options, decent_train_options*)
DECENT_ABSENT(decent_trainer_create, const decent_train_options*, decent_trainer**)
DECENT_ABSENT(decent_trainer_create_with_comm, const decent_train_options*, decent_comm*,
              decent_trainer**)
DECENT_ABSENT(decent_trainer_create_with_data, const decent_train_options*, const decent_dataset*,
              const decent_dataset*, decent_comm*, decent_trainer**)
void decent_trainer_free(decent_trainer*) {}
DECENT_ABSENT(decent_trainer_run, decent_trainer*, decent_progress_fn, void*)
DECENT_ABSENT(decent_trainer_step, decent_trainer*, int64_t)
DECENT_ABSENT(decent_trainer_steps, const decent_trainer*, int64_t*, int64_t*)
DECENT_ABSENT(decent_trainer_evaluate, decent_trainer*, double*, double*)
DECENT_ABSENT(decent_trainer_model, const decent_trainer*, decent_model**)
DECENT_ABSENT(decent_trainer_save, const decent_trainer*, const char*)
DECENT_ABSENT(decent_trainer_load, decent_trainer*, const char*)
DECENT_ABSENT(decent_trainer_finished, const decent_trainer*, int*)
DECENT_ABSENT(decent_trainer_config_json, const decent_trainer*, const char**)
}
