"""Completion helpers scheduled on the event loop by the native side (``call_soon_threadsafe``)."""

from __future__ import annotations

import asyncio
from typing import Any


def resolve(fut: "asyncio.Future[Any]", value: Any) -> None:
    if not fut.done():
        fut.set_result(value)


def reject(fut: "asyncio.Future[Any]", exc: BaseException) -> None:
    if not fut.done():
        fut.set_exception(exc)
