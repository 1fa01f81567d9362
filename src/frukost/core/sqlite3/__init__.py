"""Django's SQLite backend with the placeholder rewrite cached (ENGINE "frukost.core.sqlite3")."""
