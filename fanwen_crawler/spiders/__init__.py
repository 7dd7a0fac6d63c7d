"""Spiders: one thin spider per site profile on the shared FanwenSpider base."""
