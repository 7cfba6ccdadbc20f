"""Localizers: find where codes are, as :class:`barreader.Region` objects."""
