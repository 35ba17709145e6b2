"""The sliding window behind the export limit (webapp.limits), on a clock the test moves."""

from __future__ import annotations

import pytest

from webapp import limits
from webapp.limits import SlidingWindow


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_over_the_limit_waits_until_its_oldest_event_leaves_the_window() -> None:
    clock = Clock()
    window = SlidingWindow(2, 600, clock)
    assert window.take("a") == 0
    clock.now += 100
    assert window.take("a") == 0
    clock.now += 50
    assert window.take("a") == pytest.approx(450)  # the first leaves at 1600; now is 1150
    assert window.take("b") == 0  # another visitor is counted apart
    clock.now += 450
    assert window.take("a") == 0  # the first left; the refused ones were never counted
    assert window.take("a") == pytest.approx(100)  # the second (at 1100) is still in


def test_visitors_whose_events_left_the_window_are_forgotten_past_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_VISITORS", 3)
    clock = Clock()
    window = SlidingWindow(1, 10, clock)
    for key in "abc":
        window.take(key)
    clock.now += 20
    window.take("d")
    window.take("e")  # four keys: past the cap, the idle ones go
    assert set(window._events) == {"d", "e"}
    assert window.take("a") == 0  # forgotten, so counted afresh
