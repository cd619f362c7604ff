"""An in-memory index built from the database, kept fresh by comparing a cheap token.

Why: the area index (`blisko.territories.index`), the public map's counts
(`blisko.threatmap.selectors.map_index`), the categories (`blisko.reports.selectors.
categories`) and the officers' directory (`blisko.officers.selectors.find`) answer from
memory what the database would answer slowly. Both must notice a change soon, without asking the database on every call, and must
never answer from data they know to be stale. `FreshIndexRegistry` holds that mechanism once;
each index says how to read its token and how to build itself.

How `current()` decides:
- At most every BLISKO_INDEX_CHECK_SECONDS (settings; 0.5 by default) it reads the token: a
  few indexed look-ups that change whenever the indexed data do. Between checks it answers
  with what the last check decided.
- Token unchanged: the index is fresh. With a `max_age()`, an index older than that is
  rebuilt in the background while it keeps answering (changes the token cannot see, such as
  deleted rows).
- Token moved: `updated()` may bring the index up to date cheaply (the map patches changed
  rows). Otherwise the index is rebuilt: in a background thread, while `current()` returns
  None and callers ask the database (right at once); or in the caller's thread when only the
  caller's connection can see the data (`builds_in_caller`: inside a transaction, or an
  in-memory SQLite database that every thread shares, as in tests).
- A background build swaps its result in and makes the next call compare tokens again.

Thread-safe. A process forked from one holding an index (gunicorn --preload) keeps the index,
but neither the builder thread nor, possibly, a lock one of its threads held: the child gets a
new lock and checks the token on its first call.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from django.conf import settings
from django.db import connection, connections

ValueT = TypeVar("ValueT")
TokenT = TypeVar("TokenT")


def shares_one_connection() -> bool:
    """An in-memory SQLite database is one connection every thread shares (the tests'): a
    builder thread would collide with the caller, so such a process builds in the caller."""
    return connection.vendor == "sqlite" and bool(connection.is_in_memory_db())  # type: ignore[attr-defined]


class FreshIndexRegistry(ABC, Generic[ValueT, TokenT]):
    """Holds this process's copy of one in-memory index and keeps it fresh (see the module
    docstring).

    Subclasses name the index (`label`, for logs and the builder thread) and implement
    `read_token`, `build` and `token_of`; they may implement `updated` (bring an index up to a
    new token without a full build) and `max_age`. `clock` (monotonic seconds) is for tests.
    """

    label: ClassVar[str] = "index"

    _builder: threading.Thread | None

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._reset()
        # A weak reference: the fork hook cannot be unregistered, and must not keep a
        # registry (the tests make many) alive for ever.
        registry = weakref.ref(self)

        def after_fork_in_child() -> None:
            alive = registry()
            if alive is not None:
                alive._after_fork()

        os.register_at_fork(after_in_child=after_fork_in_child)

    # --- what each index provides ------------------------------------------------------------

    @abstractmethod
    def read_token(self) -> TokenT:
        """The database's current token: cheap, and different whenever the indexed data are."""

    @abstractmethod
    def build(self) -> ValueT:
        """A new index of the database's data. Read the token first, then the data: data
        newer than the token only cost one more check, while the reverse would hide a change."""

    @abstractmethod
    def token_of(self, value: ValueT) -> TokenT:
        """The token `value` was built (or updated) at."""

    def updated(self, value: ValueT, token: TokenT) -> ValueT | None:
        """`value` brought up to `token` without a full build, or None to rebuild (the
        default). Called while holding the registry's lock; must not change `value`."""
        return None

    def max_age(self) -> float | None:
        """Seconds after which a fresh index is rebuilt in the background anyway, or None."""
        return None

    def check_seconds(self) -> float:
        """How long an answer about freshness holds before the token is read again."""
        return float(getattr(settings, "BLISKO_INDEX_CHECK_SECONDS", 0.5))

    def builds_in_caller(self) -> bool:
        """Whether only the caller's connection may see the data to index: inside a
        transaction (tests run so), or on an in-memory SQLite database every thread shares."""
        return connection.in_atomic_block or shares_one_connection()

    # --- the public operations ---------------------------------------------------------------

    def current(self) -> ValueT | None:
        """The index, if it matched the database at the last check; else None."""
        if self._clock() < self._next_check:
            return self._value if self._fresh else None
        with self._lock:
            if self._clock() < self._next_check:  # another thread checked meanwhile
                return self._value if self._fresh else None
            return self._check()

    def rebuild(self) -> ValueT:
        """Build the index now, in this thread, and make it current (start-up, tests, bench)."""
        with self._lock:
            value = self.build()
            self._store(value)
            self._fresh = True
            self._next_check = self._clock() + self.check_seconds()
            return value

    def expire(self) -> None:
        """Make the next call read the token, whatever the check interval."""
        self._next_check = 0.0

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Wait for a background build to finish (tests, commands)."""
        builder = self._builder
        if builder is not None:
            builder.join(timeout)

    def clear(self) -> None:
        """Forget the index (the next call builds a new one)."""
        with self._lock:
            self._reset()

    # --- the mechanism -----------------------------------------------------------------------

    def _reset(self) -> None:
        self._value: ValueT | None = None
        self._built_at = 0.0
        self._fresh = False
        self._next_check = 0.0
        self._builder = None

    def _after_fork(self) -> None:
        self._lock = threading.Lock()
        self._builder = None
        self._next_check = 0.0

    def _store(self, value: ValueT) -> None:
        """Make a newly built `value` the index (holding the lock)."""
        self._value = value
        self._built_at = self._clock()

    def _check(self) -> ValueT | None:
        """Compare the tokens and act on the answer (holding the lock)."""
        token = self.read_token()
        now = self._clock()
        self._next_check = now + self.check_seconds()
        value = self._value
        in_caller = self.builds_in_caller()
        if value is not None and self.token_of(value) == token:
            self._fresh = True
            max_age = self.max_age()
            if max_age is not None and not in_caller and now - self._built_at > max_age:
                self._start_builder()  # this one answers meanwhile
            return value
        if value is not None:
            updated = self.updated(value, token)
            if updated is not None:
                self._value, self._fresh = updated, True  # keeps the build's age
                return updated
        if in_caller:
            value = self.build()
            self._store(value)
            # The build read its own token: newer than `token` when the data moved meanwhile,
            # and then the next check decides.
            self._fresh = self.token_of(value) == token
            return value if self._fresh else None
        self._fresh = False
        self._start_builder()
        return None

    def _start_builder(self) -> None:
        if self._builder is None or not self._builder.is_alive():
            self._builder = threading.Thread(
                target=self._build_in_background,
                name=f"blisko-{self.label.replace(' ', '-')}",
                daemon=True,
            )
            self._builder.start()

    def _build_in_background(self) -> None:
        try:
            value = self.build()
            with self._lock:
                self._store(value)
                self._next_check = 0.0  # the next call compares tokens
        except Exception:
            logging.getLogger(type(self).__module__).exception(
                "Building the %s failed; answering from the database.", self.label
            )
        finally:
            connections.close_all()  # this thread's connections only


# Every per-process cache of the apps above, by the function that empties it: tests start
# each case without them (blisko.core.testing), whichever apps are installed.
_process_caches: dict[str, Callable[[], None]] = {}


def process_cache_register(name: str, clear: Callable[[], None]) -> None:
    """Let `process_caches_clear()` empty this cache too (call where the cache is made)."""
    _process_caches[name] = clear


def process_caches_clear() -> None:
    """Empty every registered per-process cache (the next call rebuilds each)."""
    for clear in list(_process_caches.values()):
        clear()
