package org.decent;

/** Owns one C handle; close() frees it (try-with-resources). */
abstract class Handle implements AutoCloseable {
  private long handle;

  Handle(long handle) {
    this.handle = handle;
  }

  /** The C handle; throws after close(). */
  public long handle() {
    if (handle == 0) {
      throw new DecentException(1, getClass().getSimpleName() + ": used after close()");
    }
    return handle;
  }

  abstract void free(long handle);

  @Override
  public void close() {
    if (handle != 0) {
      free(handle);
      handle = 0;
    }
  }

  static long created(java.util.function.Consumer<long[]> create) {
    Native.load();
    long[] out = new long[1];
    create.accept(out);
    return out[0];
  }
}
