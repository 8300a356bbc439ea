"""shares: public share pages of clips

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shares',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('clip_id', sa.String(length=36), nullable=False),
    sa.Column('api_key_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], ),
    sa.PrimaryKeyConstraint('token')
    )
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shares_api_key_id'), ['api_key_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shares_clip_id'), ['clip_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shares_clip_id'))
        batch_op.drop_index(batch_op.f('ix_shares_api_key_id'))
    op.drop_table('shares')
