/* Java typemaps of decent.i. The generated classes (package org.decent.capi, class capi) are the
 * low level; org.decent.* are the classes users see.
 *  - decent_status results become void, or throw org.decent.DecentException (unchecked) with the
 *    status and decent_last_error()'s message.
 *  - Opaque handles are Java longs; `decent_X** out` is a long[1] that receives the handle.
 *  - Scalar out-parameters are arrays of length >= 1 (int[], long[], double[]).
 *  - Arrays are direct NIO buffers (no copies): FloatBuffer, DoubleBuffer, IntBuffer, LongBuffer
 *    allocated with ByteBuffer.allocateDirect(...).order(ByteOrder.nativeOrder()).
 *  - Callbacks are org.decent.ProgressListener and org.decent.NativeNodeFunction (behind the
 *    public org.decent.NodeFunction, which receives a Comm); the native threads
 *    that call them attach to the JVM for the call. */

%{
#include <string.h>

static void decent_java_throw(JNIEnv* env, const char* cls, const char* message) {
  jclass c = (*env)->FindClass(env, cls);
  if (c) (*env)->ThrowNew(env, c, message);
}

/* Throws org.decent.DecentException(status, message). */
static void decent_java_raise(JNIEnv* env, decent_status status) {
  jclass c = (*env)->FindClass(env, "org/decent/DecentException");
  if (!c) return;
  jmethodID ctor = (*env)->GetMethodID(env, c, "<init>", "(ILjava/lang/String;)V");
  jstring msg = (*env)->NewStringUTF(env, decent_last_error());
  jobject e = ctor && msg ? (*env)->NewObject(env, c, ctor, (jint)status, msg) : NULL;
  if (e) (*env)->Throw(env, (jthrowable)e);
}

/* A direct buffer's address and capacity (in elements), or a thrown IllegalArgumentException. */
static void* decent_java_buffer(JNIEnv* env, jobject buffer, jlong* capacity, const char* what) {
  if (buffer == NULL) {
    decent_java_throw(env, "java/lang/IllegalArgumentException", what);
    return NULL;
  }
  void* p = (*env)->GetDirectBufferAddress(env, buffer);
  *capacity = (*env)->GetDirectBufferCapacity(env, buffer);
  if (p == NULL || *capacity < 0)
    decent_java_throw(env, "java/lang/IllegalArgumentException", what);
  return p;
}

/* Callbacks from native threads: attach to the JVM for the call, detach after if attached here. */
typedef struct {
  JavaVM* vm;
  jobject target;      /* global reference to the listener / node function */
  jthrowable failure;  /* global reference to the first exception thrown by it */
} decent_java_callback;

static JNIEnv* decent_java_attach(decent_java_callback* cb, int* attached) {
  JNIEnv* env = NULL;
  *attached = 0;
  if ((*cb->vm)->GetEnv(cb->vm, (void**)&env, JNI_VERSION_1_6) == JNI_EDETACHED) {
    if ((*cb->vm)->AttachCurrentThread(cb->vm, (void**)&env, NULL) != JNI_OK) return NULL;
    *attached = 1;
  }
  return env;
}

static int decent_java_record(JNIEnv* env, decent_java_callback* cb) {
  jthrowable t = (*env)->ExceptionOccurred(env);
  if (!t) return 0;
  (*env)->ExceptionClear(env);
  if (cb->failure == NULL) cb->failure = (jthrowable)(*env)->NewGlobalRef(env, t);
  return 1;
}

static int decent_java_progress(const decent_progress* p, void* user) {
  decent_java_callback* cb = (decent_java_callback*)user;
  int attached = 0, stop = 1;
  JNIEnv* env = decent_java_attach(cb, &attached);
  if (!env) return 1;
  jclass pc = (*env)->FindClass(env, "org/decent/Progress");
  jmethodID ctor = pc ? (*env)->GetMethodID(env, pc, "<init>", "(ZJJDDDDDDDDD)V") : NULL;
  jobject progress = ctor ? (*env)->NewObject(env, pc, ctor, (jboolean)(p->kind == DECENT_PROGRESS_EVAL),
      (jlong)p->step, (jlong)p->total_steps, p->epoch, p->loss, p->lr, p->test_accuracy, p->test_loss,
      p->consensus_distance, p->images_per_second, p->time_s, p->bytes_sent) : NULL;
  if (progress) {
    jclass lc = (*env)->GetObjectClass(env, cb->target);
    jmethodID m = (*env)->GetMethodID(env, lc, "onProgress", "(Lorg/decent/Progress;)Z");
    jboolean r = m ? (*env)->CallBooleanMethod(env, cb->target, m, progress) : JNI_TRUE;
    stop = decent_java_record(env, cb) || r == JNI_TRUE;
  } else {
    decent_java_record(env, cb);
  }
  if (attached) (*cb->vm)->DetachCurrentThread(cb->vm);
  return stop;
}

static int decent_java_node(decent_comm* comm, int rank, void* user) {
  decent_java_callback* cb = (decent_java_callback*)user;
  int attached = 0;
  JNIEnv* env = decent_java_attach(cb, &attached);
  if (!env) return 1;
  jclass c = (*env)->GetObjectClass(env, cb->target);
  jmethodID m = (*env)->GetMethodID(env, c, "run", "(JI)V");
  if (m) (*env)->CallVoidMethod(env, cb->target, m, (jlong)(intptr_t)comm, (jint)rank);
  /* Exceptions of several nodes: keep the first; the monitor makes the check-and-set atomic. */
  (*env)->MonitorEnter(env, cb->target);
  int failed = decent_java_record(env, cb);
  (*env)->MonitorExit(env, cb->target);
  if (attached) (*cb->vm)->DetachCurrentThread(cb->vm);
  return failed;
}
%}

