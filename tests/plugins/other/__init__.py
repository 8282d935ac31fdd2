"""A second test plugin for the order rules: it contributes a nav item and
templates with the same names as ``sample``'s, and overrides core's error
page."""
