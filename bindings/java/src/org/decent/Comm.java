package org.decent;

import java.nio.FloatBuffer;
import org.decent.capi.capi;

/** One node's communicator (decent_comm): collectives over direct FloatBuffers, in place. */
public final class Comm {
  private final long handle;

  /** Wraps a handle lent by runLocal (not freed here). */
  public Comm(long handle) {
    this.handle = handle;
  }

  /** Runs fn on `nodes` in-process nodes (threads); the first exception is thrown here. */
  public static void runLocal(int nodes, double timeoutSeconds, NodeFunction fn) {
    Native.load();
    capi.decent_comm_run_local(nodes, timeoutSeconds, fn);
  }

  public int rank() {
    int[] r = new int[1];
    capi.decent_comm_rank(handle, r);
    return r[0];
  }

  public int size() {
    int[] r = new int[1];
    capi.decent_comm_size(handle, r);
    return r[0];
  }

  public void allreduceAverage(FloatBuffer data) {
    capi.decent_comm_allreduce(handle, data, org.decent.capi.decent_reduce_op.DECENT_REDUCE_AVERAGE);
  }

  public void neighborAverage(Topology topology, long step, FloatBuffer data) {
    capi.decent_comm_neighbor_average(handle, topology.handle(), step, data);
  }

  /** A direct float buffer in native order, for the collectives. */
  public static FloatBuffer floats(int n) {
    return Native.floats(n);
  }
}
