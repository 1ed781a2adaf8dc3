/* Python-only helpers over the C ABI, for entry points whose arguments the array typemaps cannot
 * take as they are. */
%inline %{
/* mean then stddev, `count` = 2 x channels floats in one array. */
decent_status decent_py_dataset_normalization(const decent_dataset* dataset, float* out,
                                              size_t count) {
  return decent_dataset_normalization(dataset, out, out ? out + count / 2 : NULL, count / 2);
}
%}

/* mean then stddev, `count` = 2 x channels floats in one array. */
%inline %{
decent_status decent_py_dataset_set_normalization(decent_dataset* dataset, const float* values,
                                                  size_t count) {
  return decent_dataset_set_normalization(dataset, values, values ? values + count / 2 : NULL,
                                          count / 2);
}
%}

/* The bytes decent_model_save_to_memory needs: its capacity-0 query, whose
 * DECENT_ERR_BUFFER_TOO_SMALL is the expected answer here rather than a failure. */
%inline %{
decent_status decent_py_model_saved_size(const decent_model* model, size_t* size) {
  decent_status status = decent_model_save_to_memory(model, NULL, 0, size);
  return status == DECENT_ERR_BUFFER_TOO_SMALL && size && *size > 0 ? DECENT_OK : status;
}
%}

/* The log callback: a Python callable(level, message), or None. The callable is the C
 * callback's `user` pointer, held by one reference here; decent serialises its calls and
 * makes none with the old `user` once decent_set_log_callback has returned, so the old one is
 * released after that. The GIL is released while the C call waits for a running callback. */
%{
static PyObject* decent_py_log_target = NULL;

static void decent_py_log_call(decent_log_level level, const char* message, void* user) {
  if (!Py_IsInitialized()) return;
  PyGILState_STATE gil = PyGILState_Ensure();
  PyObject* r = PyObject_CallFunction((PyObject*)user, "is", (int)level, message);
  if (r == NULL) PyErr_WriteUnraisable((PyObject*)user);
  Py_XDECREF(r);
  PyGILState_Release(gil);
}
%}
%nothread decent_py_set_log_callback;
%inline %{
decent_status decent_py_set_log_callback(PyObject* fn, int min_level) {
  PyObject* target = fn == Py_None ? NULL : fn; /* the Python layer checked it is callable */
  Py_XINCREF(target);
  decent_status status;
  Py_BEGIN_ALLOW_THREADS
  status = decent_set_log_callback(target ? decent_py_log_call : NULL, target,
                                   (decent_log_level)min_level);
  Py_END_ALLOW_THREADS
  if (status != DECENT_OK) {
    Py_XDECREF(target);
    return status;
  }
  Py_XDECREF(decent_py_log_target);
  decent_py_log_target = target;
  return DECENT_OK;
}
%}
