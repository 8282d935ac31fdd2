"""A test plugin that implements every hook, with its own templates, static
files, table and migration branch: the fixture for tests of the plugin
machinery. Never installed outside the tests."""
