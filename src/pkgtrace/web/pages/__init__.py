"""Server-rendered pages: Jinja2 templates, one small CSS and one small JS file, no build step."""
