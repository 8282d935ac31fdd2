"""Built-in Paraply plugins. Each subpackage is one plugin; see core.plugins."""
