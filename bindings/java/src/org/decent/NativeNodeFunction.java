package org.decent;

/** What the native run_local trampoline calls (a lent communicator handle and the rank). Part of
 * the binding's plumbing: users implement {@link NodeFunction}, which receives a {@link Comm}. */
@FunctionalInterface
public interface NativeNodeFunction {
  void run(long comm, int rank);
}
