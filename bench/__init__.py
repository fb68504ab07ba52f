"""`make bench`: the figures of issue 16, each measured beside its reference in the same run.

``python -m bench`` (``--quick`` for the small CI version) builds its own PostgreSQL database,
starts the servers it needs, measures and prints one table (measure, project, reference, ratio,
goal, pass). The project's functions and URLs it drives are named in one place,
``bench/project.py``.
"""