/* The status enum itself is not wrapped (statuses arrive as DecentException.status()); the
 * typemaps below are for the functions that return it. */
%ignore decent_status;

%typemap(jni) decent_status "jint"
%typemap(jtype) decent_status "int"
%typemap(jstype) decent_status "void"
%typemap(out) decent_status "$result = (jint)$1;"
/* Raised after the outputs are written back ("ret" follows "argout"): a failed call's outputs
 * still arrive, e.g. the size a too-small buffer needed. */
%typemap(ret) decent_status {
  if ($1 != DECENT_OK) { decent_java_raise(jenv, $1); return $null; }
}
%typemap(javaout) decent_status { $jnicall; }
/* ... and a status as an argument (decent_status_name) is an int. */
%typemap(jni) decent_status status "jint"
%typemap(jtype) decent_status status "int"
%typemap(jstype) decent_status status "int"
%typemap(javain) decent_status status "$javainput"
%typemap(in) decent_status status { $1 = (decent_status)$input; }

/* Opaque handles as longs. */
%define DECENT_JAVA_HANDLE(TYPE)
%typemap(jni) TYPE*, const TYPE* "jlong"
%typemap(jtype) TYPE*, const TYPE* "long"
%typemap(jstype) TYPE*, const TYPE* "long"
%typemap(javain) TYPE*, const TYPE* "$javainput"
%typemap(in) TYPE*, const TYPE* { $1 = ($1_ltype)(intptr_t)$input; }
%typemap(jni) TYPE** out "jlongArray"
%typemap(jtype) TYPE** out "long[]"
%typemap(jstype) TYPE** out "long[]"
%typemap(javain) TYPE** out "$javainput"
%typemap(in) TYPE** out (TYPE* handle = NULL) {
  if (!$input || (*jenv)->GetArrayLength(jenv, $input) < 1) {
    decent_java_throw(jenv, "java/lang/IllegalArgumentException", "out: a long[1] is needed");
    return $null;
  }
  $1 = &handle;
}
%typemap(argout) TYPE** out {
  jlong value = (jlong)(intptr_t)handle$argnum;
  (*jenv)->SetLongArrayRegion(jenv, $input, 0, 1, &value);
}
%enddef
DECENT_JAVA_HANDLE(decent_topology)
DECENT_JAVA_HANDLE(decent_dataset)
DECENT_JAVA_HANDLE(decent_model)
DECENT_JAVA_HANDLE(decent_trainer)
DECENT_JAVA_HANDLE(decent_comm)

