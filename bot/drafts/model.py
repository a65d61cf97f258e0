"""The draft 民事起诉状 as data: sections built from a ticket and a template
in knowledge/complaints.yaml, and the document they make.

A draft is a JSON-able dict:
  template, case_type       which template (knowledge/complaints.yaml) and its 案由
  values                    the template's 案件要素 (principal, loan_date, …)
  plaintiffs, defendants    lists of party dicts (see PARTY_FIELDS)
  claims                    诉讼请求 texts, numbered when rendered
  facts                     事实与理由 (paragraphs separated by newlines)
  evidence, witnesses       lists of {name, source, purpose} / {name, address, purpose}
  court                     {name, confirmed, manual}
  closing                   {signer, date, copies, attachments}
Whatever is unknown renders as 【待补充】; nothing here raises on missing or
odd data (a ticket with no defendant or no story still makes a document).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cn2an
import yaml

from knowledge.case_facts import NONE, TEMPLATES_FILE, extract_amount, facts_of, stored_date

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
COURTS_FILE = KNOWLEDGE / "courts.yaml"

MISSING = "【待补充】"
MISSING_RE = re.compile(r"【待补充[^】]*】")
TRUNCATED = "……【此处内容过长，文书中已截断，全文保存在司法所系统中，请精简】"
SCHEMA = 1

# Control characters (XML 1.0 cannot hold them: python-docx would refuse the
# text), lone surrogates, non-characters, and the bidi controls that can make
# a line read differently from what it says.
_BAD_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")

# Hard limits on what a draft stores (forms refuse longer input anyway);
# DOC_LIMITS are what the document shows of a field before cutting it with a note.
STORE_LIMIT = 50000
DOC_LIMITS = {"line": 150, "claim": 800, "facts": 12000, "item": 400}

PERSON_FIELDS = ("name", "sex", "birth", "ethnicity", "work", "address", "id_number", "phone")
ORG_FIELDS = ("name", "address", "id_number", "rep_label", "rep_name", "rep_title", "phone")
PARTY_FIELDS = ("kind",) + tuple(dict.fromkeys(PERSON_FIELDS + ORG_FIELDS))
REP_LABELS = ("法定代表人", "主要负责人")
ORG_RE = re.compile(r"(公司|工厂|厂|合作社|委员会|村委会?|居委会|村民小组|集团|中心|医院|学校|银行|商店|超市|门市部?|"
                    r"店|工程队|项目部|经营部|事务所|协会|有限|分公司|支公司)$|有限|公司")
RELATION_PREFIXES = ("同村的", "同村", "邻居家的", "邻居", "我儿子", "我女儿", "我丈夫", "我老公", "我媳妇", "我老婆",
                     "我妻子", "我哥", "我弟", "我姐", "我妹", "老板", "包工头", "对方是", "对方叫", "对方")

SECTION_LABELS = {
    "template": "案由和模板", "values": "案件要素", "plaintiffs": "原告", "defendants": "被告",
    "claims": "诉讼请求", "facts": "事实与理由", "evidence": "证据", "witnesses": "证人",
    "court": "受诉法院", "closing": "落款和附件",
}


# -- text hygiene -------------------------------------------------------------------------
def clean_text(value, limit: int = STORE_LIMIT) -> str:
    """Multi-line text safe for a .docx/.pdf: control characters gone, line ends unified."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _BAD_CHARS.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text[:limit]


def clean_line(value, limit: int = STORE_LIMIT) -> str:
    """One line: newlines and tabs become spaces."""
    return clean_text(value, limit).replace("\n", " ").strip()


def cap(text: str, limit: int) -> str:
    """The document's share of a long field, with a note saying it was cut."""
    text = text or ""
    return text if len(text) <= limit else text[:limit] + TRUNCATED


def shown(value) -> str:
    """A value as the document shows it: 【待补充】 when empty."""
    value = clean_line(value)
    return value if value else MISSING


def missing_count(texts) -> int:
    return sum(len(MISSING_RE.findall(t or "")) for t in texts)


