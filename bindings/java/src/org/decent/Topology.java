package org.decent;

import java.nio.DoubleBuffer;
import org.decent.capi.capi;

/** A communication graph with its mixing matrices: new Topology("ring", 8). */
public final class Topology extends Handle {
  public Topology(String spec, int nodes) {
    super(created(out -> capi.decent_topology_create(spec, nodes, out)));
  }

  @Override
  void free(long h) {
    capi.decent_topology_free(h);
  }

  public int nodes() {
    int[] n = new int[1];
    capi.decent_topology_nodes(handle(), n);
    return n[0];
  }

  public String name() {
    String[] s = new String[1];
    capi.decent_topology_name(handle(), s);
    return s[0];
  }

  /** ||P - 11^T/n||_2 of the product over `steps` steps from `start` (0: one period). */
  public double rho(long start, long steps) {
    double[] r = new double[1];
    capi.decent_topology_rho(handle(), start, steps, r);
    return r[0];
  }

  /** W^(step), row-major n x n. */
  public double[] weights(long step) {
    int n = nodes();
    DoubleBuffer w = Native.doubles((long) n * n);
    capi.decent_topology_weights(handle(), step, w);
    double[] out = new double[n * n];
    w.get(out);
    return out;
  }
}
