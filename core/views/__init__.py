"""Core's own pages: accounts, admin overview, plugin list, site search."""