# -- values --------------------------------------------------------------------------------
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MONEY_SUFFIX = re.compile(r"\s*(元|块钱|块|圆)$")


def normalize_date(text: str) -> str:
    """2025-03-05 / 2025/3/5 / 2025.3.5 → 2025年3月5日; anything else unchanged."""
    m = _DATE_RE.match(text.strip())
    if not m:
        return text
    y, mo, d = (int(g) for g in m.groups())
    try:
        dt.date(y, mo, d)
    except ValueError:
        return text
    return f"{y}年{mo}月{d}日"


def format_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _num(text: str) -> float | None:
    try:
        return float(text.replace(",", "").replace("，", ""))
    except (AttributeError, ValueError):
        return None


def _fmt_num(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.2f}"


# -- templates -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    key: str
    label: str
    hint: str = ""
    extract: str = ""
    default: str = ""
    group: str = ""

    @property
    def money(self) -> bool:
        return "（元）" in self.label


@dataclass(frozen=True)
class Template:
    id: str
    case_type: str
    categories: tuple[str, ...]
    fields: tuple[Field, ...]
    defendants: tuple[dict, ...]
    claims: tuple[str, ...]
    facts_outline: str
    evidence_hints: tuple[dict, ...]
    citations: tuple[dict, ...]
    jurisdiction: dict
    notes: str = ""

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class Templates:
    templates: tuple[Template, ...]
    jurisdiction: dict = field(default_factory=dict)

    def get(self, template_id: str) -> Template:
        for t in self.templates:
            if t.id == template_id:
                return t
        return self.generic

    @property
    def generic(self) -> Template:
        return next(t for t in self.templates if t.id == "generic")

    def for_category(self, category: str) -> Template:
        for t in self.templates:
            if category and category in t.categories:
                return t
        return self.generic

    def choices(self) -> list[tuple[str, str]]:
        return [(t.id, t.case_type) for t in self.templates]


# What the intake asks about a field: read by knowledge/case_facts.py, not by the drafts.
INTAKE_KEYS = ("ask", "answer", "options", "none")


def parse_templates(data: dict) -> Templates:
    out = []
    for raw in data["templates"]:
        out.append(Template(
            id=raw["id"], case_type=raw["case_type"], categories=tuple(raw.get("categories") or ()),
            fields=tuple(Field(**{k: v for k, v in f.items() if k not in INTAKE_KEYS})
                         for f in raw.get("fields") or ()),
            defendants=tuple(raw.get("defendants") or ({"kind": "person", "name": "{other_party}"},)),
            claims=tuple(raw.get("claims") or ()), facts_outline=raw.get("facts_outline") or "",
            evidence_hints=tuple(raw.get("evidence_hints") or ()), citations=tuple(raw.get("citations") or ()),
            jurisdiction=dict(raw.get("jurisdiction") or {"rule": "domicile"}), notes=raw.get("notes") or "",
        ))
    if not any(t.id == "generic" for t in out):
        raise ValueError("complaints.yaml needs a template with id: generic")
    return Templates(tuple(out), dict(data.get("jurisdiction") or {}))


@lru_cache(maxsize=1)
def load_templates(path: Path = TEMPLATES_FILE) -> Templates:
    return parse_templates(yaml.safe_load(path.read_text(encoding="utf-8")))


def law_title(law: str) -> str:
    """The name a court document uses: 《中华人民共和国民法典》; regulations keep their own name."""
    if law.endswith(("条例", "规定", "办法", "解释")) or law.startswith("中华人民共和国"):
        return f"《{law}》"
    return f"《中华人民共和国{law}》"


def citation_text(citations) -> str:
    """《中华人民共和国民法典》第六百六十七条、第六百七十五条，《…》第…条"""
    by_law: dict[str, list[int]] = {}
    for c in citations:
        by_law.setdefault(c["law"], []).append(int(c["article"]))
    parts = []
    for law, numbers in by_law.items():
        parts.append(law_title(law) + "、".join(f"第{cn2an.an2cn(n)}条" for n in numbers))
    return "，".join(parts) if parts else MISSING


