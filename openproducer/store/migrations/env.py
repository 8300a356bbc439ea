"""Alembic environment: runs migrations against the URL handed in by ``store.db.migrate``."""

from alembic import context
from sqlalchemy import create_engine

from openproducer.store.tables import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
engine = create_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