/* Scalar outputs as one-element arrays. */
%define DECENT_JAVA_OUT(CTYPE, JTYPE, JARRAY, JNIARRAY, REGION, NAMES...)
%typemap(jni) CTYPE* OUT1 #JNIARRAY
%typemap(jtype) CTYPE* OUT1 #JARRAY
%typemap(jstype) CTYPE* OUT1 #JARRAY
%typemap(javain) CTYPE* OUT1 "$javainput"
%typemap(in) CTYPE* OUT1 (CTYPE value = 0) {
  if ($input && (*jenv)->GetArrayLength(jenv, $input) < 1) {
    decent_java_throw(jenv, "java/lang/IllegalArgumentException", "$1_name: an array of length >= 1 is needed");
    return $null;
  }
  $1 = $input ? ($1_ltype)&value : NULL;
}
%typemap(argout) CTYPE* OUT1 {
  if ($input) { JTYPE v = (JTYPE)value$argnum; (*jenv)->REGION(jenv, $input, 0, 1, &v); }
}
%apply CTYPE* OUT1 { NAMES };
%enddef
DECENT_JAVA_OUT(int, jint, int[], jintArray, SetIntArrayRegion, int* out, int* in_degree, int* out_degree)
DECENT_JAVA_OUT(double, jdouble, double[], jdoubleArray, SetDoubleArrayRegion, double* out, double* accuracy, double* loss)
DECENT_JAVA_OUT(int64_t, jlong, long[], jlongArray, SetLongArrayRegion, int64_t* out, int64_t* channels, int64_t* height, int64_t* width, int64_t* classes, int64_t* parameters, int64_t* buffers, int64_t* done, int64_t* total)
DECENT_JAVA_OUT(size_t, jlong, long[], jlongArray, SetLongArrayRegion, size_t* count, size_t* size)

%typemap(jni) const char** out "jobjectArray"
%typemap(jtype) const char** out "String[]"
%typemap(jstype) const char** out "String[]"
%typemap(javain) const char** out "$javainput"
%typemap(in) const char** out (const char* text = NULL) { $1 = ($1_ltype)&text; }
%typemap(argout) const char** out {
  if ($input && text$argnum) (*jenv)->SetObjectArrayElement(jenv, $input, 0, (*jenv)->NewStringUTF(jenv, text$argnum));
}

