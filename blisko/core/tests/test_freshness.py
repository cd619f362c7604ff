"""FreshIndexRegistry: an in-memory index kept fresh by comparing a token, on a fake clock.

The registries here index a counter held in memory: the token is the counter, and a build
records the token it read. What is under test is when the registry reads the token, when it
builds, and what it answers meanwhile; the database-backed indexes have their own tests
(territories/tests/test_index.py, reports/tests/selectors/test_public.py).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from dataclasses import dataclass

import pytest
from django.db import transaction

from blisko.core.freshness import FreshIndexRegistry


class Clock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class Built:
    token: int
    number: int  # the how-manyeth build made it


class CounterRegistry(FreshIndexRegistry[Built, int]):
    """Indexes `data`; `in_caller` stands for where the database lets a build run."""

    label = "counter index"

    def __init__(
        self,
        *,
        clock: Clock,
        check_seconds: float = 10.0,
        max_age: float | None = None,
        in_caller: bool = True,
    ) -> None:
        self.data = 1
        self.token_reads = 0
        self.builds = 0
        self.gate: threading.Event | None = None  # a background build waits for it
        self.fail = False
        self.check_every = check_seconds
        self.oldest = max_age
        self.in_caller = in_caller
        super().__init__(clock=clock)

    def read_token(self) -> int:
        self.token_reads += 1
        return self.data

    def build(self) -> Built:
        token = self.data
        if self.gate is not None:
            assert self.gate.wait(30)
        if self.fail:
            raise RuntimeError("the database went away")
        self.builds += 1
        return Built(token=token, number=self.builds)

    def token_of(self, value: Built) -> int:
        return value.token

    def check_seconds(self) -> float:
        return self.check_every

    def max_age(self) -> float | None:
        return self.oldest

    def builds_in_caller(self) -> bool:
        return self.in_caller


class PatchingRegistry(CounterRegistry):
    """Brings an index up to a newer token without a build while the step is small."""

    def __init__(self, **kwargs) -> None:
        self.patches = 0
        super().__init__(**kwargs)

    def updated(self, value: Built, token: int) -> Built | None:
        if token - value.token > 1:
            return None
        self.patches += 1
        return Built(token=token, number=value.number)


class DefaultRegistry(FreshIndexRegistry[Built, int]):
    """The default check interval and build place: from the settings and the connection."""

    def __init__(self, *, clock: Clock) -> None:
        self.data = 1
        self.token_reads = 0
        super().__init__(clock=clock)

    def read_token(self) -> int:
        self.token_reads += 1
        return self.data

    def build(self) -> Built:
        return Built(token=self.data, number=0)

    def token_of(self, value: Built) -> int:
        return value.token


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_an_unchanged_token_keeps_the_same_index(clock):
    registry = CounterRegistry(clock=clock)
    first = registry.current()
    clock.advance(11)
    again = registry.current()
    assert first is not None and again is first
    assert registry.builds == 1 and registry.token_reads == 2


def test_the_token_is_read_at_most_once_per_check_interval(clock):
    registry = CounterRegistry(clock=clock, check_seconds=10)
    first = registry.current()
    registry.data = 2  # the database changes
    clock.advance(9.9)
    assert registry.current() is first  # the last check still holds
    assert registry.token_reads == 1
    clock.advance(0.2)
    rebuilt = registry.current()
    assert registry.token_reads == 2
    assert rebuilt is not None and rebuilt.token == 2 and rebuilt.number == 2


def test_a_moved_token_is_patched_when_the_index_can_be_updated(clock):
    registry = PatchingRegistry(clock=clock)
    first = registry.current()
    registry.data = 2
    clock.advance(11)
    patched = registry.current()
    assert patched == Built(token=2, number=1) and patched is not first
    assert registry.patches == 1 and registry.builds == 1


def test_a_moved_token_is_rebuilt_when_the_update_declines(clock):
    registry = PatchingRegistry(clock=clock)
    registry.current()
    registry.data = 5  # too far for a patch
    clock.advance(11)
    assert registry.current() == Built(token=5, number=2)
    assert registry.patches == 0


def test_a_build_that_saw_newer_data_waits_for_the_next_check(clock):
    registry = CounterRegistry(clock=clock)
    registry.current()
    registry.data = 2
    clock.advance(11)
    # The data move again between the token check and the build's own token.
    original_build = registry.build

    def build_after_a_change() -> Built:
        registry.data = 3
        return original_build()

    registry.build = build_after_a_change  # type: ignore[method-assign]
    assert registry.current() is None  # built at 3, checked at 2: not known fresh
    registry.build = original_build  # type: ignore[method-assign]
    clock.advance(11)
    assert registry.current() == Built(token=3, number=2)
    assert registry.builds == 2


def test_the_background_build_answers_none_until_it_is_swapped_in(clock):
    registry = CounterRegistry(clock=clock, in_caller=False)
    registry.rebuild()
    registry.data = 2
    registry.gate = threading.Event()
    clock.advance(11)
    assert registry.current() is None  # the database answers meanwhile
    clock.advance(11)
    assert registry.current() is None  # still building: no second builder
    registry.gate.set()
    registry.wait_idle()
    # No clock move: the swap makes the next call compare tokens at once.
    assert registry.current() == Built(token=2, number=2)
    assert registry.builds == 2


def test_a_failed_background_build_is_logged_and_tried_again_at_the_next_check(clock, caplog):
    registry = CounterRegistry(clock=clock, in_caller=False)
    registry.fail = True
    with caplog.at_level(logging.ERROR):
        assert registry.current() is None
        registry.wait_idle()
    assert "Building the counter index failed" in caplog.text
    registry.fail = False
    assert registry.current() is None  # the last check still holds
    clock.advance(11)
    assert registry.current() is None  # a new builder started
    registry.wait_idle()
    assert registry.current() == Built(token=1, number=1)


def test_an_index_past_its_max_age_is_rebuilt_while_it_keeps_answering(clock):
    registry = CounterRegistry(clock=clock, max_age=100, in_caller=False)
    old = registry.rebuild()
    clock.advance(50)
    assert registry.current() is old
    registry.gate = threading.Event()
    clock.advance(51)
    assert registry.current() is old  # too old: rebuilt in the background, answering meanwhile
    registry.gate.set()
    registry.wait_idle()
    new = registry.current()
    assert new is not None and new is not old and new.number == 2


def test_a_patch_keeps_the_age_of_the_last_build(clock):
    registry = PatchingRegistry(clock=clock, max_age=100, in_caller=False)
    registry.rebuild()
    clock.advance(60)
    registry.data = 2
    patched = registry.current()
    assert patched == Built(token=2, number=1)
    clock.advance(41)
    assert registry.current() is patched  # 101 s after the build, not after the patch
    registry.wait_idle()
    assert registry.current() == Built(token=2, number=2)


def test_max_age_does_not_rebuild_where_builds_run_in_the_caller(clock):
    registry = CounterRegistry(clock=clock, max_age=100, in_caller=True)
    old = registry.rebuild()
    clock.advance(101)
    assert registry.current() is old
    registry.wait_idle()
    assert registry.builds == 1


def test_expire_makes_the_next_call_read_the_token(clock):
    registry = CounterRegistry(clock=clock)
    registry.current()
    registry.data = 2
    registry.expire()
    assert registry.current() == Built(token=2, number=2)


def test_clear_forgets_the_index(clock):
    registry = CounterRegistry(clock=clock)
    first = registry.current()
    registry.clear()
    again = registry.current()
    assert again == Built(token=1, number=2) and again is not first


def test_the_check_interval_comes_from_the_settings(clock, settings):
    settings.BLISKO_INDEX_CHECK_SECONDS = 5
    registry = DefaultRegistry(clock=clock)
    registry.rebuild()
    clock.advance(4)
    registry.current()
    assert registry.token_reads == 0
    clock.advance(2)
    registry.current()
    assert registry.token_reads == 1


@pytest.mark.django_db
def test_inside_a_transaction_a_moved_token_is_rebuilt_in_the_caller(clock):
    registry = DefaultRegistry(clock=clock)
    with transaction.atomic():
        assert registry.builds_in_caller()
        registry.rebuild()
        registry.data = 2
        registry.expire()
        assert registry.current() == Built(token=2, number=0)


def test_a_forked_child_gets_a_new_lock_and_checks_the_token_at_once(clock):
    registry = CounterRegistry(clock=clock)
    registry.current()
    registry.data = 2  # changed; the parent's last check still holds
    # At the fork, another thread of the parent holds the registry's lock.
    held, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with registry._lock:
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert held.wait(30)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, and never return into pytest
        try:
            os.close(read)
            signal.alarm(20)  # a lock inherited held would hang here
            answer = registry.current()
            os.write(write, repr(answer).encode())
        finally:
            os._exit(0)
    try:
        os.close(write)
        with os.fdopen(read) as pipe:
            child_answer = pipe.read()
        _pid, status = os.waitpid(pid, 0)
    finally:
        release.set()
        holder.join()
    assert os.waitstatus_to_exitcode(status) == 0
    assert child_answer == repr(Built(token=2, number=2))
    assert registry.current() == Built(token=1, number=1)  # the parent is untouched
