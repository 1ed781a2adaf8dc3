package org.decent;

import org.decent.capi.capi;
import org.decent.capi.decent_train_options;

/** Decentralized training (decent_trainer): on in-process nodes, or as this MPI rank's node of
 * a run over a Comm; on the data option's files, or on the caller's Datasets. */
public final class Trainer extends Handle {
  private final Comm comm; // kept: the trainer must not outlive its communicator

  public Trainer(TrainOptions o) {
    this(o, null, null, null);
  }

  /** This rank's node of a run over comm (Comm.mpi()): every rank makes its Trainer; run, step,
   * evaluate, model, save and load are then collective. */
  public Trainer(TrainOptions o, Comm comm) {
    this(o, null, null, comm);
  }

  /** On the caller's data (e.g. Dataset.fromArrays), both normalised with train's
   * normalization(); comm may be null (in-process nodes). */
  public Trainer(TrainOptions o, Dataset train, Dataset test, Comm comm) {
    super(create(o, train, test, comm));
    this.comm = comm;
  }

  private static long create(TrainOptions o, Dataset train, Dataset test, Comm comm) {
    if ((train == null) != (test == null)) {
      throw new IllegalArgumentException("give both train and test datasets, or neither");
    }
    decent_train_options n = o.toNative();
    long tr = train == null ? 0 : train.handle(), te = test == null ? 0 : test.handle();
    long c = comm == null ? 0 : comm.handle();
    return created(out -> capi.decent_java_trainer_create(n, o.model, o.data, o.dataDir,
        o.partition, o.topology, o.algorithm, o.optimizer, o.schedule, o.out, o.milestones, o.resume,
        o.device, o.compressor, tr, te, c, out));
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

  /** True when every step of the run is done; false when stopped or not started. */
  public boolean finished() {
    int[] f = new int[1];
    capi.decent_trainer_finished(handle(), f);
    return f[0] != 0;
  }

  /** The resolved configuration as JSON: every option with the value the run uses. */
  public String configJson() {
    String[] s = new String[1];
    capi.decent_trainer_config_json(handle(), s);
    return s[0];
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
