"""The Scrapy project and the `syndetect` CLI: the only layer that knows both `dedup` and `db`."""
