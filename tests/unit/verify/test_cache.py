"""Kept analyses: one analysis per file and validation time while fresh, another when the time to
keep it has passed or the moment differs, the least recently used dropped past the size; what one
caller gets cannot be changed under another (an analysis is frozen)."""

import dataclasses
import datetime as dt

import pytest

from signing.trust import TrustSettings
from verify.cache import CachedAnalyser
from verify.checks import Analysis
from verify.report import Finding
from verify.rules import RuleId
from verify.text import Text


def said(sentence: str) -> Text:
    return Text(sentence, sentence)


class Counting:
    def __init__(self) -> None:
        self.calls: list[tuple[bytes, dt.datetime | None]] = []

    def __call__(self, data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
        self.calls.append((data, at))
        return Analysis(
            (
                Finding(
                    RuleId.LONGTERM_LATER_STAMPS,
                    said(f"analysis {len(self.calls)}"),
                ),
            )
        )


def test_an_analysis_is_kept_by_file_and_moment_for_its_time() -> None:
    now = [0.0]
    inner = Counting()
    cached = CachedAnalyser(inner, size=2, ttl=300, clock=lambda: now[0])
    trust = TrustSettings(anchors=())
    first = cached(b"%PDF form", trust)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.findings = ()  # type: ignore[misc]
    assert cached(b"%PDF form", trust).reasons == ["analysis 1"]  # kept, and a copy
    past = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert cached(b"%PDF form", trust, past).reasons == ["analysis 2"]  # another moment
    now[0] = 301.0
    assert cached(b"%PDF form", trust).reasons == ["analysis 3"]  # "now" has moved on
    cached(b"%PDF other", trust)  # three files in two places: the least recently used goes
    assert cached(b"%PDF form", trust, past).reasons == ["analysis 5"]
    assert len(inner.calls) == 5
