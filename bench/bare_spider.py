"""The baseline for bench/crawl.py: a bare Scrapy spider that only follows in-site links."""

import scrapy
from scrapy.linkextractors import LinkExtractor


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls = [start]
        self.links = LinkExtractor()

    def parse(self, response):
        for link in self.links.extract_links(response):
            yield response.follow(link.url, self.parse)
