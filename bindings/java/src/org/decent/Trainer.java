package org.decent;

import org.decent.capi.capi;
import org.decent.capi.decent_train_options;

/** Decentralized training on in-process nodes (decent_trainer). */
public final class Trainer extends Handle {
  public Trainer(TrainOptions o) {
    super(create(o));
  }

  private static long create(TrainOptions o) {
    decent_train_options n = o.toNative();
    return created(out -> capi.decent_java_trainer_create(n, o.model, o.data, o.dataDir,
        o.partition, o.topology, o.algorithm, o.optimizer, o.schedule, o.out, o.milestones, o.resume,
        out));
  }

  @Override
  void free(long h) {
    capi.decent_trainer_free(h);
  }

  /** Trains to the end; the listener (may be null) can stop it by returning true. */
  public void run(ProgressListener listener) {
    capi.decent_trainer_run(handle(), listener);
  }

  public void step(long steps) {
    capi.decent_trainer_step(handle(), steps);
  }

  /** {completed steps, total steps}. */
  public long[] steps() {
    long[] done = new long[1], total = new long[1];
    capi.decent_trainer_steps(handle(), done, total);
    return new long[] {done[0], total[0]};
  }

  /** {accuracy, loss} of the node-averaged model on the test set. */
  public double[] evaluate() {
    double[] a = new double[1], l = new double[1];
    capi.decent_trainer_evaluate(handle(), a, l);
    return new double[] {a[0], l[0]};
  }

  /** The node-averaged model. */
  public Model model() {
    long[] out = new long[1];
    capi.decent_trainer_model(handle(), out);
    return new Model(out[0]);
  }

  public void save(String dir) {
    capi.decent_trainer_save(handle(), dir);
  }

  public void load(String dir) {
    capi.decent_trainer_load(handle(), dir);
  }
}
