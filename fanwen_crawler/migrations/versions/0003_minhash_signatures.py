"""minhash_signatures: each canonical's MinHash signature, to screen near-dup candidates

A new table (``variants`` is not touched, so the search triggers on it stay). Canonicals
stored before this migration have no signature: their candidates are confirmed from their
text as before; ``fanwen dups --reindex`` fills the table.

Revision ID: 0003_signatures
Revises: 0002_search
Create Date: 2026-11-29 12:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_signatures"
down_revision = "0002_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "minhash_signatures",
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("variant_id"),
    )


def downgrade() -> None:
    op.drop_table("minhash_signatures")
