package org.decent;

/** The body of one in-process node (Comm.runLocal), called on that node's thread with a lent
 * communicator handle (wrap it with new Comm(handle)). */
@FunctionalInterface
public interface NodeFunction {
  void run(long comm, int rank);
}
