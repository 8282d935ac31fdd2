"""Nyhetsbrev (issue 20): e-mail subscriptions with double opt-in and
one-click unsubscribe (RFC 8058), and the site's newsletter: staff compose
an issue from the period's news and events (the ``newsletter_items`` hook),
add an editorial, preview it, send a test, and send it to subscribers
through core's outbox; every sent issue has a web page in the archive
("Nyhetsbrev") and an Atom feed."""
