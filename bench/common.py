"""Shared by the benchmark scripts: paths and the LawBench rows."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EVAL_DIR = ROOT / "bench" / "data"

# LawBench 2-4 topic labels that correspond to our categories. Labels with no
# counterpart (刑事辩护, 公司法, 知识产权, 海事海商, 涉外法律, 医疗纠纷, 建设工程,
# 房产纠纷, 综合咨询) are left out of the category comparison; the first five are
# used as "outside our knowledge base" questions when tuning thresholds.
LAWBENCH_MAP = {
    "婚姻家庭": "marriage", "劳动纠纷": "labor", "交通事故": "traffic", "债权债务": "debt",
    "合同纠纷": "contract", "侵权": "neighbor", "人身损害": "neighbor", "消费权益": "consumer",
    "抵押担保": "debt", "行政诉讼": "admin", "拆迁安置": "land",
}
OUTSIDE = ("刑事辩护", "公司法", "知识产权", "海事海商", "涉外法律")


def lawbench_rows(name: str = "lawbench_2-4_topic_500.jsonl") -> list[dict]:
    path = EVAL_DIR / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
