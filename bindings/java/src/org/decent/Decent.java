package org.decent;

import org.decent.capi.capi;

/** The library as a whole: version, build, threads and where its messages go. */
public final class Decent {
  private Decent() {}

  /** libdecent's version, "MAJOR.MINOR.PATCH". */
  public static String version() {
    Native.load();
    return capi.decent_version();
  }

  /** The build's features as JSON (with_dnnl, with_mpi, with_cuda, cuda_plugin, ...). */
  public static String buildInfo() {
    Native.load();
    return capi.decent_build_info();
  }

  /** CPU threads of the layers for calls from this thread (models, datasets): 1 to 1024. */
  public static void setThreads(int threads) {
    Native.load();
    capi.decent_set_threads(threads);
  }

  public static final int LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARNING = 2, LOG_ERROR = 3;

  /**
   * Sends the library's messages of minLevel and above (every failed call is a LOG_ERROR
   * message; a run's start, evaluations, checkpoints and end are LOG_INFO) to the listener;
   * null turns it off. decent prints nothing itself.
   */
  public static void setLogListener(LogListener listener, int minLevel) {
    Native.load();
    capi.decent_java_set_log_callback(listener, minLevel);
  }
}
