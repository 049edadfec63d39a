"""The bundled demo web: project-written sites rendered to HTML and served on loopback."""
