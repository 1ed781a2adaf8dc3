/* Python typemaps of decent.i.
 *  - decent_status results become None or raise the decent.Error subclass of the status, with
 *    decent_last_error()'s message.
 *  - Arrays cross without copies through the buffer protocol (numpy arrays, array.array, ...):
 *    inputs must be C-contiguous with the element type of the C parameter; outputs must also be
 *    writable. A wrong type raises TypeError naming the expected format.
 *  - decent_X** out and scalar out-parameters become return values.
 *  - The GIL is released around every call (threads="1"); progress callbacks take it back. */

%{
#include <string.h>

/* Raises decent.errors.<class for status>(message, status). */
static void decent_py_raise(decent_status status) {
  PyObject* module = PyImport_ImportModule("decent.errors");
  PyObject* factory = module ? PyObject_GetAttrString(module, "_from_status") : NULL;
  PyObject* exc = factory ? PyObject_CallFunction(factory, "is", (int)status, decent_last_error()) : NULL;
  if (exc) {
    PyErr_SetObject((PyObject*)Py_TYPE(exc), exc);
    Py_DECREF(exc);
  } else if (!PyErr_Occurred()) {
    PyErr_SetString(PyExc_RuntimeError, decent_last_error());
  }
  Py_XDECREF(factory);
  Py_XDECREF(module);
}

/* A C-contiguous view of `obj` whose items are `size` bytes of struct format `kinds` (one of
 * its characters); writable when asked. Returns 0 and sets TypeError otherwise. */
static int decent_py_view(PyObject* obj, Py_buffer* view, Py_ssize_t size, const char* kinds,
                          int writable, const char* what) {
  int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
  if (PyObject_GetBuffer(obj, view, flags) != 0) {
    PyErr_Format(PyExc_TypeError, "%s: expected a C-contiguous%s array of %s", what,
                 writable ? " writable" : "", kinds);
    return 0;
  }
  const char* f = view->format ? view->format : "B";
  if (*f == '@' || *f == '=' || *f == '<') ++f;
  if (view->itemsize != size || strlen(f) != 1 || strchr(kinds, *f) == NULL) {
    PyErr_Format(PyExc_TypeError, "%s: expected items of format %s (%zd bytes), got '%s'", what,
                 kinds, size, view->format ? view->format : "B");
    PyBuffer_Release(view);
    return 0;
  }
  return 1;
}

/* The progress callback: a Python callable gets a dict; a true result stops training. An
 * exception stops training and is raised again when decent_trainer_run returns. */
typedef struct {
  PyObject* callable;
  PyObject *type, *value, *traceback;
} decent_py_progress;

static int decent_py_progress_call(const decent_progress* p, void* user) {
  decent_py_progress* ctx = (decent_py_progress*)user;
  PyGILState_STATE gil = PyGILState_Ensure();
  int stop = 0;
  PyObject* d = Py_BuildValue(
      "{s:s,s:L,s:L,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d}", "kind",
      p->kind == DECENT_PROGRESS_EVAL ? "eval" : "train", "step", (long long)p->step,
      "total_steps", (long long)p->total_steps, "epoch", p->epoch, "loss", p->loss, "lr", p->lr,
      "test_accuracy", p->test_accuracy, "test_loss", p->test_loss, "consensus_distance",
      p->consensus_distance, "images_per_second", p->images_per_second, "time_s", p->time_s,
      "bytes_sent", p->bytes_sent);
  PyObject* r = d ? PyObject_CallFunctionObjArgs(ctx->callable, d, NULL) : NULL;
  if (r == NULL) {
    if (ctx->type == NULL) PyErr_Fetch(&ctx->type, &ctx->value, &ctx->traceback);
    else PyErr_Clear();
    stop = 1;
  } else {
    stop = PyObject_IsTrue(r) == 1;
  }
  Py_XDECREF(r);
  Py_XDECREF(d);
  PyGILState_Release(gil);
  return stop;
}
%}

%typemap(out) decent_status {
  if ($1 != DECENT_OK) {
    decent_py_raise($1);
    SWIG_fail;
  }
  $result = SWIG_Py_Void();
}

