"""OpenID Connect: signing in with outside providers (``client``) and acting
as the provider of a network of sites (``provider``), on authlib.

The client side lets people in through any provider the site lists under
``[[auth.oidc]]``; the provider side (``[auth.provider]``) lets one site of
the network (the demo's Möckeln) sign its people in at its peers. Both are
core, so both are on every site that configures them, and neither is on a
site that does not: the routes answer 404 until site.toml says otherwise.
"""
