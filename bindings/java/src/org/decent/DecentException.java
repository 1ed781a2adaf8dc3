package org.decent;

/** A failed decent call: the C ABI's status (decent_status) and decent_last_error()'s message. */
public class DecentException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final String[] NAMES = {"DECENT_OK", "DECENT_ERR_INVALID_ARGUMENT",
      "DECENT_ERR_OUT_OF_RANGE", "DECENT_ERR_BUFFER_TOO_SMALL", "DECENT_ERR_NOT_SUPPORTED",
      "DECENT_ERR_IO", "DECENT_ERR_COMMUNICATION", "DECENT_ERR_TIMEOUT", "DECENT_ERR_NUMERICAL",
      "DECENT_ERR_OUT_OF_MEMORY", "DECENT_ERR_INTERNAL"};
  private final int status;

  public DecentException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The decent_status value (1 = invalid argument, 5 = I/O, 8 = numerical, ...). */
  public int status() {
    return status;
  }

  /** The status's name, e.g. "DECENT_ERR_INVALID_ARGUMENT". */
  public String statusName() {
    return status >= 0 && status < NAMES.length ? NAMES[status] : "DECENT_ERR_UNKNOWN";
  }
}
