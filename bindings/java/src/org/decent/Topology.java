package org.decent;

import java.nio.DoubleBuffer;
import org.decent.capi.capi;

/** A communication graph with its mixing matrices: new Topology("ring", 8). */
public final class Topology extends Handle {
  public Topology(String spec, int nodes) {
    super(created(out -> capi.decent_topology_create(spec, nodes, out)));
  }

  private Topology(long handle) { super(handle); }

  /**
   * Your own mixing matrices: `steps` row-major nodes x nodes matrices one after the other
   * (weights[(t * nodes + i) * nodes + j] = w_ij of step t), each non-negative and doubly
   * stochastic to 1e-9; a DecentException names the step and the row or column otherwise.
   */
  public static Topology fromWeights(int nodes, int steps, double[] weights) {
    DoubleBuffer w = Native.doubles(weights.length);
    w.put(weights).rewind();
    return new Topology(
        created(out -> capi.decent_topology_create_from_weights(nodes, steps, w, out)));
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

  /** Steps after which a time-varying topology repeats (1 for a static one). */
  public int period() {
    int[] p = new int[1];
    capi.decent_topology_period(handle(), p);
    return p[0];
  }

  /** W^(start+steps-1) ... W^(start), row-major n x n; steps 0: one period. */
  public double[] product(long start, long steps) {
    int n = nodes();
    DoubleBuffer p = Native.doubles((long) n * n);
    capi.decent_topology_product(handle(), start, steps, p);
    double[] out = new double[n * n];
    p.get(out);
    return out;
  }

  /** {j: w_node,j} for the nodes that `node` receives from at `step` (itself excluded). */
  public java.util.Map<Integer, Double> inNeighbors(int node, long step) {
    return neighbors(node, step, true);
  }

  /** {i: w_i,node} for the nodes that receive from `node` at `step` (itself excluded). */
  public java.util.Map<Integer, Double> outNeighbors(int node, long step) {
    return neighbors(node, step, false);
  }

  private java.util.Map<Integer, Double> neighbors(int node, long step, boolean in) {
    int n = nodes();
    if (node < 0 || node >= n) {
      throw new DecentException(2, "node " + node + ": expected 0 <= node < " + n);
    }
    double[] w = weights(step);
    java.util.Map<Integer, Double> m = new java.util.TreeMap<>();
    for (int j = 0; j < n; ++j) {
      double v = in ? w[node * n + j] : w[j * n + node];
      if (j != node && v != 0) m.put(j, v);
    }
    return m;
  }
}
