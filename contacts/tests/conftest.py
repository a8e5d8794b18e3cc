"""Fixtures of the contacts suite."""

from contacts.tests.notes import local_media, s3_media  # noqa: F401  (fixtures)
