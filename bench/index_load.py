"""Loading the candidate index, as every `match` run starts.

Fills a fresh SQLite database (through the product's own migrations) with N matched articles
whose `fingerprints` rows hold random signatures, then times what `match` does before its first
article, both ways it can:
- rebuilt from the database: read the signature rows and `insert_many` them into a fresh
  compact `CandidateIndex` (a first run, or one without a usable snapshot);
- from the snapshot the previous run wrote (`crawler.index_cache`): read the file, check a
  sample of it and its article ids against the database — a scheduled run.
Each ends with one query (the compact store sorts on its first query). The baseline, in the same
run, is how `match` loaded the index before the signatures column (migration 0002) and the
compact store: each stored fingerprint parsed whole and inserted one by one into datasketch's
dict storage — on the first `--baseline` rows only, since it runs at about a thousand rows a
second.

    python bench/index_load.py [--articles 1000000] [--baseline 5000]
    python bench/index_load.py --db postgresql+psycopg://postgres@127.0.0.1/EMPTY_DB   # PostgreSQL
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from crawler.index_cache import load_index, save_snapshot  # noqa: E402
from db.models import Article, Fingerprint, Site, utcnow  # noqa: E402
from db.session import connect, session_factory  # noqa: E402
from dedup import FINGERPRINT_VERSION, CandidateIndex, Document  # noqa: E402
from dedup.fingerprint import Fingerprint as Print  # noqa: E402
from dedup.fingerprint import fingerprint  # noqa: E402
from dedup.minhash import SIGNATURE_SIZES, SIGNATURE_WIDTH  # noqa: E402

ROWS_PER_INSERT = 20_000


def fill(url: str, articles: int, template: Print) -> None:
    """N matched articles of one site; every fingerprint row holds the same serialized
    fingerprint (for the baseline) and its own random signatures."""
    rng = np.random.default_rng(5)
    data = template.to_bytes()
    engine = connect(url)
    with session_factory(engine)() as session:
        site = session.scalar(
            insert(Site).returning(Site.id), {"name": "s", "role": "source", "created_at": utcnow()}
        )
        for start in range(0, articles, ROWS_PER_INSERT):
            ids = range(start + 1, min(articles, start + ROWS_PER_INSERT) + 1)
            session.execute(insert(Article), [_article(site, i) for i in ids])
            sigs = rng.integers(0, 2**32, (len(ids), SIGNATURE_WIDTH), dtype=np.uint32)
            session.execute(
                insert(Fingerprint),
                [
                    {
                        "article_id": i,
                        "version": FINGERPRINT_VERSION,
                        "data": data,
                        "signatures": sigs[k].astype("<u4").tobytes(),
                    }
                    for k, i in enumerate(ids)
                ],
            )
            session.commit()
    engine.dispose()


def _article(site: int, i: int) -> dict:
    now = utcnow()
    return {
        "id": i,
        "site_id": site,
        "url": f"https://s.example/{i}",
        "text": "x",
        "content_hash": str(i),
        "status": "ok",
        "first_seen": now,
        "last_seen": now,
        "matched_version": FINGERPRINT_VERSION,
        "word_count": 1,
    }


def product_load(url: str, snapshot: Path | None) -> tuple[float, CandidateIndex]:
    """Seconds to load the index as `match` does, from the snapshot file if given."""
    engine = connect(url)
    with session_factory(engine)() as session:
        started = time.perf_counter()
        index, exact = load_index(session, snapshot)
        index.query(_probe())
        seconds = time.perf_counter() - started
    assert exact == (snapshot is not None), "the snapshot was not used"
    return seconds, index


def baseline_load(url: str, rows: int) -> float:
    engine = connect(url)
    with session_factory(engine)() as session:
        started = time.perf_counter()
        index = CandidateIndex(storage_config={"type": "dict"})
        query = select(Fingerprint.article_id, Fingerprint.data).limit(rows)
        for article_id, data in session.execute(query):
            index.insert(str(article_id), Print.from_bytes(data))
        return time.perf_counter() - started


def _probe() -> SimpleNamespace:
    rng = np.random.default_rng(9)
    sigs = {name: rng.integers(0, 2**32, n, dtype=np.uint32) for name, n in SIGNATURE_SIZES.items()}
    return SimpleNamespace(**{f"sig_{name}": sig for name, sig in sigs.items()})


def template() -> Print:
    text = (
        "The ferry Nordlys left Tromsø at 07:40 with 312 passengers, the operator said. "
        "Captain Ingrid Solberg reported winds of 24 metres per second near Lofoten. "
    ) * 6
    fp = fingerprint(Document(text, "en"))
    assert fp is not None
    return fp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=5_000)
    parser.add_argument(
        "--db", help="an empty database to fill and measure (default: a temporary SQLite file)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'load.db'}"
        started = time.perf_counter()
        fill(url, args.articles, template())
        print(f"filled {args.articles} articles in {time.perf_counter() - started:.0f}s")
        base_s = baseline_load(url, args.baseline)
        rebuild_s, index = product_load(url, None)
        snapshot = Path(tmp) / "load.db.index.npz"
        started = time.perf_counter()
        save_snapshot(index, snapshot, print)
        write_s = time.perf_counter() - started
        del index
        snapshot_s, _ = product_load(url, snapshot)
    base_rate = args.baseline / base_s
    print(f"baseline (parse + datasketch dict, per key): {base_rate:,.0f} articles/s")
    for name, seconds in (
        ("rebuilt from signature rows", rebuild_s),
        ("from the snapshot", snapshot_s),
    ):
        rate = args.articles / seconds
        print(
            f"syndetect, {name + ':':29s}{rate:,.0f} articles/s ({seconds:.1f}s for "
            f"{args.articles:,}), {rate / base_rate:.0f}x the baseline"
        )
    print(f"snapshot written in {write_s:.1f}s (target: loading >= 100,000 articles/s)")


if __name__ == "__main__":
    main()
