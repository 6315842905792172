"""Scrapy extensions, each enabled only in settings (EXTENSIONS)."""
