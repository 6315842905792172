"""Spiders used only by tests/test_hostile.py.

Loaded with ``-s SPIDER_MODULES=crawler.spiders,tests.spiders_hostile``.
"""
