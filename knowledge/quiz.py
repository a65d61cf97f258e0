"""普法答题 questions: one YAML file per category under knowledge/quiz/
(the 13 FAQ category codes, plus xianfa.yaml: the 宪法 set for 宪法宣传周).

Each file is a YAML list of questions:

    - id: quiz-labor-001
      category: labor
      question: 老板拖欠工资，农民工可以向哪里投诉？
      options: [县人社局（劳动保障监察）, 村里的小卖部, 只能自认倒霉]   # 3–4 options, shown shuffled
      answer: 1                  # 1-based, in the order written here
      explain: 一句话解释
      citations: [{law: 保障农民工工资支付条例, article: 10}]
      faq: labor-023             # optional: the FAQ entry offered at the end of a round

    - id: quiz-labor-002
      category: labor
      kind: truefalse            # a statement to judge: no options, answer 对 or 错
      question: 老板招工时可以扣下工人的身份证。
      answer: 错
      ...

`flask kb check` runs check(): schema, unique ids, options and answer,
citations that resolve to an article in knowledge/laws/, FAQ ids that exist.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from . import KNOWLEDGE_DIR
from .categories import CATEGORIES
from .faq import Citation

QUIZ_DIR = KNOWLEDGE_DIR / "quiz"
XIANFA = "xianfa"  # the 宪法 set, asked (at least twice a round) in 宪法宣传周
QUIZ_CATEGORIES = {**CATEGORIES, XIANFA: "宪法"}
CHOICE, TRUEFALSE = "choice", "truefalse"
TRUEFALSE_OPTIONS = ("对", "错")
MIN_OPTIONS, MAX_OPTIONS = 3, 4
_ID_RE = re.compile(r"^quiz-([a-z]+)-(\d{3})$")
_FIELDS = {"id", "category", "kind", "question", "options", "answer", "explain", "citations", "faq", "review"}


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    kind: str  # choice | truefalse
    question: str
    options: tuple[str, ...]  # for truefalse: ("对", "错")
    answer: int  # 1-based index into options
    explain: str
    citations: tuple[Citation, ...]
    faq: str = ""
    source: str = ""

    @property
    def right_option(self) -> str:
        return self.options[self.answer - 1]

    def basis(self) -> str:
        """《…》第…条、《…》第…条"""
        return "、".join(c.label() for c in self.citations)


def _parse(raw, source: str) -> tuple[Question | None, list[str]]:
    """One question from its YAML mapping, or None and the reasons it is not one."""
    if not isinstance(raw, dict):
        return None, [f"{source}: an item that is not a mapping"]
    qid = str(raw.get("id") or "")
    where = f"{source}: {qid or '<no id>'}"
    problems = [f"{where}: unknown field {k!r}" for k in raw if k not in _FIELDS]
    category = str(raw.get("category") or "")
    m = _ID_RE.match(qid)
    if not m:
        problems.append(f"{where}: id must look like quiz-<category>-NNN")
    if category not in QUIZ_CATEGORIES:
        problems.append(f"{where}: unknown category {category!r}")
    elif m and m.group(1) != category:
        problems.append(f"{where}: id prefix does not match category {category}")
    if category and source != f"{category}.yaml":
        problems.append(f"{where}: a question of category {category!r} belongs in {category}.yaml")
    question = str(raw.get("question") or "").strip()
    explain = str(raw.get("explain") or "").strip()
    if not question:
        problems.append(f"{where}: empty question")
    if not explain:
        problems.append(f"{where}: empty explain")
    kind = str(raw.get("kind") or CHOICE)
    answer = raw.get("answer")
    options: tuple[str, ...] = ()
    index = 0
    if kind == TRUEFALSE:
        if raw.get("options") not in (None, list(TRUEFALSE_OPTIONS)):
            problems.append(f"{where}: a truefalse question has no options (its options are 对/错)")
        options = TRUEFALSE_OPTIONS
        if answer not in TRUEFALSE_OPTIONS:
            problems.append(f"{where}: a truefalse answer must be 对 or 错, not {answer!r}")
        else:
            index = TRUEFALSE_OPTIONS.index(answer) + 1
    elif kind == CHOICE:
        raw_options = raw.get("options")
        if not isinstance(raw_options, list) or not all(isinstance(o, (str, int)) for o in raw_options):
            problems.append(f"{where}: options must be a list of {MIN_OPTIONS}–{MAX_OPTIONS} texts")
        else:
            options = tuple(str(o).strip() for o in raw_options)
            if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
                problems.append(f"{where}: needs {MIN_OPTIONS}–{MAX_OPTIONS} options, has {len(options)}")
            if any(not o for o in options):
                problems.append(f"{where}: an empty option")
            if len(set(options)) != len(options):
                problems.append(f"{where}: two options are the same")
        if isinstance(answer, bool) or not isinstance(answer, int):
            problems.append(f"{where}: answer must be the number of the right option (1-based)")
        elif options and not 1 <= answer <= len(options):
            problems.append(f"{where}: answer {answer} is not one of the {len(options)} options")
        else:
            index = answer
    else:
        problems.append(f"{where}: kind must be {CHOICE} or {TRUEFALSE}, not {kind!r}")
    citations = []
    raw_citations = raw.get("citations")
    if not isinstance(raw_citations, list) or not raw_citations:
        problems.append(f"{where}: no citations")
    else:
        for c in raw_citations:
            if not isinstance(c, dict) or not isinstance(c.get("article"), int) or not c.get("law"):
                problems.append(f"{where}: a citation needs law and article (a number): {c!r}")
            else:
                citations.append(Citation(str(c["law"]), int(c["article"])))
    faq = raw.get("faq") or ""
    if not isinstance(faq, str):
        problems.append(f"{where}: faq must be one FAQ entry id")
        faq = ""
    if problems:
        return None, problems
    return Question(qid, category, kind, question, options, index, explain, tuple(citations), faq, source), []


def read(quiz_dir: Path | None = None) -> tuple[list[Question], list[str]]:
    """All questions that parse, and one line per problem (files that do not load included)."""
    quiz_dir = Path(quiz_dir or QUIZ_DIR)
    questions: list[Question] = []
    problems: list[str] = []
    for path in sorted(quiz_dir.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: cannot load: {exc}")
            continue
        if not isinstance(data, list):
            problems.append(f"{path.name}: expected a YAML list of questions")
            continue
        for raw in data:
            q, why = _parse(raw, path.name)
            problems.extend(why)
            if q is not None:
                questions.append(q)
    return questions, problems


@lru_cache(maxsize=1)
def load_questions() -> tuple[Question, ...]:
    """The questions the bot asks (those that pass the schema; `flask kb check` reports the rest)."""
    return tuple(read()[0])


def check(quiz_dir: Path | None = None, statutes=None, faq_ids: set[str] | None = None) -> tuple[int, list[str]]:
    """(number of questions, problems): schema, unique ids, citations, FAQ ids, coverage."""
    from .statutes import load_statutes

    if faq_ids is None:
        from .faq import load_entries

        faq_ids = {e.id for e in load_entries()}
    statutes = statutes or load_statutes()
    questions, problems = read(quiz_dir)
    seen: dict[str, str] = {}
    for q in questions:
        where = f"{q.source}: {q.id}"
        if q.id in seen:
            problems.append(f"{where}: duplicate id (also in {seen[q.id]})")
        seen.setdefault(q.id, q.source)
        problems.extend(statutes.citation_problems(where, q.citations))
        if q.faq and q.faq not in faq_ids:
            problems.append(f"{where}: no FAQ entry {q.faq!r}")
    have = {q.category for q in questions}
    for code, name in QUIZ_CATEGORIES.items():
        if code not in have:
            problems.append(f"quiz: no question of category {code} ({name}) in {code}.yaml")
    return len(questions), problems
