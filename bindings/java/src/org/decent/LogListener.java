package org.decent;

/**
 * Receives the library's log messages (Decent.setLogListener); may be called from native
 * threads (a trainer's nodes), one message at a time. Exceptions it throws are dropped.
 */
@FunctionalInterface
public interface LogListener {
  /** level: Decent.LOG_DEBUG to Decent.LOG_ERROR; message: one line. */
  void onMessage(int level, String message);
}
