"""GPU engines on diffusers pipelines: ``ace-step`` (ACE-Step 1.5) and ``stable-audio-3``.

Importing this package (and its ``weights`` and ``batching`` modules) needs neither torch nor
diffusers; the engine modules import them when an engine loads. See docs/gpu.md.
"""
