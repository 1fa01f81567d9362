"""Django's PostgreSQL backend with frukost's health check (ENGINE "frukost.core.postgresql")."""
