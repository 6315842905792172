"""Spiders: ``base.ArticleSpider`` holds the crawling logic, one module per site declares the rest."""
