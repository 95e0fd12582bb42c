"""Prose read properly (issue 17 point 9): speakers from said-verbs before or after a quote,
pronouns to the last named character of that gender, aliases joined to names, a quote after a
sentence naming its speaker; narration read by a narrator voice-over, never drawn; the default
length is the story's reading time."""
from __future__ import annotations

from pathlib import Path

from core.story.breakdown import breakdown_script, default_length_s
from core.story.prose import NARRATOR, is_narration, parse_prose

LAMP_ROOM = (Path(__file__).parent / "data" / "lamp_room.txt").read_text()
# Every quote of the story with the speaker a reader gives it, in order.
LAMP_ROOM_SPEAKERS = [
    ("You're late.", "Orrin"),                      # "the stranger said" — the stranger is named later
    ("The ferry stopped running at six.", "Pia"),   # after "Pia set down her bag."
    ("Someone who remembers", "Orrin"),             # turn-taking
    ("My grandfather kept this lamp.", "Pia"),      # "Pia said"
    ("Your grandfather owed me a clock.", "Orrin"), # after "The stranger laughed…"; "I am Master Orrin"
    ("Is that for the big clock", "Wren"),          # "Wren asked"
    ("It is.", "Orrin"),                            # "he answered": the last named man
    ("Nobody is going downstairs", "Pia"),          # "she demanded" after "Pia caught the girl's arm."
    ("Then we wait.", "Orrin"),                     # after "Master Orrin's voice, very quiet."
    ("Look.", "Wren"),                              # "she whispered" after "Wren pressed her face…"
]


def _spoken(scenes):
    return [(b.text, b.character) for sc in scenes for b in sc.beats if b.kind == "dialogue" and not is_narration(b)]


def test_every_quote_goes_to_its_speaker():
    title, scenes = parse_prose(LAMP_ROOM)
    assert title == "The Lamp Room"
    spoken = _spoken(scenes)
    assert len(spoken) == len(LAMP_ROOM_SPEAKERS)
    for (text, who), (start, want) in zip(spoken, LAMP_ROOM_SPEAKERS):
        assert text.startswith(start) and who == want, (text, who, want)


def test_pronouns_follow_the_last_named_character_of_that_gender():
    story = ("Tom waited at the bus stop in the rain.\n\n"
             "Ada ran up with two coffees. Tom took one without a word.\n\n"
             "“You're soaked,” she said.\n\n"
             "“It's only water,” he replied.\n\n"
             "Ada turned to him and asked, “Did you find the letter?”\n\n"
             "“I burned it,” Tom whispered. “Last night.”\n\n"
             "She stared at him. “Why would you do that?”")
    spoken = _spoken(parse_prose(story)[1])
    assert [w for _, w in spoken] == ["Ada", "Tom", "Ada", "Tom", "Ada"]
    assert spoken[3][0] == "I burned it. Last night."  # one block, "Tom whispered" taken out


def test_aliases_are_joined_and_narration_is_a_voice_over_not_a_character_on_screen():
    bd = breakdown_script(text=LAMP_ROOM, target_length_s=default_length_s(text=LAMP_ROOM))
    names = {c.name for c in bd.characters}
    assert names == {"Pia", "Orrin", "Wren", NARRATOR}  # no "Stranger", no "Pia Marsh", no "Master Orrin"
    orrin = next(c for c in bd.characters if c.name == "Orrin")
    assert any("tall old man" in d for d in orrin.description)  # what was said of "the stranger"
    shots = [sh for sc in bd.scenes for sh in sc.shots]
    narrated = [d for sh in shots for d in sh.dialogue if d.character == NARRATOR]
    assert narrated and all(d.extensions == ["V.O."] for d in narrated)
    assert all(NARRATOR not in sh.characters for sh in shots)
    read = " ".join(d.text for d in narrated)
    for sentence in ("Pia set down her bag.", "Thunder rolled over the headland.", "Her name was Wren"):
        assert sentence in read  # the narration is read, in its place
    assert "the stranger said" not in read and "Wren asked" not in read  # attributions are not read
    first = shots[0]
    assert first.dialogue[0].character == NARRATOR and first.action.startswith("The storm")


def test_default_length_is_the_reading_time():
    words = sum(len(b.text.split()) for sc in parse_prose(LAMP_ROOM)[1] for b in sc.beats if b.kind == "dialogue")
    assert default_length_s(text=LAMP_ROOM) == round(words / 2.5)
    assert 80 <= default_length_s(text=LAMP_ROOM) <= 110  # 242 words of story
    bd = breakdown_script(text=LAMP_ROOM, target_length_s=default_length_s(text=LAMP_ROOM))
    assert abs(bd.total_duration_s - default_length_s(text=LAMP_ROOM)) <= 10
    screenplay = "INT. A - DAY\n\nMAYA\nHi.\n\nEXT. B - NIGHT\n\nTOM\nBye.\n"
    assert default_length_s(text=screenplay) == 30  # 15 s a scene when the dialogue is short