/* Handles created through `decent_X** out`: returned. */
%define DECENT_PY_OUT_HANDLE(TYPE)
%typemap(in, numinputs=0) TYPE** out (TYPE* handle = NULL) { $1 = &handle; }
%typemap(argout) TYPE** out {
  $result = SWIG_Python_AppendOutput($result, SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $*1_descriptor, 0));
}
%enddef
DECENT_PY_OUT_HANDLE(decent_topology)
DECENT_PY_OUT_HANDLE(decent_dataset)
DECENT_PY_OUT_HANDLE(decent_model)
DECENT_PY_OUT_HANDLE(decent_trainer)
DECENT_PY_OUT_HANDLE(decent_comm)

%typemap(in, numinputs=0) const char** out (const char* text = NULL) { $1 = ($1_ltype)&text; }
%typemap(argout) const char** out { $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString(*$1)); }

/* Scalar out-parameters: returned (after the handle, in declaration order). */
%define DECENT_PY_OUT_SCALAR(CTYPE, MAKE, NAMES...)
%typemap(in, numinputs=0) CTYPE* OUT_SCALAR (CTYPE value = 0) { $1 = ($1_ltype)&value; }
%typemap(argout) CTYPE* OUT_SCALAR { $result = SWIG_Python_AppendOutput($result, MAKE(*$1)); }
%apply CTYPE* OUT_SCALAR { NAMES };
%enddef
DECENT_PY_OUT_SCALAR(int, PyLong_FromLong, int* out, int* in_degree, int* out_degree)
DECENT_PY_OUT_SCALAR(double, PyFloat_FromDouble, double* out, double* accuracy, double* loss)
DECENT_PY_OUT_SCALAR(int64_t, PyLong_FromLongLong, int64_t* out, int64_t* channels,
                     int64_t* height, int64_t* width, int64_t* classes, int64_t* parameters,
                     int64_t* buffers, int64_t* done, int64_t* total)
DECENT_PY_OUT_SCALAR(size_t, PyLong_FromSize_t, size_t* count, size_t* size)

/* Taken through the helpers of decent_python_extra.i (one array for two; a Python callable). */
%ignore decent_dataset_set_normalization;
%ignore decent_set_log_callback;

/* Neighbour lists are read from decent_topology_weights in the Python layer. */
%ignore decent_topology_in_neighbors;
%ignore decent_topology_out_neighbors;

/* Arrays through the buffer protocol. */
%define DECENT_PY_ARRAY(CTYPE, KINDS, WRITABLE, PTR, COUNT)
%typemap(in) (CTYPE* PTR, size_t COUNT) (Py_buffer view) {
  view.obj = NULL;
  if (!decent_py_view($input, &view, sizeof(CTYPE), KINDS, WRITABLE, "$symname: $1_name")) SWIG_fail;
  $1 = ($1_ltype)view.buf;
  $2 = (size_t)(view.len / (Py_ssize_t)sizeof(CTYPE));
}
%typemap(freearg) (CTYPE* PTR, size_t COUNT) { if (view$argnum.obj) PyBuffer_Release(&view$argnum); }
%enddef
DECENT_PY_ARRAY(const float, "f", 0, values, count)
DECENT_PY_ARRAY(const double, "d", 0, weights, count)
DECENT_PY_ARRAY(const float, "f", 0, images, images_count)
DECENT_PY_ARRAY(const int64_t, "ql", 0, indices, count)
DECENT_PY_ARRAY(const int32_t, "i", 0, labels, count)
DECENT_PY_ARRAY(float, "f", 1, out, count)
DECENT_PY_ARRAY(float, "f", 1, images, images_count)
DECENT_PY_ARRAY(float, "f", 1, logits, logits_count)
DECENT_PY_ARRAY(int32_t, "i", 1, labels, labels_count)
DECENT_PY_ARRAY(int64_t, "ql", 1, indices, capacity)
DECENT_PY_ARRAY(double, "d", 1, out, count)
DECENT_PY_ARRAY(float, "f", 1, data, count)
DECENT_PY_ARRAY(double, "d", 1, data, count)

