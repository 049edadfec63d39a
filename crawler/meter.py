"""The progress line of a long stage of `match` (fingerprinting, matching): how far it is and how
long it has left, at most one line every few seconds, so that a backfill of a million articles
says where it stands without flooding the terminal."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

Progress = Callable[[str], None]  # where a progress line goes


def duration(seconds: float) -> str:
    """h:mm:ss, or m:ss under an hour."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Meter:
    """`update(done, detail)` after each batch of a stage of `total` items. The time left is
    the items left at the rate of the last `window` seconds: a stage's first batch pays for
    starting (workers, the index) and later articles meet a larger index, so the rate since
    the start would promise too little time. No estimate until two batches are done."""

    def __init__(
        self,
        stage: str,
        total: int,
        say: Progress,
        every: float = 2.0,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stage, self.total, self.say = stage, total, say
        self.every, self.window, self.clock = every, window, clock
        self.started = clock()
        self.samples: deque[tuple[float, int]] = deque()
        self.last_said: float | None = None

    def update(self, done: int, detail: str = "") -> None:
        now = self.clock()
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[1][0] >= self.window:
            self.samples.popleft()
        finished = done >= self.total
        if not finished and self.last_said is not None and now - self.last_said < self.every:
            return
        self.last_said = now
        line = f"{self.stage}: {done:,}/{self.total:,} articles"
        if detail:
            line += f", {detail}"
        self.say(f"{line}, {self._timing(now, done, finished)}")

    def _timing(self, now: float, done: int, finished: bool) -> str:
        if finished:
            return f"done in {duration(now - self.started)}"
        then, done_then = self.samples[0]
        if len(self.samples) < 2 or done <= done_then or now <= then:
            return "time left not known yet"
        rate = (done - done_then) / (now - then)
        return f"about {duration((self.total - done) / rate)} left"