# -- parties ----------------------------------------------------------------------------------
def blank_party(kind: str = "person") -> dict:
    party = {k: "" for k in PARTY_FIELDS}
    party["kind"] = kind if kind in ("person", "org") else "person"
    party["rep_label"] = REP_LABELS[0]
    return party


def normalize_party(raw) -> dict:
    party = blank_party((raw or {}).get("kind", "person") if isinstance(raw, dict) else "person")
    if isinstance(raw, dict):
        for k in PARTY_FIELDS[1:]:
            party[k] = clean_line(raw.get(k, ""), 1000)
    if party["rep_label"] not in REP_LABELS:
        party["rep_label"] = REP_LABELS[0]
    if party["birth"]:
        party["birth"] = normalize_date(party["birth"])
    if party["ethnicity"] and not party["ethnicity"].endswith("族") and len(party["ethnicity"]) <= 4:
        party["ethnicity"] += "族"
    return party


def guess_name(other_party: str) -> str:
    """The defendant's name from the villager's "对方" answer: 邻居王五 → 王五.
    Long descriptions are left for the staff (the editor shows the raw answer)."""
    text = clean_line(other_party)
    first = re.split(r"[，,。；;、\s（(：:]", text, maxsplit=1)[0] if text else ""
    for prefix in RELATION_PREFIXES:
        rest = first[len(prefix):]
        if first.startswith(prefix) and 2 <= len(rest) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", rest):
            return rest
    if looks_like_org(first):
        return first if len(first) <= 60 else ""
    return first if 0 < len(first) <= 8 else ""  # a person's name, not a sentence about them


def looks_like_org(name: str) -> bool:
    return bool(name and ORG_RE.search(name))


def party_text(role: str, p: dict) -> list[str]:
    """The lines a party block makes, e.g. 原告：张三，男，1970年1月1日出生，汉族，住…

    What 《民事诉讼法》第一百二十四条 requires is marked 【待补充】 when missing: for the
    原告 all of it (sex and birth date come with the ID number: the form reads them from
    it, so while the number is missing only the number is marked); for the 被告 the name,
    sex and address ("姓名、性别、工作单位、住所等信息") — the rest is written when known."""
    lim = DOC_LIMITS["line"]
    v = {k: cap(clean_line(p.get(k, "")), lim) for k in PARTY_FIELDS}
    defendant = role == "被告"

    def field(label_value: str, value: str, required: bool) -> list[str]:
        if value:
            return [label_value.format(value)]
        return [label_value.format(MISSING)] if required else []

    if p.get("kind") == "org":
        first = f"{role}：{v['name'] or MISSING}，住所地：{v['address'] or MISSING}"
        first += "".join(f"，{x}" for x in field("统一社会信用代码：{}", v["id_number"], not defendant)) + "。"
        if defendant and not v["rep_name"]:
            return [first]
        rep = f"{v['rep_label'] or REP_LABELS[0]}：{v['rep_name'] or MISSING}"
        rep += f"，{v['rep_title']}" if v["rep_title"] else f"，职务：{MISSING}"
        rep += "".join(f"，{x}" for x in field("联系电话：{}", v["phone"], not defendant)) + "。"
        return [first, rep]
    from_id = not defendant and not v["id_number"]  # the ID number's mark stands for sex and birth date
    parts = [f"{role}：{v['name'] or MISSING}"]
    parts += field("{}", v["sex"], not from_id)
    parts += field("{}出生", v["birth"], not (from_id or defendant))
    parts += field("{}", v["ethnicity"], not defendant)
    parts += field("{}", v["work"], False)
    parts += field("住{}", v["address"], True)
    parts += field("公民身份号码：{}", v["id_number"], not defendant)
    parts += field("联系电话：{}", v["phone"], not defendant)
    return ["，".join(parts) + "。"]


