"""Project commands: extract, savefixture, evaluate, crawlall."""
