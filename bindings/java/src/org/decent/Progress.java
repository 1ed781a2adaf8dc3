package org.decent;

/** What a ProgressListener receives (decent_progress): a training report every logEvery steps
 * (loss; test fields NaN) or an evaluation of the node-averaged model (eval() true). */
public final class Progress {
  public final boolean eval;
  public final long step, totalSteps;
  public final double epoch, loss, lr, testAccuracy, testLoss, consensusDistance,
      imagesPerSecond, timeSeconds;
  /** Training reports: bytes all nodes have sent for the algorithm's exchanges since the run
   * started (NaN for evaluations). */
  public final double bytesSent;

  public Progress(boolean eval, long step, long totalSteps, double epoch, double loss, double lr,
      double testAccuracy, double testLoss, double consensusDistance, double imagesPerSecond,
      double timeSeconds, double bytesSent) {
    this.eval = eval;
    this.step = step;
    this.totalSteps = totalSteps;
    this.epoch = epoch;
    this.loss = loss;
    this.lr = lr;
    this.testAccuracy = testAccuracy;
    this.testLoss = testLoss;
    this.consensusDistance = consensusDistance;
    this.imagesPerSecond = imagesPerSecond;
    this.timeSeconds = timeSeconds;
    this.bytesSent = bytesSent;
  }
}
