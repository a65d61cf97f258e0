"""The held-out answers table (issue 12): a second, independent check of handlers/answers.py.

tests/data/answers_heldout.yaml was written blind — its author had not read the parser,
the first table or its test — in fresh wordings (Henan dialect, voice-recognition
artefacts, answers inside a sentence, lunar dates, names with digit characters). The
first run's result is recorded at the top of the YAML; that is the independent figure.

Each case is compared by the very same checks as tests/test_answers_table.py (imported,
not copied), so both tables mean the same thing by every field.
Each test id is ``L<line in the YAML>-<kind>-<answer in pinyin>``.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests import test_answers_table as table

HELDOUT = Path(__file__).parent / "data" / "answers_heldout.yaml"

CHECKS = {
    "option": table.test_option,
    "yesno": table.test_yes_no,
    "unknown": table.test_unknown,
    "none": table.test_none,
    "date": table.test_date,
    "amount": table.test_amount,
}


ROWS = table._load(HELDOUT)


def test_heldout_table_is_well_formed():
    """A typo in a key must not turn a case into one that cannot fail."""
    bad = [(line, case.get("answer"), err) for line, case in ROWS for err in table._schema_errors(case)]
    assert not bad, bad
    assert len(ROWS) == 80
    kinds = Counter(case["kind"] for _, case in ROWS)
    assert set(kinds) == set(CHECKS), kinds
    twice = [k for k, n in Counter((c["kind"], tuple(c.get("options", ())), c["answer"], c.get("today"))
                                   for _, c in ROWS).items() if n > 1]
    assert not twice, twice


def test_heldout_does_not_repeat_the_first_table():
    """Held out means fresh wordings: no (kind, answer) pair of the first table again."""
    first = {(c["kind"], c["answer"]) for _, c in table.ROWS}
    repeated = [(c["kind"], c["answer"]) for _, c in ROWS if (c["kind"], c["answer"]) in first]
    assert not repeated, repeated


@pytest.mark.parametrize("case", [pytest.param(case, id=table._id((line, case))) for line, case in ROWS])
def test_heldout_case(case):
    CHECKS[case["kind"]](case)
