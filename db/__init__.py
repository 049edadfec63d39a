"""Storage for syndetect: SQLAlchemy models, sessions, migrations, views and report queries.

Knows nothing of Scrapy or of how matching works; it stores what the other layers hand it.
"""
