"""Voice guidance (语音引导): fixed prompt texts per step, synthesised ahead of time and cached.

No Kivy here: kiosk.app.voice_player plays the cached files. Prompts are fixed sentences chosen by
the step, never built from session data, so nothing personal can be spoken.
"""

from kiosk.voice.cache import VoiceLibrary, synthesize
from kiosk.voice.prompts import PROMPTS, Prompt, prompt_for

__all__ = ["PROMPTS", "Prompt", "VoiceLibrary", "prompt_for", "synthesize"]
