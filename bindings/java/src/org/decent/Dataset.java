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
