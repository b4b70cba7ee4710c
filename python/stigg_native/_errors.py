"""The exceptions of stigg_native. Entitlement reads never raise for lack of data (they return
fallbacks); configuration, argument validation, usage writes and management calls raise these."""

from __future__ import annotations

import builtins
from typing import Optional


class StiggError(Exception):
    """Base class. ``code`` is Stigg's error code (e.g. ``CustomerNotFound``) or one of
    ``InvalidConfiguration``, ``InvalidArgument``, ``RequestTimeout``, ``NetworkError``,
    ``ClientClosed``; ``trace_id`` is the server's trace id when there is one."""

    code: str
    trace_id: Optional[str]
    argument: Optional[str]

    def __init__(
        self,
        message: str,
        *,
        code: str = "Unknown",
        trace_id: Optional[str] = None,
        argument: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.trace_id = trace_id
        self.argument = argument

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_rebuild, (type(self), self.message, self.code, self.trace_id, self.argument))


def _rebuild(
    cls: type[StiggError], message: str, code: str, trace_id: Optional[str], argument: Optional[str]
) -> StiggError:
    return cls(message, code=code, trace_id=trace_id, argument=argument)


class ConfigurationError(StiggError, ValueError):
    """A configuration option is invalid; ``argument`` names it (snake_case)."""


class InvalidArgumentError(StiggError, ValueError):
    """An argument is invalid; ``argument`` names the parameter (snake_case)."""


class ApiError(StiggError):
    """Stigg answered with an error (``code``, ``trace_id``)."""


class NetworkError(StiggError, ConnectionError):
    """The request could not reach Stigg."""


class TimeoutError(StiggError, builtins.TimeoutError):
    """The call did not finish within its timeout."""


class ClientClosedError(StiggError, RuntimeError):
    """The client was closed."""
