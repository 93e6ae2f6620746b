"""One switch for "make these changes quietly": no e-mail, invitations or prompts (demo data, bulk imports).

Every app that reacts to changes by messaging people checks `notifications_are_muted()` in its receivers.
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextlib.contextmanager
def notifications_muted() -> Iterator[None]:
    """No messages for changes made inside."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notifications_are_muted() -> bool:
    return _muted.get()