# -- filling templates ------------------------------------------------------------------------
class _Fill(dict):
    """format_map mapping: unknown or empty placeholders become 【待补充】."""

    def __missing__(self, key):
        return MISSING


def _ticket_context(ticket: dict, home: dict, town: str) -> dict:
    village = clean_line(ticket.get("village", ""), 100)
    address = f"{home.get('address_prefix', '')}{town}{village}" if village else ""
    other_address = clean_line(ticket.get("other_address", ""), 300)
    if other_address == NONE:
        other_address = ""
    elif town and other_address.startswith(town):  # the intake writes 下汤镇和尚岭村: the county goes in front
        other_address = home.get("address_prefix", "") + other_address
    return {
        "plaintiff": clean_line(ticket.get("name", ""), 100),
        "other_party": guess_name(ticket.get("other_party", "")),
        "village_address": address,
        "story": clean_text(ticket.get("story", ""), 5000),
        "other_kind": clean_line(ticket.get("other_kind", ""), 10),
        "other_address": other_address,
    }


def _keys(value) -> list[str]:
    if not value:
        return []
    return [str(value)] if isinstance(value, str) else [str(v) for v in value]


def applies(item, values: dict) -> bool:
    """Whether a conditional part of a template is written: `if: key` unless the key's
    value is 无 (unknown values count as given, so they show as 【待补充】);
    `unless: key` only when it is 无."""
    if not isinstance(item, dict):
        return True
    def none(key: str) -> bool:
        return clean_line(values.get(key, "")) == NONE

    return not any(none(k) for k in _keys(item.get("if"))) and all(none(k) for k in _keys(item.get("unless")))


def render_part(item, data: "_Fill", values: dict) -> str:
    """A template text: a string, a list of parts joined, or {if/unless, text}."""
    if isinstance(item, str):
        return render(item, data)
    if isinstance(item, (list, tuple)):
        return "".join(render_part(i, data, values) for i in item)
    if isinstance(item, dict) and applies(item, values):
        return render_part(item.get("text", ""), data, values)
    return ""


def template_texts(template: "Template") -> list[str]:
    """Every text a template can write (for checks of its placeholders)."""
    out: list[str] = []

    def walk(item):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, (list, tuple)):
            for i in item:
                walk(i)
        elif isinstance(item, dict):
            walk(item.get("text", ""))

    walk(list(template.claims))
    walk(template.facts_outline)
    return out


def fill_values(template: Template, values: dict, ctx: dict) -> _Fill:
    """Everything a template's text can refer to, with derived entries
    (damages list and total, citations, first defendant)."""
    data = _Fill()
    for k, v in ctx.items():
        if v:
            data[k] = v
    for f in template.fields:
        v = clean_line(values.get(f.key, ""), 2000)
        if f.money:
            v = _MONEY_SUFFIX.sub("", v)
        if v:
            data[f.key] = normalize_date(v)
            day = stored_date(data[f.key])
            if day:
                data[f"{f.key}_next"] = format_date(day + dt.timedelta(days=1))
    heads = [f for f in template.fields if f.group == "damages"]
    if heads:
        filled = [(f, data[f.key]) for f in heads if f.key in data]
        if filled:
            data["damages_list"] = "其中" + "、".join(
                f"{f.label.replace('（元）', '')}{v}元" for f, v in filled)
            numbers = [_num(v) for _, v in filled]
            if "damages_total" not in data and all(n is not None for n in numbers):
                data["damages_total"] = _fmt_num(sum(numbers))
        else:
            data["damages_list"] = f"各项损失明细{MISSING}"
    data["citations"] = citation_text(template.citations)
    return data


def render(text: str, data: _Fill) -> str:
    try:
        return text.format_map(data)
    except (ValueError, IndexError, AttributeError):  # a stray brace in the YAML: show it, never fail
        return text


