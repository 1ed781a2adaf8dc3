package org.decent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/** Loads the JNI library (libdecent_java.so, from java.library.path) and makes direct buffers. */
final class Native {
  static {
    System.loadLibrary("decent_java");
    if (org.decent.capi.capi.decent_abi_version() != org.decent.capi.capiConstants.DECENT_ABI_VERSION) {
      throw new UnsatisfiedLinkError("libdecent's ABI version differs from the binding's");
    }
  }

  private Native() {}

  static void load() {}

  static ByteBuffer bytes(long n) {
    return ByteBuffer.allocateDirect(Math.toIntExact(n)).order(ByteOrder.nativeOrder());
  }

  static FloatBuffer floats(long n) {
    return bytes(4 * n).asFloatBuffer();
  }

  static DoubleBuffer doubles(long n) {
    return bytes(8 * n).asDoubleBuffer();
  }

  static IntBuffer ints(long n) {
    return bytes(4 * n).asIntBuffer();
  }

  static LongBuffer longs(long n) {
    return bytes(8 * n).asLongBuffer();
  }
}
