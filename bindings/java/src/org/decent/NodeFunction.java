package org.decent;

/** The body of one in-process node (Comm.runLocal), called on that node's thread with its
 * communicator, which belongs to the run: use it only inside this call, do not close it. */
@FunctionalInterface
public interface NodeFunction {
  void run(Comm comm, int rank);
}
