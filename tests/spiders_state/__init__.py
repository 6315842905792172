"""Spiders used only by tests/test_crawlall.py (``-s SPIDER_MODULES=tests.spiders_state``), for tests/localsite.py."""
