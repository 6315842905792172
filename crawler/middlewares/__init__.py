"""Downloader and spider middlewares: incremental skip of stored articles, persistence of pending article URLs."""
