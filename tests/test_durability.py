"""Hard failures: kill -9 during a crawl and during matching, a read-only database, a full
disk. Nothing stored is lost, nothing is doubled, and the same command again completes the job.
"""

import json
import random
import shutil
import sqlite3
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import CLI, CRAWL_TABLE, syndetect

from crawler.demo.render import Page
from crawler.demo.server import serve

# A large invented vocabulary keeps unrelated synthetic stories unrelated for the matcher.
_VOCABULARY_RNG = random.Random(1)
WORDS = [
    "".join(
        _VOCABULARY_RNG.choice("aeioubdfgklmnprstvz") for _ in range(_VOCABULARY_RNG.randint(3, 9))
    )
    for _ in range(3000)
]
NAMES = ["Alvern", "Solheim", "Okafor", "Wierzbicki", "Lindqvist", "Marquez", "Dagny", "Ruiz"]


def story(rng: random.Random, n: int) -> str:
    paragraphs = []
    for _ in range(4):
        words = [rng.choice(WORDS) for _ in range(40)]
        words[rng.randrange(40)] = NAMES[n % len(NAMES)] + rng.choice(WORDS)
        words[rng.randrange(40)] = str(1000 + n)
        paragraphs.append("The " + " ".join(words) + ".")
    return "\n\n".join(paragraphs)


def page(text: str, n: int) -> Page:
    body = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    return Page(
        f'<html lang="en"><head><title>Story {n}</title><meta property="og:type" '
        f'content="article"></head><body><article><h1>Story {n}</h1>{body}</article></body>'
        "</html>".encode(),
        delay=0.02,
    )


def db_rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def integrity(path: Path) -> str:
    return db_rows(path, "PRAGMA integrity_check")[0][0]


