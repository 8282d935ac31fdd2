"""Föreningarnas hus: rooms and shared resources that member associations
book, and the offices the umbrella rents out (issue 15). Written on
``core.api`` alone."""
