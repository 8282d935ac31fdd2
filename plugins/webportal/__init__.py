"""The web portal: member directory, news, pages and the front page."""
