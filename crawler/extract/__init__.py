"""Pure extraction functions of (url, html): no settings, spider state, reactor or network."""