/* A model's bytes: any bytes-like object in; a writable one (bytearray) out. */
%typemap(in) (const void* buffer, size_t size) (Py_buffer view) {
  view.obj = NULL;
  if (!decent_py_view($input, &view, 1, "Bbc", 0, "$symname: buffer")) SWIG_fail;
  $1 = view.buf;
  $2 = (size_t)view.len;
}
%typemap(freearg) (const void* buffer, size_t size) { if (view$argnum.obj) PyBuffer_Release(&view$argnum); }
%typemap(in) (void* buffer, size_t capacity) (Py_buffer view) {
  view.obj = NULL;
  if (!decent_py_view($input, &view, 1, "Bbc", 1, "$symname: buffer")) SWIG_fail;
  $1 = view.buf;
  $2 = (size_t)view.len;
}
%typemap(freearg) (void* buffer, size_t capacity) { if (view$argnum.obj) PyBuffer_Release(&view$argnum); }

/* Progress callbacks: a callable or None. */
%typemap(in) (decent_progress_fn progress, void* user) (decent_py_progress ctx) {
  ctx.callable = $input;
  ctx.type = ctx.value = ctx.traceback = NULL;
  if ($input == Py_None) {
    $1 = NULL;
    $2 = NULL;
  } else if (PyCallable_Check($input)) {
    $1 = decent_py_progress_call;
    $2 = &ctx;
  } else {
    PyErr_SetString(PyExc_TypeError, "$symname: progress must be callable or None");
    SWIG_fail;
  }
}
%typemap(argout) (decent_progress_fn progress, void* user) {
  if (ctx$argnum.type) {
    PyErr_Restore(ctx$argnum.type, ctx$argnum.value, ctx$argnum.traceback);
    SWIG_fail;
  }
}

/* In-process nodes: a Python callable(comm, rank) per node thread. The first exception ends the
 * run and is raised again when decent_comm_run_local returns. */
%{
typedef struct {
  PyObject* callable;
  PyObject *type, *value, *traceback;
} decent_py_nodes;

static int decent_py_node_call(decent_comm* comm, int rank, void* user) {
  decent_py_nodes* ctx = (decent_py_nodes*)user;
  PyGILState_STATE gil = PyGILState_Ensure();
  PyObject* handle = SWIG_NewPointerObj(SWIG_as_voidptr(comm), SWIGTYPE_p_decent_comm, 0);
  PyObject* r = handle ? PyObject_CallFunction(ctx->callable, "Oi", handle, rank) : NULL;
  int failed = r == NULL;
  if (failed) {
    if (ctx->type == NULL) PyErr_Fetch(&ctx->type, &ctx->value, &ctx->traceback);
    else PyErr_Clear();
  }
  Py_XDECREF(r);
  Py_XDECREF(handle);
  PyGILState_Release(gil);
  return failed;
}
%}
%typemap(in) (decent_node_fn fn, void* user) (decent_py_nodes ctx) {
  ctx.callable = $input;
  ctx.type = ctx.value = ctx.traceback = NULL;
  if (!PyCallable_Check($input)) {
    PyErr_SetString(PyExc_TypeError, "$symname: fn must be callable");
    SWIG_fail;
  }
  $1 = decent_py_node_call;
  $2 = &ctx;
}
%typemap(argout) (decent_node_fn fn, void* user) { }
/* A Python exception inside a node wins over the status it caused. */
%exception decent_comm_run_local {
  $action
  if (ctx3.type) {
    PyErr_Restore(ctx3.type, ctx3.value, ctx3.traceback);
    SWIG_fail;
  }
}

/* Option strings are set from bytes objects that the Python layer keeps alive (no copies, no
 * leaks): the struct stores the pointer. */
%typemap(in) const char* OPTION_STRING {
  if ($input == Py_None) $1 = NULL;
  else if (PyBytes_Check($input)) $1 = ($1_ltype)PyBytes_AsString($input);
  else { PyErr_SetString(PyExc_TypeError, "option strings are set as bytes or None"); SWIG_fail; }
}
%typemap(memberin) const char* { $1 = $input; }
%apply const char* OPTION_STRING { const char* model, const char* data, const char* data_dir,
                                   const char* partition, const char* topology,
                                   const char* algorithm, const char* optimizer,
                                   const char* schedule, const char* out,
                                   const char* milestones, const char* resume,
                                   const char* device, const char* compressor };
