"""The analyst's HTML report: a summary, the syndicators, every copy with its evidence page, and
charts, as self-contained pages (no script, no network)."""