def generate_sections(template: Template, values: dict, ctx: dict) -> dict:
    data = fill_values(template, values, ctx)
    claims = [c for c in (clean_line(render_part(c, data, values)) for c in template.claims) if c]
    outline = template.facts_outline
    paragraphs = [outline] if isinstance(outline, str) else list(outline)
    facts = clean_text("\n".join(render_part(p, data, values) for p in paragraphs))
    evidence = [{"name": clean_line(e.get("name", "")), "source": clean_line(e.get("source", "")),
                 "purpose": clean_line(e.get("purpose", ""))} for e in template.evidence_hints if applies(e, values)]
    return {"claims": claims, "facts": facts, "evidence": evidence}


def defendant_defaults(template: Template, values: dict, ctx: dict) -> list[dict]:
    """The template's defendants; the first is the villager's "对方" with what the
    intake learnt of them (男/女 or 单位, and where they live)."""
    data = fill_values(template, values, ctx)
    out = []
    for i, spec in enumerate(template.defendants):
        name = render(spec.get("name", ""), data)
        name = "" if MISSING in name else clean_line(name, 200)
        kind = spec.get("kind", "person")
        told = ctx.get("other_kind", "") if i == 0 and "{other_party}" in spec.get("name", "") else ""
        if told == "单位":
            kind = "org"
        elif told in ("男", "女"):
            kind = "person"
        elif name and kind == "person" and looks_like_org(name):
            kind = "org"
        elif name and kind == "org" and not looks_like_org(name) and len(name) <= 4:
            kind = "person"  # a labour case against a 包工头 by name
        party = blank_party(kind)
        party["name"] = name
        if told:
            party["sex"] = told if kind == "person" and told in ("男", "女") else ""
            party["address"] = ctx.get("other_address", "")
        out.append(party)
    return out or [blank_party()]


def template_context(draft: dict, ticket: dict, home: dict, town: str) -> dict:
    ctx = _ticket_context(ticket, home, town)
    defendants = draft.get("defendants") or []
    if defendants and clean_line(defendants[0].get("name", "")):
        ctx["defendant"] = clean_line(defendants[0]["name"], 200)
    elif ctx.get("other_party"):
        ctx["defendant"] = ctx["other_party"]
    plaintiffs = draft.get("plaintiffs") or []
    if plaintiffs and clean_line(plaintiffs[0].get("name", "")):
        ctx["plaintiff"] = clean_line(plaintiffs[0]["name"], 200)
    return ctx


def initial_values(template: Template, ticket: dict, ctx: dict) -> dict:
    """The 案件要素 to start with: the villager's answers in the intake, else what
    can be read from their story or the template's default."""
    values = {}
    facts = facts_of(ticket)
    story = clean_text(ticket.get("story", ""), 5000)
    for f in template.fields:
        value = clean_line(facts.get(f.key, ""), 2000)
        if value:
            pass
        elif f.extract == "amount":
            value = extract_amount(story)
        elif f.default:
            value = render(f.default, _Fill({k: v for k, v in ctx.items() if v}))
            value = "" if MISSING in value else value
        values[f.key] = value
    return values


def build_draft(ticket: dict, templates: Templates, *, town: str, home: dict, today: dt.date | None = None,
                template_id: str | None = None) -> dict:
    """A first draft from a ticket hash; never raises on missing fields."""
    ticket = ticket or {}
    template = templates.get(template_id) if template_id else templates.for_category(ticket.get("category", ""))
    ctx = _ticket_context(ticket, home, town)
    values = initial_values(template, ticket, ctx)
    plaintiff = blank_party("person")
    plaintiff.update(name=ctx["plaintiff"], phone=clean_line(ticket.get("phone", ""), 40),
                     address=ctx["village_address"])
    draft = {
        "schema": SCHEMA, "template": template.id, "case_type": template.case_type, "values": values,
        "plaintiffs": [plaintiff], "defendants": defendant_defaults(template, values, ctx),
        "court": {"name": "", "confirmed": False, "manual": False},
        "witnesses": [],
        "closing": {"signer": ctx["plaintiff"], "date": format_date(today or dt.date.today()),
                    "copies": "", "attachments": []},
    }
    ctx = template_context(draft, ticket, home, town)
    draft.update(generate_sections(template, values, ctx))
    return draft


