"""Sub-commands of ``fanwen`` that are big enough for a module of their own.

Each module defines one click command; ``fanwen_crawler.cli`` registers it.
"""
