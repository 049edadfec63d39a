"""Scrapy's duplicate filter, saying out loud when a redirect leads back to a page already
requested (a redirect loop, or a redirect onto a known URL), which Scrapy logs only at DEBUG."""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter

logger = logging.getLogger(__name__)


class LoggingDupeFilter(RFPDupeFilter):
    def log(self, request: Request, spider: object) -> None:
        chain = request.meta.get("redirect_urls")
        if chain:
            logger.info(
                "redirect loop or repeat: %s redirects back to %s, already requested",
                chain[-1],
                request.url,
            )
        super().log(request, spider)
