package org.decent;

import org.decent.capi.capi;
import org.decent.capi.decent_train_options;

/** Options of a training run (decent_train_options; docs/training.md). A new object holds the
 * library's own defaults, read from decent_train_default_options (never restated here). Fields
 * are public: set what differs; a null string means the library's default. */
public final class TrainOptions {
  public String model, data, dataDir, partition, topology, algorithm, optimizer, schedule, out;
  /** Step-schedule milestones in epochs, comma-separated ("30,60"); null: none. */
  public String milestones;
  /** A checkpoint folder to continue from; null: from scratch. */
  public String resume;
  /** Where the nodes compute: "cpu" (the default), "cuda" (node r on GPU r mod count) or
   * "cuda:N"; a GPU needs libdecent_gpu.so and a CUDA device. */
  public String device;
  /** choco's compressor: "top-k:0.01" (the default), "random-k:F", "qsgd:B", "int8", "fp16",
   * "sign", "minmax8" or "identity" (docs/compression.md). */
  public String compressor;
  public int nodes, threads;
  public boolean awc, nesterov, flip, scaleLr, evalNodes, innerGossip, outerGossip;
  public long width, period, epochs, batch, trainLimit, testLimit, logEvery, maxSteps, seed,
      cropPadding, agaWarmup, checkpointEvery;
  public double lr, momentum, weightDecay, warmupEpochs, consensusStep, outerLr, outerMomentum;

  public TrainOptions() {
    Native.load();
    decent_train_options d = new decent_train_options();
    capi.decent_train_default_options(d);
    model = d.getModel();
    data = d.getData();
    dataDir = d.getData_dir();
    partition = d.getPartition();
    topology = d.getTopology();
    algorithm = d.getAlgorithm();
    optimizer = d.getOptimizer();
    schedule = d.getSchedule();
    out = d.getOut();
    milestones = d.getMilestones();
    resume = d.getResume();
    device = d.getDevice();
    compressor = d.getCompressor();
    nodes = d.getNodes();
    threads = d.getThreads();
    awc = d.getAwc() != 0;
    nesterov = d.getNesterov() != 0;
    flip = d.getFlip() != 0;
    scaleLr = d.getScale_lr() != 0;
    evalNodes = d.getEval_nodes() != 0;
    innerGossip = d.getInner_gossip() != 0;
    outerGossip = d.getOuter_gossip() != 0;
    width = d.getWidth();
    period = d.getPeriod();
    epochs = d.getEpochs();
    batch = d.getBatch();
    trainLimit = d.getTrain_limit();
    testLimit = d.getTest_limit();
    logEvery = d.getLog_every();
    maxSteps = d.getMax_steps();
    seed = d.getSeed().longValue();
    cropPadding = d.getCrop_padding();
    agaWarmup = d.getAga_warmup();
    checkpointEvery = d.getCheckpoint_every();
    lr = d.getLr();
    momentum = d.getMomentum();
    weightDecay = d.getWeight_decay();
    warmupEpochs = d.getWarmup_epochs();
    consensusStep = d.getConsensus_step();
    outerLr = d.getOuter_lr();
    outerMomentum = d.getOuter_momentum();
  }

  /** The numeric fields in a native struct; the strings go to decent_java_trainer_create. */
  decent_train_options toNative() {
    decent_train_options o = new decent_train_options();
    capi.decent_train_default_options(o);
    o.setNodes(nodes);
    o.setThreads(threads);
    o.setAwc(awc ? 1 : 0);
    o.setNesterov(nesterov ? 1 : 0);
    o.setFlip(flip ? 1 : 0);
    o.setScale_lr(scaleLr ? 1 : 0);
    o.setEval_nodes(evalNodes ? 1 : 0);
    o.setInner_gossip(innerGossip ? 1 : 0);
    o.setOuter_gossip(outerGossip ? 1 : 0);
    o.setWidth(width);
    o.setPeriod(period);
    o.setEpochs(epochs);
    o.setBatch(batch);
    o.setTrain_limit(trainLimit);
    o.setTest_limit(testLimit);
    o.setLog_every(logEvery);
    o.setMax_steps(maxSteps);
    o.setCrop_padding(cropPadding);
    o.setAga_warmup(agaWarmup);
    o.setCheckpoint_every(checkpointEvery);
    o.setLr(lr);
    o.setMomentum(momentum);
    o.setWeight_decay(weightDecay);
    o.setWarmup_epochs(warmupEpochs);
    o.setConsensus_step(consensusStep);
    o.setOuter_lr(outerLr);
    o.setOuter_momentum(outerMomentum);
    o.setSeed(java.math.BigInteger.valueOf(seed));
    return o;
  }
}
