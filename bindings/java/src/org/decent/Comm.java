package org.decent;

import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.decent.capi.capi;
import org.decent.capi.decent_reduce_op;

/** One node's communicator (decent_comm): collectives over direct FloatBuffers (float32) or
 * DoubleBuffers (float64), in place.
 * Comm.runLocal lends one to each in-process node; Comm.mpi() is this MPI rank's own, closed
 * (and MPI finalised, when decent started it) by close(). */
public final class Comm implements AutoCloseable {
  private long handle;
  private final boolean owned;
  private Buffer pending; // kept alive between neighborAverageStart and ...Finish

  private Comm(long handle, boolean owned) {
    this.handle = handle;
    this.owned = owned;
  }

  /** Runs fn on `nodes` in-process nodes (threads); the first exception is thrown here. */
  public static void runLocal(int nodes, double timeoutSeconds, NodeFunction fn) {
    Native.load();
    NativeNodeFunction lent = (h, rank) -> fn.run(new Comm(h, false), rank);
    capi.decent_comm_run_local(nodes, timeoutSeconds, lent);
  }

  /** This MPI rank's communicator (under mpirun; initialises MPI if nobody has). */
  public static Comm mpi() {
    return new Comm(Handle.created(out -> capi.decent_comm_mpi_create(out)), true);
  }

  long handle() {
    if (handle == 0) throw new DecentException(1, "Comm: used after close()");
    return handle;
  }

  @Override
  public void close() {
    if (owned && handle != 0) capi.decent_comm_free(handle);
    handle = 0;
  }

  public int rank() {
    int[] r = new int[1];
    capi.decent_comm_rank(handle(), r);
    return r[0];
  }

  public int size() {
    int[] r = new int[1];
    capi.decent_comm_size(handle(), r);
    return r[0];
  }

  /** "local" or "mpi". */
  public String backend() {
    String[] s = new String[1];
    capi.decent_comm_backend(handle(), s);
    return s[0];
  }

  public void allreduceSum(FloatBuffer data) {
    capi.decent_comm_allreduce(handle(), data, decent_reduce_op.DECENT_REDUCE_SUM);
  }

  public void allreduceAverage(FloatBuffer data) {
    capi.decent_comm_allreduce(handle(), data, decent_reduce_op.DECENT_REDUCE_AVERAGE);
  }

  public void allreduceSum(DoubleBuffer data) {
    capi.decent_comm_allreduce_f64(handle(), data, decent_reduce_op.DECENT_REDUCE_SUM);
  }

  public void allreduceAverage(DoubleBuffer data) {
    capi.decent_comm_allreduce_f64(handle(), data, decent_reduce_op.DECENT_REDUCE_AVERAGE);
  }

  /** Every node's data becomes root's. */
  public void broadcast(FloatBuffer data, int root) {
    capi.decent_comm_broadcast(handle(), data, root);
  }

  /** Every node's data becomes root's. */
  public void broadcast(DoubleBuffer data, int root) {
    capi.decent_comm_broadcast_f64(handle(), data, root);
  }

  public void neighborAverage(Topology topology, long step, FloatBuffer data) {
    capi.decent_comm_neighbor_average(handle(), topology.handle(), step, data);
  }

  public void neighborAverage(Topology topology, long step, DoubleBuffer data) {
    capi.decent_comm_neighbor_average_f64(handle(), topology.handle(), step, data);
  }

  /** Starts neighborAverage without waiting (overlap it with other work); data must not be
   * written until neighborAverageFinish, which writes the average into it. */
  public void neighborAverageStart(Topology topology, long step, FloatBuffer data) {
    capi.decent_comm_neighbor_average_start(handle(), topology.handle(), step, data);
    pending = data;
  }

  /** The same over doubles. */
  public void neighborAverageStart(Topology topology, long step, DoubleBuffer data) {
    capi.decent_comm_neighbor_average_start_f64(handle(), topology.handle(), step, data);
    pending = data;
  }

  /** Waits for the neighbours and writes the average into the started buffer; returns it (a
   * FloatBuffer or a DoubleBuffer, as started: {@code FloatBuffer x = c.neighborAverageFinish();}). */
  @SuppressWarnings("unchecked")
  public <B extends Buffer> B neighborAverageFinish() {
    capi.decent_comm_neighbor_average_finish(handle());
    Buffer done = pending;
    pending = null;
    return (B) done;
  }

  /** A direct float buffer in native order, for the collectives. */
  public static FloatBuffer floats(int n) {
    return Native.floats(n);
  }

  /** A direct double buffer in native order, for the collectives over doubles. */
  public static DoubleBuffer doubles(int n) {
    return Native.doubles(n);
  }
}
