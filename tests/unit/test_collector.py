"""The stages pause the cyclic garbage collector, and always turn it back on."""

import gc
import threading

import pytest

from qbo_sync.pipeline import collector


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_a_stage_runs_with_the_collector_paused_and_it_is_on_again_after():
    seen = []
    collector.paused(lambda: seen.append(gc.isenabled()))()
    assert seen == [False]
    assert gc.isenabled()


def test_the_collector_is_on_again_when_the_stage_raises():
    def failing_stage():
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        collector.paused(failing_stage)()
    assert gc.isenabled()


def test_overlapping_stages_in_threads_turn_it_on_only_when_the_last_one_ends():
    first_inside, second_done, seen = threading.Event(), threading.Event(), {}

    @collector.paused
    def first():
        first_inside.set()
        second_done.wait(timeout=10)
        seen["first, after second ended"] = gc.isenabled()

    @collector.paused
    def second():
        seen["second"] = gc.isenabled()

    thread = threading.Thread(target=first)
    thread.start()
    first_inside.wait(timeout=10)
    second()
    second_done.set()
    thread.join(timeout=10)
    assert seen == {"second": False, "first, after second ended": False}
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off():
    gc.disable()
    collector.paused(lambda: None)()
    assert not gc.isenabled()


def test_the_stage_keeps_its_name_and_result():
    @collector.paused
    def run_import(n):
        return n * 2

    assert run_import(21) == 42
    assert run_import.__name__ == "run_import"
