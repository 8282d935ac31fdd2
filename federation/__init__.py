"""Federation, protocol v1: sites share news and member listings over Atom/RSS.

A built-in plugin that every site loads (``core.plugins.DEFAULT_PLUGINS``),
wired in through hooks only (``hooks``); it imports nothing of core but
``core.api``. It publishes each
*federated kind* (plugins contribute kinds through the ``federated_kinds``
hook), consumes its peers' feeds with a fetcher of its own, is a WebSub hub
for its own feeds and a subscriber of its peers', and shows what it received
on "Nyheter från nätverket" and "Föreningar i nätverket".

Modules, in the order data flows:

- ``kinds``: the kinds the site's plugins contribute (``FederatedKind``,
  ``FeedItem`` and tag URIs are core's, in ``core.api``).
- ``publish``, ``feedext``: Atom/RSS documents with feedgen, archives,
  tombstones, conditional GET. ``discovery``: ``/.well-known/paraply``, OPML.
- ``changes``: records deletions as tombstones and tells the hub what changed.
- ``fetch``: the safe HTTP client. ``parse``: bytes to entries (feedparser for
  entries, defusedxml for tombstones and Paraply fields). ``clean``: nh3 and
  link schemes. ``ingest``: writing federated copies.
- ``hub``, ``subscriber``: WebSub. ``poller``, ``lock``, ``runtime``: the
  background work of one site. ``join``: joining and leaving the network from
  the web (signed requests). ``views``: what people see. ``hooks``, ``routes``: how it joins the site.
"""

NS = "urn:paraply:federation:1"
PROTOCOL = "paraply-federation/1"
