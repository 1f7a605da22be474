"""A short `make fuzz` (bench/fuzz.py): hostile requests never get a server error.

The same fuzzers with a few dozen examples per target and a fixed seed, so that the suite
catches a regression in seconds; `make fuzz` sends over 10,000 requests.
"""

import pytest

from bench import fuzz

EXAMPLES = 40
API_EXAMPLES = 10


@pytest.fixture
def fuzzer(db, settings):
    # One client sends every request: the anonymous API throttle would answer 429 instead.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000000/s"},
    }
    fuzz.make_fuzz_data(detainees=20)
    return fuzz.Fuzzer(fuzz.fuzz_data(), fuzz_seed=1)


@pytest.mark.parametrize("target", fuzz.TARGETS)
def test_hostile_query_strings_never_get_a_server_error(fuzzer, target):
    fuzzer.hypothesis_target(target, EXAMPLES)

    assert fuzzer.counts[target] >= EXAMPLES


def test_the_fuzz_data_has_drafts_whose_pages_must_answer_404(fuzzer):
    assert fuzzer.data["published"]
    assert len(fuzzer.data["drafts"]) >= 3
    assert fuzzer.data["draft_cases"]


def test_schemathesis_cases_never_get_a_server_error(fuzzer):
    fuzzer.schemathesis_operations(API_EXAMPLES)

    lists = {target: n for target, n in fuzzer.counts.items() if "{" not in target}
    assert set(lists) == {
        f"schemathesis GET /api/v1/{name}/ ({mode})"
        for name in ["detainees", "cases", "echr-applications", "execution-groups"]
        for mode in ["positive", "negative"]
    }
    assert min(lists.values()) >= API_EXAMPLES
