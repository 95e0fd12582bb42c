"""Importing scripts: encodings, line endings, binary files, size limits, Final Draft XML."""
from __future__ import annotations

import codecs

import pytest

from core.errors import InvalidInput
from core.story.breakdown import breakdown_script
from core.story.importer import MAX_SCRIPT_BYTES, check_script_text, read_script_file

SCRIPT = "INT. KITCHEN - NIGHT\n\nAnna pours tea.\n\nANNA\nYou're late.\n\nBEN (O.S.)\nTraffic.\n"


def test_bom_and_crlf_are_normalised():
    data = codecs.BOM_UTF8 + SCRIPT.replace("\n", "\r\n").encode("utf-8")
    text = read_script_file(name="a.fountain", data=data)
    assert text == SCRIPT
    bd = breakdown_script(text=text)
    assert [s.heading for s in bd.scenes] == ["INT. KITCHEN - NIGHT"]
    assert [c.name for c in bd.characters] == ["ANNA", "BEN"]


def test_lone_cr_and_utf16_with_bom():
    assert read_script_file(name="a.txt", data=SCRIPT.replace("\n", "\r").encode()) == SCRIPT
    assert read_script_file(name="a.md", data=SCRIPT.encode("utf-16")) == SCRIPT


def test_empty_script_is_refused_with_field():
    for text in ("", "   \n\t\n"):
        with pytest.raises(InvalidInput) as err:
            check_script_text(text=text)
        assert err.value.field == "script" and "empty" in err.value.message
    with pytest.raises(InvalidInput):
        read_script_file(name="empty.txt", data=b"")


def test_binary_file_renamed_txt_is_refused():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(InvalidInput) as err:
        read_script_file(name="holiday.txt", data=png)
    assert err.value.field == "script_file" and "not text" in err.value.message
    noise = bytes((i * 37 + 11) % 32 for i in range(4000)).replace(b"\x00", b"\x01")
    with pytest.raises(InvalidInput):
        read_script_file(name="noise.txt", data=noise)


def test_five_megabyte_paste_gets_a_clear_message():
    text = ("Word " * 1_000_000)
    with pytest.raises(InvalidInput) as err:
        check_script_text(text=text)
    assert err.value.field == "script"
    assert "5.0 MB" in err.value.message and "limit is 1 MB" in err.value.message
    assert check_script_text(text="x" * (MAX_SCRIPT_BYTES - 10))  # just under the limit is fine


def test_unknown_extension_names_accepted_ones():
    with pytest.raises(InvalidInput) as err:
        read_script_file(name="script.pdf", data=b"%PDF-1.4")
    assert ".fountain" in err.value.message and ".fdx" in err.value.message


FDX = """<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<FinalDraft DocumentType="Script" Template="No" Version="4">
  <Content>
    <Paragraph Type="Scene Heading"><Text>INT. LIGHTHOUSE - NIGHT</Text></Paragraph>
    <Paragraph Type="Action"><Text>Waves hit the glass. </Text><Text Style="Bold">MARA</Text><Text> climbs the stairs.</Text></Paragraph>
    <Paragraph Type="Character"><Text>MARA</Text></Paragraph>
    <Paragraph Type="Parenthetical"><Text>(out of breath)</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>Is anyone up here?</Text></Paragraph>
    <Paragraph><DualDialogue>
      <Paragraph Type="Character"><Text>KEEPER</Text></Paragraph>
      <Paragraph Type="Dialogue"><Text>Go back!</Text></Paragraph>
      <Paragraph Type="Character"><Text>Mara</Text></Paragraph>
      <Paragraph Type="Dialogue"><Text>No!</Text></Paragraph>
    </DualDialogue></Paragraph>
    <Paragraph Type="Transition"><Text>CUT TO:</Text></Paragraph>
    <Paragraph Type="Scene Heading"><Text>THE LANTERN ROOM</Text></Paragraph>
    <Paragraph Type="Action"><Text>The lamp is dark.</Text></Paragraph>
  </Content>
</FinalDraft>
"""


def test_fdx_import_converts_to_fountain():
    text = read_script_file(name="light.FDX", data=FDX.encode("utf-8"))
    assert "INT. LIGHTHOUSE - NIGHT" in text and ".THE LANTERN ROOM" in text
    assert "MARA\n(out of breath)\nIs anyone up here?" in text
    assert "MARA ^\nNo!" in text and "> CUT TO:" in text
    bd = breakdown_script(text=text, target_length_s=30)
    assert [s.heading for s in bd.scenes] == ["INT. LIGHTHOUSE - NIGHT", "THE LANTERN ROOM"]
    assert {c.name: c.dialogue_blocks for c in bd.characters} == {"MARA": 2, "KEEPER": 1}
    first = [d for sh in bd.scenes[0].shots for d in sh.dialogue][0]
    assert first.parenthetical == "(out of breath)" and first.text == "Is anyone up here?"


def test_broken_fdx_is_refused():
    with pytest.raises(InvalidInput) as err:
        read_script_file(name="bad.fdx", data=b"<FinalDraft><Content><Paragraph>")
    assert err.value.field == "script_file"
