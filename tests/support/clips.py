"""What the server stored for a clip, read back for the tests that measure it."""

from __future__ import annotations

from typing import Any

import numpy as np

from openproducer.core.outputs import load_audio
from openproducer.store.tables import Clip


def stored_stems(server: Any, clip_id: str) -> tuple[dict[str, np.ndarray], dict]:
    """A clip's stems (by name) and metadata as stored."""
    services = server.runtime.services
    with services.db.session(write=False) as session:
        clip = session.get(Clip, clip_id)
    stems = {role[5:]: load_audio(services.blobs, key)[0] for role, key in clip.files.items()
             if role.startswith("stem:")}
    return stems, clip.meta
