package org.decent;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import org.decent.capi.capi;

/** An image set: new Dataset("fashion-mnist", null, true). */
public final class Dataset extends Handle {
  public Dataset(String kind, String path, boolean train) {
    super(created(out -> capi.decent_dataset_open(kind, path, train ? 1 : 0, out)));
  }

  private Dataset(long handle) { super(handle); }

  /**
   * A dataset of the caller's images (labels.capacity() images of channels x height x width
   * floats each, channel-major, taken as they are) and labels in [0, classes); copied. It is
   * normalised with its own per-channel statistics unless setNormalization says otherwise.
   */
  public static Dataset fromArrays(
      FloatBuffer images, IntBuffer labels, long channels, long height, long width, long classes) {
    return new Dataset(created(out
        -> capi.decent_dataset_from_memory(images, labels, channels, height, width, classes, out)));
  }

  /** {mean, stddev} per channel with which batch() and a trainer normalise this set. */
  public float[][] normalization() {
    int c = Math.toIntExact(shape()[0]);
    FloatBuffer b = Native.floats(2L * c);
    capi.decent_java_dataset_normalization(handle(), b);
    float[][] out = new float[2][c];
    b.get(out[0]).get(out[1]);
    return out;
  }

  /** Normalises with this per-channel mean and stddev (a test split: its training split's). */
  public void setNormalization(float[] mean, float[] stddev) {
    if (mean.length != stddev.length) {
      throw new IllegalArgumentException("mean and stddev differ in length");
    }
    FloatBuffer b = Native.floats(2L * mean.length);
    b.put(mean).put(stddev).flip();
    capi.decent_java_dataset_set_normalization(handle(), b);
  }

  @Override
  void free(long h) {
    capi.decent_dataset_free(h);
  }

  public long size() {
    long[] n = new long[1];
    capi.decent_dataset_size(handle(), n);
    return n[0];
  }

  /** {channels, height, width, classes}. */
  public long[] shape() {
    long[] c = new long[1], h = new long[1], w = new long[1], k = new long[1];
    capi.decent_dataset_shape(handle(), c, h, w, k);
    return new long[] {c[0], h[0], w[0], k[0]};
  }

  /** Normalised images of samples `indices` (N x C x H x W) into `images`, labels into `labels`. */
  public void batch(LongBuffer indices, FloatBuffer images, IntBuffer labels) {
    capi.decent_dataset_batch(handle(), indices, images, labels);
  }

  /** A direct buffer of n indices, for batch(). */
  public static LongBuffer indices(long... values) {
    LongBuffer b = Native.longs(values.length);
    b.put(values).flip();
    return b;
  }
}