def regenerate(draft: dict, templates: Templates, ticket: dict, *, town: str, home: dict,
               template_id: str | None = None) -> dict:
    """Claims, facts and evidence made again from the (possibly new) template and the values;
    parties, court and closing are kept, empty defendant names are filled from the template."""
    new = normalize(draft)
    template = templates.get(template_id or new["template"])
    if template.id != new["template"]:
        old_values = new["values"]
        ctx = _ticket_context(ticket, home, town)
        new["values"] = initial_values(template, ticket, ctx)
        new["values"].update({k: v for k, v in old_values.items() if k in new["values"] and v})
        new["template"], new["case_type"] = template.id, template.case_type
    ctx = template_context(new, ticket, home, town)
    defaults = defendant_defaults(template, new["values"], ctx)
    for i, d in enumerate(defaults):
        if i < len(new["defendants"]):
            if not new["defendants"][i]["name"] and d["name"]:
                new["defendants"][i]["name"] = d["name"]
        elif template.id != draft.get("template"):
            new["defendants"].append(d)
    ctx = template_context(new, ticket, home, town)
    generated = generate_sections(template, new["values"], ctx)
    if template.id == draft.get("template"):
        generated.pop("evidence")  # the evidence list only follows a change of template
    new.update(generated)
    return new


def hand_edited(draft: dict, templates: Templates, ticket: dict, *, town: str, home: dict) -> list[str]:
    """The generated sections (claims, facts) that staff changed by hand since they were made."""
    d = normalize(draft)
    again = regenerate(d, templates, ticket, town=town, home=home)
    return [k for k in ("claims", "facts") if again[k] != d[k]]


# -- normalising stored / edited drafts -------------------------------------------------------------
def normalize(draft) -> dict:
    """Any stored or edited draft, cleaned into the current shape (old or damaged data included)."""
    d = draft if isinstance(draft, dict) else {}
    court = d.get("court") if isinstance(d.get("court"), dict) else {}
    closing = d.get("closing") if isinstance(d.get("closing"), dict) else {}

    def rows(items, keys):
        out = []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                row = {k: clean_line(item.get(k, ""), 2000) for k in keys}
                if any(row.values()):
                    out.append(row)
        return out

    copies = str(closing.get("copies", "") or "").strip()
    return {
        "schema": SCHEMA,
        "template": clean_line(d.get("template", "generic"), 40) or "generic",
        "case_type": clean_line(d.get("case_type", ""), 100),
        "values": {clean_line(k, 40): clean_line(v, 2000) for k, v in (d.get("values") or {}).items()}
        if isinstance(d.get("values"), dict) else {},
        "plaintiffs": [normalize_party(p) for p in d.get("plaintiffs") or []][:10] or [blank_party()],
        "defendants": [normalize_party(p) for p in d.get("defendants") or []][:10] or [blank_party()],
        "claims": [c for c in (clean_line(c, 5000) for c in d.get("claims") or [] if isinstance(c, str)) if c],
        "facts": clean_text(d.get("facts", ""), STORE_LIMIT),
        "evidence": rows(d.get("evidence"), ("name", "source", "purpose")),
        "witnesses": rows(d.get("witnesses"), ("name", "address", "purpose")),
        "court": {"name": clean_line(court.get("name", ""), 100), "confirmed": bool(court.get("confirmed")),
                  "manual": bool(court.get("manual"))},
        "closing": {"signer": clean_line(closing.get("signer", ""), 200),
                    "date": clean_line(closing.get("date", ""), 40),
                    "copies": copies if copies.isdigit() and 0 < int(copies) < 100 else "",
                    "attachments": [a for a in (clean_line(a, 500) for a in closing.get("attachments") or []
                                                if isinstance(a, str)) if a][:20]},
    }


