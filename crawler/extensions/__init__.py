"""Scrapy extensions of this project."""
