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
}