def changed_sections(old: dict | None, new: dict) -> list[str]:
    if not old:
        return list(SECTION_LABELS)
    keys = []
    for key in SECTION_LABELS:
        a = (old.get(key), old.get("case_type")) if key == "template" else old.get(key)
        b = (new.get(key), new.get("case_type")) if key == "template" else new.get(key)
        if a != b:
            keys.append(key)
    return keys


# -- the document ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    """One paragraph of the document. kind: title | party | heading | item | para | plain | right."""

    kind: str
    text: str
    section: str


def court_name(draft: dict) -> str:
    name = clean_line((draft.get("court") or {}).get("name", ""))
    return name if name else MISSING + "人民法院"


def document(draft) -> list[Block]:
    """The complaint, paragraph by paragraph, in the standard order."""
    d = normalize(draft)
    lim = DOC_LIMITS
    blocks = [Block("title", "民事起诉状", "title")]
    for p in d["plaintiffs"]:
        blocks += [Block("party", line, "plaintiffs") for line in party_text("原告", p)]
    for p in d["defendants"]:
        blocks += [Block("party", line, "defendants") for line in party_text("被告", p)]

    blocks.append(Block("heading", "诉讼请求：", "claims"))
    claims = d["claims"] or [MISSING]
    for i, c in enumerate(claims, 1):
        blocks.append(Block("item", f"{i}. {cap(c, lim['claim'])}", "claims"))

    blocks.append(Block("heading", "事实与理由：", "facts"))
    facts = cap(d["facts"], lim["facts"]) or MISSING
    for para in [p for p in facts.split("\n") if p.strip()]:
        blocks.append(Block("para", para, "facts"))

    blocks.append(Block("heading", "证据和证据来源，证人姓名和住所：", "evidence"))
    if not d["evidence"]:
        blocks.append(Block("item", f"1. {MISSING}", "evidence"))
    for i, e in enumerate(d["evidence"], 1):
        text = f"{i}. {cap(e['name'], lim['item']) or MISSING}。证据来源：{cap(e['source'], lim['item']) or MISSING}。"
        if e["purpose"]:
            text += f"证明目的：{cap(e['purpose'].rstrip('。'), lim['item'])}。"
        blocks.append(Block("item", text, "evidence"))
    if d["witnesses"]:
        for w in d["witnesses"]:
            text = f"证人：{cap(w['name'], lim['line']) or MISSING}，住{cap(w['address'], lim['item']) or MISSING}"
            text += f"，{cap(w['purpose'].rstrip('。'), lim['item'])}。" if w["purpose"] else "。"
            blocks.append(Block("item", text, "witnesses"))
    else:
        blocks.append(Block("item", "证人：无。", "witnesses"))

    blocks.append(Block("plain", "此致", "court"))
    blocks.append(Block("plain", cap(court_name(d), lim["line"]), "court"))
    copies = d["closing"]["copies"] or str(len(d["defendants"]))
    attach = [f"本起诉状副本{copies}份", f"证据材料{len(d['evidence'])}份"] + [
        cap(a, lim["item"]) for a in d["closing"]["attachments"]]
    blocks.append(Block("plain", "附：" + "；".join(f"{i}. {a}" for i, a in enumerate(attach, 1)) + "。", "closing"))
    signer = d["closing"]["signer"] or (d["plaintiffs"][0]["name"] if d["plaintiffs"] else "")
    blocks.append(Block("right", f"具状人：{cap(signer, lim['line']) or MISSING}（签名）", "closing"))
    blocks.append(Block("right", cap(d["closing"]["date"], lim["line"]) or MISSING, "closing"))
    return blocks


def section_texts(draft) -> dict[str, list[str]]:
    """The document's text per section (for the editor's cards and the golden tests)."""
    out: dict[str, list[str]] = {}
    for b in document(draft):
        out.setdefault(b.section, []).append(b.text)
    return out


def plain_text(draft) -> str:
    return "\n".join(b.text for b in document(draft))


def document_missing(draft) -> int:
    return missing_count(b.text for b in document(draft))
