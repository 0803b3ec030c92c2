from portal.formats.en_GB.formats import *  # noqa: F403  (the same format for "en")
