"""Checks of a config's [crawl] table against the settings that exist.

A misspelt setting (`DOWNLOAD_DELAI`) would be silently ignored by Scrapy, and a wrong type
(`DOWNLOAD_DELAY = "fast"`) would stop the crawl with a traceback after it started. Known
names are Scrapy's defaults, syndetect's own (crawler.settings), and the names the code of
every component the table enables mentions (scrapy-redis's `REDIS_URL`, `SCHEDULER_PERSIST`…).
"""

from __future__ import annotations

import difflib
import importlib.util
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from scrapy.settings import default_settings

from crawler import settings as own_settings

SETTING_NAME = re.compile(r"""["']([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)["']""")
# Settings whose values name components (classes) that may bring settings of their own.
COMPONENT_SETTINGS = ("SCHEDULER", "DUPEFILTER_CLASS", "STATS_CLASS", "DOWNLOADER")
COMPONENT_TABLES = ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES")
_KINDS = ((bool, "true or false"), (int, "an integer"), (float, "a number"), (str, "a string"))


def _module_settings(module: object) -> dict[str, Any]:
    return {name: getattr(module, name) for name in dir(module) if name.isupper()}


def defaults() -> dict[str, Any]:
    """Every setting with a default: Scrapy's, then syndetect's over them."""
    return {**_module_settings(default_settings), **_module_settings(own_settings)}


def check(crawl: dict[str, Any]) -> str | None:
    """The first problem of the [crawl] table, worded for the user, or None."""
    known = defaults()
    extra = set().union(*(_names_in_package(path) for path in _components(crawl)))
    for key, value in crawl.items():
        if key not in known and key not in extra:
            close = difflib.get_close_matches(key.upper(), [*known, *extra], n=1, cutoff=0.75)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"key {key!r} is not a setting of Scrapy or of the components enabled{hint}"
        if key in known:
            problem = _type_problem(known[key], value)
            if problem:
                return f"key {key!r}: must be {problem}, not {value!r}"
    return None


def _type_problem(default: Any, value: Any) -> str | None:
    """What `value` must be, when the default's type says it is not."""
    if default is None:
        return None
    if isinstance(default, dict):
        return None if isinstance(value, dict) else "a table"
    if isinstance(default, list | tuple):
        return None if isinstance(value, list) else "an array"
    for kind, words in _KINDS:
        if isinstance(default, kind):
            if kind is float:
                ok = isinstance(value, int | float) and not isinstance(value, bool)
            elif kind is int:
                ok = isinstance(value, int | float) and not isinstance(value, bool)
                words = "a number"
            elif kind is bool:
                ok = isinstance(value, bool)
            else:
                ok = isinstance(value, str)
            return None if ok else words
    return None


def _components(crawl: dict[str, Any]) -> Iterator[str]:
    for key in COMPONENT_SETTINGS:
        if isinstance(crawl.get(key), str):
            yield crawl[key]
    for key in COMPONENT_TABLES:
        if isinstance(crawl.get(key), dict):
            yield from (path for path in crawl[key] if isinstance(path, str))


@cache
def _names_in_package(dotted: str) -> frozenset[str]:
    """Setting-like names quoted in the source of the package that provides `dotted`."""
    top = dotted.split(".")[0]
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return frozenset()
    if spec is None or not spec.origin or top in ("scrapy", "crawler"):
        return frozenset()
    origin = Path(spec.origin)
    files = origin.parent.rglob("*.py") if origin.name == "__init__.py" else [origin]
    names: set[str] = set()
    for file in files:
        try:
            names.update(SETTING_NAME.findall(file.read_text(encoding="utf-8", errors="ignore")))
        except OSError:
            continue
    return frozenset(names)
