"""The curated legal knowledge base: FAQ entries and statute texts (data),
plus the loader, validator and search that read them."""
from pathlib import Path

KNOWLEDGE_DIR = Path(__file__).resolve().parent
FAQ_DIR = KNOWLEDGE_DIR / "faq"
LAWS_DIR = KNOWLEDGE_DIR / "laws"
