package org.decent;

import org.decent.capi.decent_train_options;

/** Options of a training run (decent_train_options; docs/training.md), with the defaults of
 * decent_train_default_options. Fields are public: set what differs. */
public final class TrainOptions {
  public String model = "resnet20", data = "fashion-mnist", dataDir, partition = "iid",
      topology = "one-peer-exp", algorithm = "dsgd", optimizer = "sgd", schedule = "cosine", out;
  public int nodes = 8, threads = 0;
  public boolean awc = false, nesterov = false;
  public long width = 0, period = 8, epochs = 2, batch = 32, trainLimit = 0, testLimit = 0,
      logEvery = 20, maxSteps = 0, seed = 1;
  public double lr = 0.1, momentum = 0.9, weightDecay = 5e-4, warmupEpochs = 0;

  decent_train_options toNative() {
    Native.load();
    decent_train_options o = new decent_train_options();
    org.decent.capi.capi.decent_train_default_options(o);
    o.setNodes(nodes);
    o.setThreads(threads);
    o.setAwc(awc ? 1 : 0);
    o.setNesterov(nesterov ? 1 : 0);
    o.setWidth(width);
    o.setPeriod(period);
    o.setEpochs(epochs);
    o.setBatch(batch);
    o.setTrain_limit(trainLimit);
    o.setTest_limit(testLimit);
    o.setLog_every(logEvery);
    o.setMax_steps(maxSteps);
    o.setLr(lr);
    o.setMomentum(momentum);
    o.setWeight_decay(weightDecay);
    o.setWarmup_epochs(warmupEpochs);
    o.setSeed(java.math.BigInteger.valueOf(seed));
    return o;
  }
}
