"""Marker paging of the emulator's lists: the server's oldest-first order and the run pages' newest first."""

from __future__ import annotations

from paddleflow_provider.emulator.util import paginate

ITEMS = [(pk, f"run-{pk}") for pk in range(1, 8)]


def walk(newest_first: bool) -> list[list[str]]:
    pages, marker = [], None
    while True:
        page = paginate(ITEMS, marker, 3, newest_first=newest_first)
        pages.append(page.items)
        if not page.next_marker:
            return pages
        marker = page.next_marker


def test_oldest_first_is_the_servers_order() -> None:
    assert walk(newest_first=False) == [["run-1", "run-2", "run-3"], ["run-4", "run-5", "run-6"], ["run-7"]]


def test_newest_first_pages_down_to_the_oldest_with_nothing_lost_or_repeated() -> None:
    assert walk(newest_first=True) == [["run-7", "run-6", "run-5"], ["run-4", "run-3", "run-2"], ["run-1"]]
