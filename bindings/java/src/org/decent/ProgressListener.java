package org.decent;

/** Called during Trainer.run on a native thread; return true to stop after the reported step.
 * An exception stops training and is thrown by run(). */
@FunctionalInterface
public interface ProgressListener {
  boolean onProgress(Progress progress);
}
