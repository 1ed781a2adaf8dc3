/* Java additions that need decent.h's declarations (included after it by decent.i). */
%inline %{
/* decent_trainer_create with the option strings given here (NULL keeps the default); with a
 * communicator (comm non-NULL) or the caller's datasets (train and test non-NULL), the
 * create_with_comm / create_with_data forms. */
decent_status decent_java_trainer_create(decent_train_options* options, const char* model,
                                         const char* data, const char* data_dir,
                                         const char* partition, const char* topology,
                                         const char* algorithm, const char* optimizer,
                                         const char* schedule, const char* output,
                                         const char* milestones, const char* resume,
                                         const char* device, const char* compressor,
                                         const decent_dataset* train, const decent_dataset* test,
                                         decent_comm* comm, decent_trainer** out) {
  if (!options) return decent_trainer_create(NULL, out);
  decent_train_options o = *options;
  if (model) o.model = model;
  if (data) o.data = data;
  if (data_dir) o.data_dir = data_dir;
  if (partition) o.partition = partition;
  if (topology) o.topology = topology;
  if (algorithm) o.algorithm = algorithm;
  if (optimizer) o.optimizer = optimizer;
  if (schedule) o.schedule = schedule;
  if (output) o.out = output;
  o.milestones = milestones;
  o.resume = resume;
  if (device) o.device = device;
  if (compressor) o.compressor = compressor;
  if (train || test) return decent_trainer_create_with_data(&o, train, test, comm, out);
  if (comm) return decent_trainer_create_with_comm(&o, comm, out);
  return decent_trainer_create(&o, out);
}

/* mean then stddev, `count` = 2 x channels floats in one buffer. */
decent_status decent_java_dataset_normalization(const decent_dataset* dataset, float* out,
                                                size_t count) {
  return decent_dataset_normalization(dataset, out, out ? out + count / 2 : NULL, count / 2);
}
decent_status decent_java_dataset_set_normalization(decent_dataset* dataset, const float* values,
                                                    size_t count) {
  return decent_dataset_set_normalization(dataset, values, values ? values + count / 2 : NULL,
                                          count / 2);
}
%}

/* The log listener (org.decent.LogListener, or null): a global reference that is the C
 * callback's `user`. decent serialises its calls and makes none with the old `user` once
 * decent_set_log_callback has returned, so the old reference is deleted after that. */
%{
static decent_java_callback* decent_java_log_target = NULL;

static void decent_java_log(decent_log_level level, const char* message, void* user) {
  decent_java_callback* cb = (decent_java_callback*)user;
  int attached = 0;
  JNIEnv* env = decent_java_attach(cb, &attached);
  if (!env) return;
  jclass c = (*env)->GetObjectClass(env, cb->target);
  jmethodID m = (*env)->GetMethodID(env, c, "onMessage", "(ILjava/lang/String;)V");
  jstring text = (*env)->NewStringUTF(env, message);
  if (m && text) (*env)->CallVoidMethod(env, cb->target, m, (jint)level, text);
  if ((*env)->ExceptionCheck(env)) (*env)->ExceptionClear(env); /* a listener's exception is lost */
  if (text) (*env)->DeleteLocalRef(env, text);
  if (attached) (*cb->vm)->DetachCurrentThread(cb->vm);
}
%}
%typemap(jni) jobject listener "jobject"
%typemap(jtype) jobject listener "org.decent.LogListener"
%typemap(jstype) jobject listener "org.decent.LogListener"
%typemap(javain) jobject listener "$javainput"
%typemap(in) jobject listener { $1 = $input; }
%typemap(in, numinputs=0) JNIEnv* env { $1 = jenv; }
%inline %{
decent_status decent_java_set_log_callback(JNIEnv* env, jobject listener, int min_level) {
  decent_java_callback* cb = NULL;
  if (listener) {
    cb = (decent_java_callback*)calloc(1, sizeof *cb);
    if (!cb) {
      decent_java_throw(env, "java/lang/OutOfMemoryError", "Decent.setLogListener");
      return DECENT_OK; /* the pending Java exception is what the caller sees */
    }
    (*env)->GetJavaVM(env, &cb->vm);
    cb->target = (*env)->NewGlobalRef(env, listener);
  }
  decent_status status =
      decent_set_log_callback(cb ? decent_java_log : NULL, cb, (decent_log_level)min_level);
  decent_java_callback* drop = status == DECENT_OK ? decent_java_log_target : cb;
  if (status == DECENT_OK) decent_java_log_target = cb;
  if (drop) {
    (*env)->DeleteGlobalRef(env, drop->target);
    free(drop);
  }
  return status;
}
%}
