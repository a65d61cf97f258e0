"""Which basic-level court: a hint from the defendant's domicile or the
contract / accident / land place, by the 民事诉讼法 (2023) jurisdiction
articles named in knowledge/complaints.yaml, and the place → court map in
knowledge/courts.yaml. Staff confirm the court; the hint never decides."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cn2an
import yaml

from .model import COURTS_FILE, MISSING, Template, clean_line, normalize

UNKNOWN_COURT = MISSING + "人民法院"
RULE_NAMES = {"domicile": "被告住所地", "contract": "合同履行地", "tort": "侵权行为地", "immovable": "不动产所在地"}


@dataclass(frozen=True)
class CourtMap:
    home_court: str
    address_prefix: str
    places: tuple[tuple[str, str], ...]  # (place, court), longest place first

    def court_for(self, text: str) -> str | None:
        text = clean_line(text)
        if not text:
            return None
        for place, court in self.places:
            if place and place in text:
                return court
        return None


@lru_cache(maxsize=8)
def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def load_courts(town: str = "", villages: tuple[str, ...] = (), path: Path = COURTS_FILE) -> CourtMap:
    data = _load(path)
    home = data.get("home") or {}
    pairs: dict[str, str] = {}
    for entry in data.get("courts") or []:
        for place in entry.get("places") or []:
            pairs[str(place)] = entry["court"]
    home_court = home.get("court", "")
    if home_court:
        for place in [town, town[:-1] if town.endswith(("镇", "乡")) and len(town) > 2 else "", *villages]:
            if place:
                pairs.setdefault(place, home_court)
    ordered = tuple(sorted(pairs.items(), key=lambda kv: len(kv[0]), reverse=True))
    return CourtMap(home_court, home.get("address_prefix", ""), ordered)


def home_of(courts: CourtMap) -> dict:
    return {"court": courts.home_court, "address_prefix": courts.address_prefix}


@dataclass
class CourtHint:
    court: str
    known: bool
    rule: str
    basis: str
    citations: list[dict]
    candidates: list[tuple[str, str, str]] = field(default_factory=list)  # (label, place, court or "")

    def citation_labels(self) -> list[str]:
        return [f"《{c['law']}》第{cn2an.an2cn(int(c['article']))}条" for c in self.citations]


def suggest(draft: dict, template: Template, jurisdiction: dict, courts: CourtMap) -> CourtHint:
    """The competent basic-level court for this draft, with the articles it rests on."""
    d = normalize(draft)
    rule = template.jurisdiction.get("rule", "domicile")
    place_field = template.jurisdiction.get("place_field") or ""
    spec = jurisdiction.get(rule) or jurisdiction.get("domicile") or {}
    candidates: list[tuple[str, str]] = []
    place_label = ""
    if place_field:
        f = template.field(place_field)
        place_label = f.label if f else RULE_NAMES.get(rule, "")
        candidates.append((place_label, d["values"].get(place_field, "")))
    if rule != "immovable":  # 专属管辖: only where the land is
        for i, p in enumerate(d["defendants"]):
            label = "被告住所地" + (f"（{p['name']}）" if p["name"] else "") if len(d["defendants"]) > 1 else "被告住所地"
            candidates.append((label, p["address"]))
    seen = []
    for label, place in candidates:
        seen.append((label, clean_line(place), courts.court_for(place) or ""))
    found = [c for _, place, c in seen if c]
    if found:
        court = courts.home_court if courts.home_court in found else found[0]
    else:
        court = ""
    return CourtHint(court=court or UNKNOWN_COURT, known=bool(court), rule=rule, basis=spec.get("basis", ""),
                     citations=list(spec.get("citations") or []), candidates=seen)
