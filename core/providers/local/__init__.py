"""The local provider's media engines: everything made offline, in-process, with no keys.

Each module holds one engine (keyframes, animation, speech, voice conversion, lip sync, music,
effects); ``core/providers/local.py`` wraps them as a provider.
"""
