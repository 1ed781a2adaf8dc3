package org.decent;

import java.nio.FloatBuffer;
import org.decent.capi.capi;

/** A network with flat parameters: new Model("resnet20", 3, 32, 32, 10, 1). */
public final class Model extends Handle {
  public Model(String name, long channels, long height, long width, long classes, long seed) {
    super(created(out -> capi.decent_model_create(name, channels, height, width, classes,
        java.math.BigInteger.valueOf(seed), out)));
  }

  Model(long handle) {
    super(handle);
  }

  @Override
  void free(long h) {
    capi.decent_model_free(h);
  }

  public long parameterCount() {
    long[] p = new long[1];
    capi.decent_model_parameter_count(handle(), p, null);
    return p[0];
  }

  /** The flat parameters in a new direct buffer. */
  public FloatBuffer parameters() {
    FloatBuffer b = Native.floats(parameterCount());
    capi.decent_model_get_parameters(handle(), b);
    return b;
  }

  /** Sets the parameters from a direct buffer of exactly parameterCount() floats. */
  public void setParameters(FloatBuffer values) {
    capi.decent_model_set_parameters(handle(), values);
  }

  /** Logits (batch x classes, row-major) of `batch` images in a direct buffer. */
  public FloatBuffer predict(FloatBuffer images, long batch) {
    long[] classes = new long[1];
    capi.decent_model_shape(handle(), null, null, null, classes);
    FloatBuffer logits = Native.floats(batch * classes[0]);
    capi.decent_model_predict(handle(), images, batch, logits);
    return logits;
  }

  /** {channels, height, width, classes}. */
  public long[] shape() {
    long[] c = new long[1], h = new long[1], w = new long[1], k = new long[1];
    capi.decent_model_shape(handle(), c, h, w, k);
    return new long[] {c[0], h[0], w[0], k[0]};
  }

  /** Batch-norm running statistics (0 for models without batch norm). */
  public long bufferCount() {
    long[] b = new long[1];
    capi.decent_model_parameter_count(handle(), null, b);
    return b[0];
  }

  public FloatBuffer buffers() {
    FloatBuffer b = Native.floats(bufferCount());
    capi.decent_model_get_buffers(handle(), b);
    return b;
  }

  public void setBuffers(FloatBuffer values) {
    capi.decent_model_set_buffers(handle(), values);
  }

  /** Writes the model (architecture, parameters, buffers; CRC-32) to a file. */
  public void save(String path) {
    capi.decent_model_save(handle(), path);
  }

  /** The bytes save() would write, in a direct buffer. */
  public java.nio.ByteBuffer toBytes() {
    long[] size = new long[1];
    try {
      capi.decent_model_save_to_memory(handle(), Native.bytes(0), size);
    } catch (DecentException e) {
      if (e.status() != 3) throw e; // DECENT_ERR_BUFFER_TOO_SMALL: size now holds the need
    }
    java.nio.ByteBuffer b = Native.bytes(size[0]);
    capi.decent_model_save_to_memory(handle(), b, size);
    return b;
  }

  /** The model that toBytes() (or a model file's contents) holds, from a direct buffer. */
  public static Model fromBytes(java.nio.ByteBuffer bytes) {
    return new Model(created(out -> capi.decent_model_load_from_memory(bytes, out)));
  }

  /** The model a file written by save() (or decent train's model.bin) holds. */
  public static Model load(String path) {
    return new Model(created(out -> capi.decent_model_load(path, out)));
  }
}
