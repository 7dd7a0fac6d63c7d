"""FANWEN_GC_FREEZE: once the engine has started, start-up objects leave the collector's
passes; the setting turns it off."""

from __future__ import annotations

import gc

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from fanwen_crawler.gcfreeze import FreezeStartupObjects
from fanwen_crawler.settings import EXTENSIONS


def test_start_up_objects_are_frozen_when_the_engine_starts():
    assert "fanwen_crawler.gcfreeze.FreezeStartupObjects" in EXTENSIONS
    extension = FreezeStartupObjects.from_crawler(get_crawler())
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        extension.engine_started()
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the interpreter, Scrapy and their objects
        in_flight = [[n] for n in range(1000)]  # another crawler's requests, say
        FreezeStartupObjects.from_crawler(get_crawler()).engine_started()
        # only gc.freeze() adds to the permanent generation; frozen objects freed meanwhile
        # (by another test's thread, say) leave it, so it may only shrink
        assert gc.get_freeze_count() <= frozen, "frozen once per process"
        del in_flight
    finally:
        gc.unfreeze()


def test_the_setting_turns_it_off():
    with pytest.raises(NotConfigured):
        FreezeStartupObjects.from_crawler(get_crawler(settings_dict={"FANWEN_GC_FREEZE": False}))
