"""The answers table (issue 12): what a villager types to an intake question,
and what the bot must understand from it.

tests/data/answers_table.yaml was written from the contract of handlers/answers.py
and from how people answer, by someone who did not write the parser. Every field
of every expectation is compared; lunar dates are literal Gregorian dates in the
YAML (checked with two lunar-calendar libraries while writing, not imported here).
Each test id is ``L<line in the YAML>-<kind>-<answer in pinyin>``.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
import yaml
from pypinyin import Style, lazy_pinyin

from handlers import answers

TABLE = Path(__file__).parent / "data" / "answers_table.yaml"

# kind -> (required keys, optional keys)
SCHEMA = {
    "option": ({"prompt", "options", "answer"}, {"expect", "expect_ambiguous", "note"}),
    "yesno": ({"answer", "expect"}, {"prompt", "note"}),
    "unknown": ({"answer", "expect"}, {"prompt", "note"}),
    "none": ({"answer", "expect"}, {"prompt", "note"}),
    "date": ({"answer", "today", "expect"}, {"prompt", "past", "note"}),
    "amount": ({"answer", "expect"}, {"prompt", "note"}),
}
DATE_KEYS = {"day", "precision", "lunar"}
AMOUNT_KEYS = {"yuan", "per"}


def _load(path=TABLE):
    """The rows of an answers table with the line each one starts on (for readable ids)."""
    loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
    try:
        root = loader.get_single_node()
        rows = loader.construct_document(root)
        lines = [node.start_mark.line + 1 for node in root.value]
    finally:
        loader.dispose()
    return list(zip(lines, rows))


ROWS = _load()


def _id(row):
    line, case = row
    words = lazy_pinyin(str(case.get("answer", "")), style=Style.NORMAL)
    return f"L{line}-{case.get('kind')}-" + "-".join(w.strip() for w in words if w.strip())


def _of(kind):
    return [pytest.param(case, id=_id((line, case))) for line, case in ROWS if case.get("kind") == kind]


def _schema_errors(case):
    kind = case.get("kind")
    if kind not in SCHEMA:
        return [f"unknown kind {kind!r}"]
    required, optional = SCHEMA[kind]
    keys = set(case) - {"kind"}
    errors = [f"missing {k}" for k in sorted(required - keys)]
    errors += [f"unknown key {k}" for k in sorted(keys - required - optional)]
    if not isinstance(case.get("answer"), str) or not case["answer"].strip():
        errors.append("answer must be a non-empty string (quote digits)")
    expect = case.get("expect")
    if kind == "option":
        options = case.get("options") or []
        if not (isinstance(options, list) and len(options) >= 2 and all(isinstance(o, str) for o in options)):
            errors.append("options must be a list of at least two strings")
        if ("expect" in case) == ("expect_ambiguous" in case):
            errors.append("exactly one of expect / expect_ambiguous")
        if "expect" in case and expect is not None and not (isinstance(expect, int) and 0 <= expect < len(options)):
            errors.append("expect must be an option index or null")
        amb = case.get("expect_ambiguous")
        if "expect_ambiguous" in case and not (
                isinstance(amb, list) and len(amb) >= 2 and len(set(amb)) == len(amb)
                and all(isinstance(i, int) and 0 <= i < len(options) for i in amb)):
            errors.append("expect_ambiguous must list two or more distinct option indexes")
    elif kind == "yesno":
        if expect not in (True, False, None):
            errors.append("expect must be true, false or null")
    elif kind in ("unknown", "none"):
        if not isinstance(expect, bool):
            errors.append("expect must be true or false")
    elif kind == "date":
        if not isinstance(case.get("today"), dt.date):
            errors.append("today must be a date")
        if "past" in case and not isinstance(case["past"], bool):
            errors.append("past must be true or false")
        if expect is not None:
            if not isinstance(expect, dict):
                errors.append("expect must be null or a mapping")
            elif expect == {"error": True}:
                pass
            elif set(expect) - DATE_KEYS or not {"day", "precision"} <= set(expect):
                errors.append("date expect: {day, precision[, lunar]} or {error: true}")
            else:
                day, precision = expect["day"], expect["precision"]
                if not isinstance(day, dt.date) or precision not in ("day", "month", "year"):
                    errors.append("day must be a date, precision day/month/year")
                elif not expect.get("lunar") and (
                        (precision == "month" and day.day != 1)
                        or (precision == "year" and (day.month, day.day) != (1, 1))):
                    errors.append("a month/year answer starts on the first day of the period")
                if "lunar" in expect and not isinstance(expect["lunar"], bool):
                    errors.append("lunar must be true or false")
                if case.get("past", True) and isinstance(day, dt.date) and day > case.get("today", day):
                    errors.append("past=true but the expected day is after today")
    elif kind == "amount":
        if expect is not None:
            if not isinstance(expect, dict) or "yuan" not in expect or set(expect) - AMOUNT_KEYS:
                errors.append("amount expect: {yuan[, per]}")
            elif not isinstance(expect["yuan"], int) or expect["yuan"] <= 0:
                errors.append("yuan must be a positive integer")
            elif expect.get("per") not in (None, "day", "month", "year"):
                errors.append("per must be day, month or year")
    return errors


def test_table_is_well_formed_and_covers_the_issue():
    """A typo in a key must not turn a case into one that cannot fail."""
    bad = [(line, case.get("answer"), err) for line, case in ROWS for err in _schema_errors(case)]
    assert not bad, bad
    assert len(ROWS) >= 220
    kinds = Counter(case["kind"] for _, case in ROWS)
    assert kinds["option"] >= 80 and kinds["date"] >= 40 and kinds["amount"] >= 40, kinds
    assert min(kinds[k] for k in ("yesno", "unknown", "none")) >= 20, kinds
    cases = [case for _, case in ROWS]
    assert sum("expect_ambiguous" in c for c in cases) >= 5
    assert sum(c["kind"] == "option" and "expect" in c and c["expect"] is None for c in cases) >= 10
    dates = [c["expect"] for c in cases if c["kind"] == "date" and isinstance(c["expect"], dict)]
    assert sum(bool(e.get("lunar")) for e in dates) >= 15
    assert sum(e == {"error": True} for e in dates) >= 5
    amounts = [c["expect"] for c in cases if c["kind"] == "amount"]
    assert sum(a is None for a in amounts) >= 10 and sum(bool(a and a.get("per")) for a in amounts) >= 5
    for kind in ("yesno", "unknown", "none"):
        assert {c["expect"] for c in cases if c["kind"] == kind} >= {True, False}, kind


def test_no_case_is_written_twice():
    def key(case):
        return (case["kind"], tuple(case.get("options", ())), case["answer"], case.get("today"), case.get("past", True))
    twice = [k for k, n in Counter(key(c) for _, c in ROWS).items() if n > 1]
    assert not twice, twice


@pytest.mark.parametrize("case", _of("option"))
def test_option(case):
    got = answers.choose(case["answer"], case["options"])
    shown = (case["prompt"], case["answer"], got)
    if "expect_ambiguous" in case:
        assert got.index is None, shown
        assert sorted(got.ambiguous) == sorted(case["expect_ambiguous"]), shown
    else:
        assert got.index == case["expect"], shown
        assert tuple(got.ambiguous) == (), shown


@pytest.mark.parametrize("case", _of("yesno"))
def test_yes_no(case):
    got = answers.yes_no(case["answer"])
    assert got is case["expect"], (case["answer"], got)


@pytest.mark.parametrize("case", _of("unknown"))
def test_unknown(case):
    got = answers.is_unknown(case["answer"])
    assert got is case["expect"], (case["answer"], got)


@pytest.mark.parametrize("case", _of("none"))
def test_none(case):
    got = answers.is_none(case["answer"])
    assert got is case["expect"], (case["answer"], got)


@pytest.mark.parametrize("case", _of("date"))
def test_date(case):
    got = answers.parse_date(case["answer"], case["today"], past=case.get("past", True))
    expect = case["expect"]
    shown = (case["answer"], f"today={case['today']}", got)
    if expect is None:                       # not a date at all
        assert got.day is None and got.precision == "", shown
    elif expect == {"error": True}:          # a date, but one that cannot be right: asked again with the reason
        assert got.day is None, shown
        assert isinstance(got.error, str) and got.error.strip(), shown
    else:
        assert (got.day, got.precision, got.lunar) == (expect["day"], expect["precision"], expect.get("lunar", False)), shown
        assert not got.error, shown


@pytest.mark.parametrize("case", _of("amount"))
def test_amount(case):
    got = answers.parse_amount(case["answer"])
    expect = case["expect"]
    if expect is None:
        assert got is None, (case["answer"], got)
    else:
        assert got is not None, case["answer"]
        assert type(got.yuan) is int, (case["answer"], got)
        assert (got.yuan, got.per) == (expect["yuan"], expect.get("per")), (case["answer"], got)
