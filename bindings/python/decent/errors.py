"""Exceptions of decent: one class per decent_status of the C ABI, all under decent.Error."""


class Error(Exception):
    """A decent call failed. `status` is the C ABI's decent_status; the message is
    decent_last_error()'s: the function, the bad value and what was expected."""

    status = None

    def __init__(self, message, status=None):
        super().__init__(message)
        if status is not None:
            self.status = status


class InvalidArgument(Error, ValueError):
    status = 1


class OutOfRange(Error, IndexError):
    status = 2


class BufferTooSmall(Error):
    status = 3


class NotSupported(Error):
    status = 4


class IoError(Error, OSError):
    status = 5


class CommunicationError(Error):
    status = 6


class TimeoutError(Error):  # noqa: A001 - mirrors DECENT_ERR_TIMEOUT
    status = 7


class NumericalError(Error, ArithmeticError):
    status = 8


class OutOfMemory(Error, MemoryError):
    status = 9


class InternalError(Error):
    status = 10


_BY_STATUS = {c.status: c for c in (InvalidArgument, OutOfRange, BufferTooSmall, NotSupported,
                                    IoError, CommunicationError, TimeoutError, NumericalError,
                                    OutOfMemory, InternalError)}


def _from_status(status, message):
    """The exception for a status (called by the extension module)."""
    return _BY_STATUS.get(status, Error)(message, status)