/* Arrays: direct NIO buffers, the count from their capacity. */
%define DECENT_JAVA_BUFFER(CTYPE, BUFFER, PTR, COUNT)
%typemap(jni) (CTYPE* PTR, size_t COUNT) "jobject"
%typemap(jtype) (CTYPE* PTR, size_t COUNT) "java.nio." #BUFFER
%typemap(jstype) (CTYPE* PTR, size_t COUNT) "java.nio." #BUFFER
%typemap(javain) (CTYPE* PTR, size_t COUNT) "$javainput"
%typemap(in) (CTYPE* PTR, size_t COUNT) {
  jlong capacity = 0;
  $1 = ($1_ltype)decent_java_buffer(jenv, $input, &capacity, "$1_name: a direct " #BUFFER " is needed");
  if (!$1) return $null;
  $2 = (size_t)capacity;
}
%typemap(argout) (CTYPE* PTR, size_t COUNT) ""
%enddef
DECENT_JAVA_BUFFER(const float, FloatBuffer, values, count)
DECENT_JAVA_BUFFER(const double, DoubleBuffer, weights, count)
DECENT_JAVA_BUFFER(const float, FloatBuffer, images, images_count)
DECENT_JAVA_BUFFER(const int64_t, LongBuffer, indices, count)
DECENT_JAVA_BUFFER(float, FloatBuffer, out, count)
DECENT_JAVA_BUFFER(float, FloatBuffer, images, images_count)
DECENT_JAVA_BUFFER(float, FloatBuffer, logits, logits_count)
DECENT_JAVA_BUFFER(int32_t, IntBuffer, labels, labels_count)
DECENT_JAVA_BUFFER(int64_t, LongBuffer, indices, capacity)
DECENT_JAVA_BUFFER(double, DoubleBuffer, out, count)
DECENT_JAVA_BUFFER(float, FloatBuffer, data, count)
DECENT_JAVA_BUFFER(double, DoubleBuffer, data, count)
DECENT_JAVA_BUFFER(const int32_t, IntBuffer, labels, count)
/* Model bytes: a direct ByteBuffer (count in bytes). */
DECENT_JAVA_BUFFER(void, ByteBuffer, buffer, capacity)
DECENT_JAVA_BUFFER(const void, ByteBuffer, buffer, size)

/* Taken through decent_java_extra.i's helpers (one buffer for mean and stddev; the log
 * listener kept as a global reference). */
%ignore decent_dataset_normalization;
%ignore decent_dataset_set_normalization;
%ignore decent_set_log_callback;

/* Neighbour lists: read from decent_topology_weights in org.decent.Topology. */
%ignore decent_topology_in_neighbors;
%ignore decent_topology_out_neighbors;

/* Callbacks. */
%define DECENT_JAVA_CALLBACK(FN_TYPE, FN, JCLASS, TRAMPOLINE)
%typemap(jni) (FN_TYPE FN, void* user) "jobject"
%typemap(jtype) (FN_TYPE FN, void* user) "org.decent." #JCLASS
%typemap(jstype) (FN_TYPE FN, void* user) "org.decent." #JCLASS
%typemap(javain) (FN_TYPE FN, void* user) "$javainput"
%typemap(in) (FN_TYPE FN, void* user) (decent_java_callback cb) {
  cb.vm = NULL;
  cb.target = NULL;
  cb.failure = NULL;
  if ($input) {
    (*jenv)->GetJavaVM(jenv, &cb.vm);
    cb.target = (*jenv)->NewGlobalRef(jenv, $input);
    $1 = TRAMPOLINE;
    $2 = &cb;
  } else {
    $1 = NULL;
    $2 = NULL;
  }
}
%typemap(freearg) (FN_TYPE FN, void* user) {
  if (cb$argnum.target) (*jenv)->DeleteGlobalRef(jenv, cb$argnum.target);
}
%enddef
DECENT_JAVA_CALLBACK(decent_progress_fn, progress, ProgressListener, decent_java_progress)
DECENT_JAVA_CALLBACK(decent_node_fn, fn, NativeNodeFunction, decent_java_node)

/* An exception thrown by a callback wins over the status it caused. */
%define DECENT_JAVA_RETHROW(FUNCTION, ARG)
%exception FUNCTION {
  $action
  if (cb##ARG.failure) {
    (*jenv)->ExceptionClear(jenv);
    (*jenv)->Throw(jenv, cb##ARG.failure);
    (*jenv)->DeleteGlobalRef(jenv, cb##ARG.failure);
    if (cb##ARG.target) (*jenv)->DeleteGlobalRef(jenv, cb##ARG.target);
    return $null;
  }
}
%enddef
DECENT_JAVA_RETHROW(decent_trainer_run, 2)
DECENT_JAVA_RETHROW(decent_comm_run_local, 3)

/* Option strings: not settable through the struct (their lifetime would end with the JNI call);
 * decent_java_trainer_create takes them for the duration of the creation. */
%immutable decent_train_options::model;
%immutable decent_train_options::data;
%immutable decent_train_options::data_dir;
%immutable decent_train_options::partition;
%immutable decent_train_options::topology;
%immutable decent_train_options::algorithm;
%immutable decent_train_options::optimizer;
%immutable decent_train_options::schedule;
%immutable decent_train_options::out;
%immutable decent_train_options::milestones;
%immutable decent_train_options::resume;
%immutable decent_train_options::device;
%immutable decent_train_options::compressor;
