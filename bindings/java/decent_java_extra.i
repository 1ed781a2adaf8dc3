/* Java additions that need decent.h's declarations (included after it by decent.i). */
%inline %{
/* decent_trainer_create with the option strings given here (NULL keeps the default). */
decent_status decent_java_trainer_create(decent_train_options* options, const char* model,
                                         const char* data, const char* data_dir,
                                         const char* partition, const char* topology,
                                         const char* algorithm, const char* optimizer,
                                         const char* schedule, const char* output,
                                         const char* milestones, const char* resume,
                                         decent_trainer** out) {
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
  return decent_trainer_create(&o, out);
}
%}