def wait_for(path: Path, sql: str, minimum: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if path.exists() and db_rows(path, sql)[0][0] >= minimum:
                return
        except sqlite3.OperationalError:
            pass  # schema not created yet
        time.sleep(0.05)
    raise AssertionError(f"{sql} never reached {minimum}")


def one_site_config(directory: Path, name: str, base: str, per_domain: int | None = None) -> Path:
    """sites.toml for one source site at `base`, politeness off."""
    crawl = CRAWL_TABLE
    if per_domain is not None:
        crawl += f"CONCURRENT_REQUESTS_PER_DOMAIN = {per_domain}\n"
    config = directory / "sites.toml"
    config.write_text(
        crawl + f'[[site]]\nname = "{name}"\nrole = "source"\nstart_urls = ["{base}/"]\n'
    )
    return config


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = syndetect(*args, timeout=600)
    if check:
        assert result.returncode == 0, result.stderr[-2000:]
    return result


@pytest.mark.slow
def test_kill_9_during_crawl_then_rerun_loses_and_doubles_nothing(tmp_path):
    rng = random.Random(5)
    with serve({"big": ("127.0.0.47", 0)}) as web:
        base = web.bases["big"]
        pages = {"/robots.txt": Page(b"User-agent: *\n", "text/plain")}
        for number in range(1, 16):
            links = "".join(f'<a href="/s/{number}-{k}">s</a>' for k in range(20))
            older = f'<a href="/page/{number + 1}/">Older</a>' if number < 15 else ""
            pages["/" if number == 1 else f"/page/{number}/"] = Page(
                f"<html><body>{links}{older}</body></html>".encode()
            )
            for k in range(20):
                pages[f"/s/{number}-{k}"] = page(story(rng, number * 100 + k), number * 100 + k)
        web.pages["big"] = pages
        config = one_site_config(tmp_path, "big", base, per_domain=4)
        db = tmp_path / "killed.db"
        crawl = subprocess.Popen(
            [*CLI, "--db", f"sqlite:///{db}", "--quiet", "crawl", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(db, "SELECT count(*) FROM articles", 60)
        kill_9(crawl)
        before = db_rows(db, "SELECT count(*) FROM articles")[0][0]
        assert 0 < before < 300
        assert integrity(db) == "ok"
        run("--db", f"sqlite:///{db}", "--quiet", "crawl", str(config))
    urls = [row[0] for row in db_rows(db, "SELECT url FROM articles")]
    expected = {f"{base}/s/{n}-{k}" for n in range(1, 16) for k in range(20)}
    assert len(urls) == len(set(urls)) == 300 and set(urls) == expected
    assert integrity(db) == "ok"
    statuses = [row[0] for row in db_rows(db, "SELECT status FROM crawl_runs ORDER BY id")]
    assert statuses == ["interrupted", "finished"]


def kill_9(process: subprocess.Popen) -> None:
    """SIGKILL, no cleanup of any kind; then its worker processes (extraction, matching) must
    notice and exit by themselves instead of waiting forever on the database."""
    workers = children(process.pid)
    assert workers, "no worker processes: nothing to check"
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "orphaned workers"


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def jsonl(path: Path, rows: list[dict]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def matching_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[tuple]]:
    """450 sources and 150 verbatim copies ingested, not matched yet (three batches of `match`,
    enough for its worker pool); and the (copy, original) pairs an uninterrupted `match` of the
    same database finds, with the index snapshot it wrote. Built once: each test kills a
    `match` of its own copy."""
    directory = tmp_path_factory.mktemp("matching")
    rng = random.Random(9)
    texts = [story(rng, n) for n in range(450)]
    sources = [
        {"url": f"https://src.example/{n}", "title": "", "text": t, "lang": "en"}
        for n, t in enumerate(texts)
    ]
    copies = [
        {
            "url": f"https://farm.example/{n}",
            "title": "",
            "lang": "en",
            "text": texts[n] + "\n\nSource link. Related posts. Leave a comment.",
        }
        for n in range(0, 450, 3)
    ]
    db = directory / "ingested.db"
    url = f"sqlite:///{db}"
    for rows, site, role in ((sources, "src", "source"), (copies, "farm", "suspect")):
        path = jsonl(directory / f"{site}.jsonl", rows)
        run("--db", url, "--quiet", "ingest", path, "--site", site, "--role", role)
    reference = directory / "reference.db"
    shutil.copy(db, reference)
    run("--db", f"sqlite:///{reference}", "--quiet", "match")
    expected = set(db_rows(reference, "SELECT copy_id, original_id FROM matches"))
    assert len(expected) == len(copies)
    return directory, expected


def ingested_for_matching(world: tuple[Path, set[tuple]], tmp_path: Path) -> tuple[Path, set]:
    """A copy of the world's ingested database in tmp_path, and the pairs to expect."""
    directory, expected = world
    db = tmp_path / "killed.db"
    shutil.copy(directory / "ingested.db", db)
    return db, expected


@pytest.mark.slow
def test_kill_9_during_matching_then_rerun_gives_the_uninterrupted_result(matching_world, tmp_path):
    db, expected = ingested_for_matching(matching_world, tmp_path)
    url = f"sqlite:///{db}"
    # An index snapshot the killed run finds: it must not outlive a run that died changing it.
    snapshot = Path(f"{db}.index")
    shutil.copy(matching_world[0] / "reference.db.index", snapshot)
    match = subprocess.Popen(
        [*CLI, "--db", url, "--quiet", "match"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(db, "SELECT count(*) FROM articles WHERE matched_version IS NOT NULL", 1)
    kill_9(match)
    assert not snapshot.exists()
    partial = db_rows(db, "SELECT count(*) FROM matches")[0][0]
    assert partial < len(expected), "the kill came too late to test anything"
    assert integrity(db) == "ok"
    run("--db", url, "--quiet", "match")
    found = db_rows(db, "SELECT copy_id, original_id FROM matches")
    assert len(found) == len(set(found)) and set(found) == expected
    assert integrity(db) == "ok"


@pytest.mark.slow
def test_a_killed_match_worker_is_a_one_line_error_and_a_rerun_finishes(matching_world, tmp_path):
    db, expected = ingested_for_matching(matching_world, tmp_path)
    url = f"sqlite:///{db}"
    match = subprocess.Popen(
        [*CLI, "--db", url, "--quiet", "match"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(db, "SELECT count(*) FROM articles WHERE matched_version IS NOT NULL", 1)
    workers = [
        pid
        for pid in children(match.pid)
        if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    assert workers, "no worker processes to kill"
    subprocess.run(["kill", "-9", str(workers[0])], check=False)  # the OOM killer, say
    _, stderr = match.communicate(timeout=120)
    assert match.returncode == 3
    assert stderr.strip().splitlines() == [
        "syndetect: error: a worker process died (killed or out of memory); finished work is "
        "stored, run the command again"
    ]
    assert integrity(db) == "ok"
    run("--db", url, "--quiet", "match")
    found = db_rows(db, "SELECT copy_id, original_id FROM matches")
    assert len(found) == len(set(found)) and set(found) == expected


@contextmanager
def tiny_filesystem(path: Path, size: str):
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.mark.slow
def test_read_only_database_is_a_one_line_error_and_keeps_the_data(tmp_path):
    rows = [
        {"url": f"https://src.example/{n}", "title": "t", "text": f"Text number {n}."}
        for n in range(5)
    ]
    with tiny_filesystem(tmp_path / "ro", "2m") as mount:
        url = f"sqlite:///{mount / 'x.db'}"
        run(
            "--db",
            url,
            "--quiet",
            "ingest",
            jsonl(tmp_path / "a.jsonl", rows),
            "--site",
            "a",
            "--role",
            "source",
        )
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        result = run(
            "--db",
            url,
            "ingest",
            jsonl(tmp_path / "b.jsonl", rows),
            "--site",
            "b",
            "--role",
            "suspect",
            check=False,
        )
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "read-only" in lines[0], lines
        subprocess.run(["mount", "-o", "remount,rw", str(mount)], check=True)
        assert db_rows(mount / "x.db", "SELECT count(*) FROM articles")[0][0] == 5


@pytest.mark.slow
def test_disk_full_during_crawl_stops_cleanly(tmp_path):
    rng = random.Random(3)
    with serve({"full": ("127.0.0.48", 0)}) as web:
        base = web.bases["full"]
        pages = {"/robots.txt": Page(b"User-agent: *\n", "text/plain")}
        links = "".join(f'<a href="/s/{n}">s</a>' for n in range(400))
        pages["/"] = Page(f"<html><body>{links}</body></html>".encode())
        for n in range(400):
            long_text = "\n\n".join(story(rng, n) for _ in range(6))
            pages[f"/s/{n}"] = page(long_text, n)
        web.pages["full"] = pages
        config = one_site_config(tmp_path, "full", base)
        with tiny_filesystem(tmp_path / "full", "600k") as mount:
            db = mount / "x.db"
            result = run("--db", f"sqlite:///{db}", "crawl", str(config), check=False)
            assert result.returncode != 0
            last = result.stderr.strip().splitlines()[-1]
            assert last.startswith("syndetect: error:") and "full" in last, result.stderr[-1500:]
            stored = db_rows(db, "SELECT count(*), sum(length(text) > 0) FROM articles")[0]
            assert 0 < stored[0] < 400 and stored[0] == stored[1]
            assert integrity(db) == "ok"


@pytest.mark.slow
def test_a_second_run_on_the_same_database_exits_with_a_clear_message(tmp_path):
    rng = random.Random(2)
    with serve({"slow": ("127.0.0.49", 0)}) as web:
        base = web.bases["slow"]
        links = "".join(f'<a href="/s/{n}">s</a>' for n in range(30))
        pages = {"/": Page(f"<html><body>{links}</body></html>".encode())}
        for n in range(30):
            # 30 s of crawling: time for three more commands on a busy two-core machine.
            pages[f"/s/{n}"] = Page(page(story(rng, n), n).body, delay=1.0)
        web.pages["slow"] = pages
        config = one_site_config(tmp_path, "slow", base, per_domain=1)
        db = tmp_path / "busy.db"
        first = subprocess.Popen(
            [*CLI, "--db", f"sqlite:///{db}", "--quiet", "run", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for(db, "SELECT count(*) FROM articles", 1)
        # The three start together: one start-up's time within the first run, not three.
        commands = (["run", str(config)], ["match"], ["crawl", str(config)])
        seconds = [
            subprocess.Popen(
                [*CLI, "--db", f"sqlite:///{db}", *command],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for command in commands
        ]
        for command, second in zip(commands, seconds, strict=True):
            out, err = second.communicate(timeout=300)
            assert second.returncode == 2, (command, out[-500:], err[-500:])
            lines = err.strip().splitlines()
            assert len(lines) == 1 and "is in use by syndetect run (pid" in lines[0], lines
        out, err = first.communicate(timeout=300)
        assert first.returncode == 0, err[-2000:]
    assert db_rows(db, "SELECT count(*) FROM articles")[0][0] == 30
    assert integrity(db) == "ok"
