"""Publication lists and co-authorship conflicts: reading the files (``parsers``), what
makes two entries one publication (``keys``), importing a list for a person (``importing``)
and the proposals the chair decides (``matching``)."""
