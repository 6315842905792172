"""News crawler: site spiders, layered extraction and cleaning pipelines for news portals."""
