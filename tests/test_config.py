from pathlib import Path

import pytest

from crawler.config import DEFAULT_MAX_PAGES, load
from crawler.errors import UserError

GOOD = """
[crawl]
DOWNLOAD_DELAY = 0

[[site]]
name = "daily-planet"
role = "source"
start_urls = ["https://www.dailyplanet.example/"]
feeds = ["https://www.dailyplanet.example/feed/"]
language = "en"

[[site]]
name = "farm"
role = "suspect"
start_urls = ["http://127.0.0.5:8080/"]
max_pages = 20
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_sites_and_crawl_settings(tmp_path):
    config = load(write(tmp_path, GOOD))
    assert config.crawl == {"DOWNLOAD_DELAY": 0}
    planet, farm = config.sites
    assert planet.name == "daily-planet" and planet.role == "source"
    assert planet.max_pages == DEFAULT_MAX_PAGES
    assert planet.netlocs == {"www.dailyplanet.example"}
    assert farm.netlocs == {"127.0.0.5:8080"} and farm.max_pages == 20


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[site]]\nname='a'\nrole='source'\n", "site 'a': key 'start_urls': missing"),
        ("[[site]]\nname='a'\nrole='boss'\nstart_urls=['http://x.example/']\n", "key 'role'"),
        (
            "[[site]]\nname='a'\nrole='source'\nstart_urls=['ftp://x.example/']\n",
            "key 'start_urls': 'ftp://x.example/' must start with http",
        ),
        (
            "[[site]]\nname='a'\nrole='source'\nstart_urls=['http://x.example/']\nspeed=1\n",
            "site 'a': key 'speed': unknown key",
        ),
        ("[[site]]\nrole='source'\n", "site #1: key 'name'"),
        ("[sites]\n", "unknown top-level key 'sites'"),
        ("[[site]\n", "invalid TOML"),
        (
            "[[site]]\nname='a'\nrole='source'\nstart_urls=['http://x.example/']\n"
            "[[site]]\nname='a'\nrole='source'\nstart_urls=['http://y.example/']\n",
            "duplicate site name",
        ),
        (
            "[[site]]\nname='a'\nrole='source'\nstart_urls=['http://x.example/']\nmax_pages=0\n",
            "key 'max_pages'",
        ),
        ("[crawl]\ndelay=1\n[[site]]\nname='a'\n", "[crawl] key 'delay'"),
    ],
)
def test_mistakes_are_one_line_errors_naming_file_site_and_key(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(UserError) as caught:
        load(path)
    error = str(caught.value)
    assert message in error
    assert str(path) in error
    assert "\n" not in error


def test_missing_file(tmp_path):
    with pytest.raises(UserError, match="config file not found"):
        load(tmp_path / "nope.toml")


def test_index_table(tmp_path):
    site = "[[site]]\nname='a'\nrole='source'\nstart_urls=['http://x.example/']\n"
    config = load(write(tmp_path, site))
    assert config.index.backend == "memory" and config.index.storage_config() is None
    config = load(
        write(tmp_path, "[index]\nbackend='redis'\nurl='redis://127.0.0.1:6380/2'\n" + site)
    )
    assert config.index.storage_config() == {
        "type": "redis",
        "redis": {"host": "127.0.0.1", "port": 6380, "db": 2, "password": None},
    }
    for bad, key in (
        ("backend='cassandra'", "'backend'"),
        ("url='http://x'", "'url'"),
        ("url='redis://h:1/x'", "'url'"),
        ("shards=3", "'shards'"),
        ("snapshot=true", "'snapshot'"),
        ("snapshot=''", "'snapshot'"),
    ):
        with pytest.raises(UserError, match=key):
            load(write(tmp_path, f"[index]\n{bad}\n" + site))


def test_index_snapshot_path_is_relative_to_the_config(tmp_path):
    site = "[[site]]\nname='a'\nrole='source'\nstart_urls=['http://x.example/']\n"
    assert load(write(tmp_path, site)).index.snapshot is None  # the default: beside SQLite
    assert load(write(tmp_path, "[index]\nsnapshot=false\n" + site)).index.snapshot is False
    config = load(write(tmp_path, "[index]\nsnapshot='state/index.npz'\n" + site))
    assert config.index.snapshot == (tmp_path / "state" / "index.npz").resolve()


def test_match_table(tmp_path):
    site = "[[site]]\nname='a'\nrole='source'\nstart_urls=['http://x.example/']\n"
    assert load(write(tmp_path, site)).match.through_sites is True
    off = load(write(tmp_path, "[match]\nthrough_sites=false\n" + site))
    assert off.match.through_sites is False
    for bad, key in (("through_sites='no'", "'through_sites'"), ("rhythm=5", "'rhythm'")):
        with pytest.raises(UserError, match=key) as caught:
            load(write(tmp_path, f"[match]\n{bad}\n" + site))
        assert "\n" not in str(caught.value)
    with pytest.raises(UserError, match=r"\[match\] must be a table"):
        load(write(tmp_path, "match = 1\n" + site))


SITE = "\n[[site]]\nname='a'\nrole='source'\nstart_urls=['http://x.example/']\n"


@pytest.mark.parametrize(
    ("crawl", "message"),
    [
        (
            "DOWNLOAD_DELAI = 0",
            "key 'DOWNLOAD_DELAI' is not a setting of Scrapy or of the "
            "components enabled (did you mean 'DOWNLOAD_DELAY'?)",
        ),
        (
            "download_delay = 0",
            "key 'download_delay' is not a Scrapy setting name (did you mean 'DOWNLOAD_DELAY'?)",
        ),
        ('DOWNLOAD_DELAY = "fast"', "key 'DOWNLOAD_DELAY': must be a number, not 'fast'"),
        ('ROBOTSTXT_OBEY = "no"', "key 'ROBOTSTXT_OBEY': must be true or false, not 'no'"),
        ("CONCURRENT_REQUESTS = [1]", "key 'CONCURRENT_REQUESTS': must be a number, not [1]"),
        ("ITEM_PIPELINES = 3", "key 'ITEM_PIPELINES': must be a table, not 3"),
        (
            'SCHEDULER = "scrapy_redis.scheduler.Scheduler"\nREDIS_URLL = "redis://x"',
            "key 'REDIS_URLL' is not a setting of Scrapy or of the components enabled (did you "
            "mean 'REDIS_URL'?)",
        ),
    ],
)
def test_scrapy_settings_are_checked_by_name_and_type(tmp_path, crawl, message):
    with pytest.raises(UserError) as caught:
        load(write(tmp_path, f"[crawl]\n{crawl}\n{SITE}"))
    assert str(caught.value) == f"{tmp_path / 'sites.toml'}: [crawl] {message}"


def test_settings_of_enabled_components_are_known(tmp_path):
    crawl = (
        'SCHEDULER = "scrapy_redis.scheduler.Scheduler"\nREDIS_URL = "redis://127.0.0.1:6379/0"\n'
        "SCHEDULER_PERSIST = true\nSYNDETECT_EXTRACT_WORKERS = 0\nCLOSESPIDER_TIMEOUT = 5\n"
    )
    assert load(write(tmp_path, f"[crawl]\n{crawl}\n{SITE}")).crawl["SCHEDULER_PERSIST"] is True


def test_a_byte_order_mark_is_not_a_syntax_error(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_bytes("\ufeff".encode() + GOOD.encode())
    assert [site.name for site in load(path).sites] == ["daily-planet", "farm"]


@pytest.mark.parametrize(
    "bad", ["hook?token=s3cret x", "hook?token=s3cret\tx", "ho\x01ok?token=s3cret"]
)
def test_webhook_with_a_space_or_control_character_is_refused_without_its_token(tmp_path, bad):
    path = write(
        tmp_path,
        GOOD
        + f'\n[alerts]\nwebhook = "http://127.0.0.9/{bad}"\n'.replace("\t", "\\t").replace(
            "\x01", "\\u0001"
        ),
    )
    with pytest.raises(UserError) as error:
        load(path)
    message = str(error.value)
    assert "webhook" in message and "s3cret" not in message and "\n" not in message
