"""The story engine: import, Fountain and prose parsing, breakdown into shots, script writing."""
