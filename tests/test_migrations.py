from alembic import command

from frontdesk.db.migrate import alembic_config


def test_the_migrations_build_exactly_the_schema_the_models_describe(database_url):
    # Raises if autogenerate would find any difference left to migrate.
    command.check(alembic_config(database_url))
