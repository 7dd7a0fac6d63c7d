"""Kept for scrapyd-deploy, which builds the egg with `python setup.py bdist_egg` (it would
write its own setup.py otherwise). Everything is configured in setup.cfg."""

from setuptools import setup

setup()
