package org.decent;

import org.decent.capi.capi;

/** The library as a whole: version and build. */
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
}
