"""A rehearsal: the whole sync run on copies, to learn what QuickBooks would refuse.

- company_copy.py: the company's lists read through the paced, counted reader (a full copy,
  or only the changes since the last one, through CDC), kept in the rehearsal's folder.
- local_qbo.py: the local QBO sandbox that holds the copy as a realm of its own.
- staging_copy.py: a copy of the staging database (SQLite: a file; PostgreSQL: a schema).
- outcomes.py: what QuickBooks did with each record, or why it refused it.
- run.py: the rehearsal itself, from the copies to the saved report.

Nothing here writes to the real company or the real staging database; the only trace a
rehearsal leaves there is the count of the reads it made (Intuit meters them).
"""
