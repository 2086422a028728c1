"""Synthesize the demo's voice-assistant clips with espeak-ng and sox.

Writes, relative to the repository root:

* ``src/voxkeep/demo/data/clips.tar.xz``: WAV files named ``<lang>/<NN>_<voice>.wav``
  (RIFF/WAVE PCM, 16 kHz, mono, 16-bit), in a deterministic xz-compressed tar;
* ``src/voxkeep/demo/data/clips.json``: one ``{"file", "language", "voice", "text"}``
  object per clip, sorted by file.

Run from the repository root::

    python scripts/make_demo_clips.py

Needs the ``espeak-ng`` and ``sox`` executables (Debian/Ubuntu packages of the same
names). Re-running gives byte-identical output as long as espeak-ng and sox produce
identical audio.
"""

from __future__ import annotations

import io
import json
import lzma
import shutil
import subprocess
import sys
import tarfile
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "src" / "voxkeep" / "demo" / "data"
TARBALL = DATA_DIR / "clips.tar.xz"
MANIFEST = DATA_DIR / "clips.json"

SAMPLE_RATE = 16_000
SAMPLE_WIDTH = 2  # bytes, i.e. 16-bit
CHANNELS = 1
SPEED_WPM = 150  # espeak-ng default is 175; a little slower sounds more natural
MIN_SECONDS = 1.0
MAX_SECONDS = 5.0
MAX_TARBALL_BYTES = 6_000_000
EXTRA_VOICE_EVERY = 10  # every n-th phrase is also rendered in a second voice
XZ_PRESET = 9 | lzma.PRESET_EXTREME

# Silence trimming (sox "silence" effect) and a short, natural-sounding pad.
SILENCE_THRESHOLD = "0.5%"
SILENCE_MIN_DURATION = "0.02"
PAD_BEFORE = "0.10"
PAD_AFTER = "0.20"

# espeak-ng voice variants per language (``-v <lang>+<variant>``). Several
# variants per language stand in for several speakers in one household.
VOICES: dict[str, tuple[str, ...]] = {
    "en": ("f2", "m3", "f4"),
    "de": ("m3", "f2", "m1"),
    "fr": ("f1", "m2", "f3"),
}

# What people say to a home voice assistant (after the wake word).
PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "What's the weather going to be like tomorrow in Manchester?",
        "Set a timer for ten minutes for the pasta.",
        "Wake me up at half past six tomorrow morning.",
        "Play some relaxing jazz in the kitchen.",
        "Add oat milk and eggs to the shopping list.",
        "Turn off the lights in the living room.",
        "Set the heating to twenty-one degrees.",
        "Call Mum on her mobile.",
        "Remind me to water the plants at seven tonight.",
        "What's in the news this morning?",
        "How many grams are there in a cup of flour?",
        "How do you say thank you very much in Japanese?",
        "Tell me a joke about penguins.",
        "Is it going to rain this afternoon?",
        "How much time is left on the oven timer?",
        "Skip to the next song, please.",
        "Turn the volume down a little.",
        "Dim the bedroom lights to thirty percent.",
        "What's on my calendar for Friday?",
        "Cancel my alarm for tomorrow morning.",
        "Read me the recipe for banana bread.",
        "Call Grandpa and put it on speaker.",
        "What time does the pharmacy close today?",
        "Remind me to take the bins out on Thursday evening.",
        "Play the latest episode of my history podcast.",
        "Translate where is the train station into French.",
        "How long does it take to drive to Edinburgh?",
        "Turn on the heating in the bathroom.",
        "Remind me to book the dentist next week.",
        "What's the score in the Arsenal match?",
    ),
    "de": (
        "Wie wird das Wetter morgen in München?",
        "Stell einen Timer auf zehn Minuten für die Nudeln.",
        "Weck mich morgen früh um halb sieben.",
        "Spiel entspannte Musik in der Küche.",
        "Setz Haferdrink und Eier auf die Einkaufsliste.",
        "Schalte das Licht im Wohnzimmer aus.",
        "Stell die Heizung auf zweiundzwanzig Grad.",
        "Ruf Oma auf dem Handy an.",
        "Erinnere mich heute Abend daran, die Blumen zu gießen.",
        "Was gibt es Neues in den Nachrichten?",
        "Wie viel Zucker brauche ich für einen Käsekuchen?",
        "Was heißt „Frühstück“ auf Englisch?",
        "Erzähl mir bitte einen Witz über Katzen.",
        "Regnet es heute Nachmittag in Köln?",
        "Wie lange läuft der Timer noch?",
        "Überspring bitte dieses Lied.",
        "Mach die Musik ein bisschen leiser.",
        "Dimm das Licht im Schlafzimmer auf dreißig Prozent.",
        "Welche Termine habe ich am Freitag?",
        "Lösch meinen Wecker für morgen früh.",
        "Lies mir das Rezept für Apfelstrudel vor.",
        "Ruf Papa an und stell auf Lautsprecher.",
        "Wann schließt die Apotheke heute?",
        "Erinnere mich am Donnerstag, den Müll rauszubringen.",
        "Spiel die neueste Folge von meinem Lieblingspodcast.",
        "Übersetze „Wo ist der Bahnhof?“ ins Französische.",
        "Wie lange fährt man mit dem Auto nach Düsseldorf?",
        "Mach die Fußbodenheizung im Bad an.",
        "Schließ die Rollläden im Erdgeschoss.",
        "Wie hat Borussia Dortmund gestern gespielt?",
    ),
    "fr": (
        "Quel temps fera-t-il demain à Lyon ?",
        "Mets un minuteur de dix minutes pour les pâtes.",
        "Réveille-moi plus tôt demain, à six heures.",
        "Joue de la musique douce dans la cuisine.",
        "Ajoute du lait et des œufs à la liste de courses.",
        "Éteins la lumière du salon.",
        "Règle le chauffage sur dix-neuf degrés.",
        "Appelle maman sur son portable.",
        "Rappelle-moi d'arroser les plantes ce soir à vingt heures.",
        "Quelles sont les dernières nouvelles ce matin ?",
        "Combien de farine faut-il pour des crêpes ?",
        "Comment dit-on « bon appétit » en allemand ?",
        "Raconte-moi une blague sur les chats.",
        "Est-ce qu'il va pleuvoir cet après-midi ?",
        "Combien de temps reste-t-il sur le minuteur ?",
        "Passe à la chanson suivante, s'il te plaît.",
        "Baisse un peu le volume.",
        "Mets la lumière de la chambre à trente pour cent.",
        "Qu'est-ce que j'ai dans mon agenda vendredi ?",
        "Annule mon réveil de demain matin.",
        "Lis-moi la recette du gâteau au chocolat.",
        "Appelle papi et mets le haut-parleur.",
        "À quelle heure ferme la pharmacie aujourd'hui ?",
        "Rappelle-moi de sortir les poubelles jeudi soir.",
        "Mets le dernier épisode de mon podcast préféré.",
        "Traduis « où est la gare ? » en anglais.",
        "Combien de temps faut-il pour aller à Besançon en voiture ?",
        "Allume le chauffage dans la salle de bain.",
        "Ajoute de la crème fraîche et du maïs à la liste.",
        "Ça fait combien, cinquante euros en dollars ?",
    ),
}


@dataclass(frozen=True)
class ClipSpec:
    language: str
    number: int  # 1-based phrase number
    voice: str
    text: str

    @property
    def file(self) -> str:
        return f"{self.language}/{self.number:02d}_{self.voice}.wav"


def plan_clips() -> list[ClipSpec]:
    """Every phrase in one voice (round robin); every tenth phrase also in the next voice.

    With 30 phrases and 3 voices that gives 33 clips per language, 11 per voice.
    """
    specs: list[ClipSpec] = []
    for language, phrases in PHRASES.items():
        voices = VOICES[language]
        for index, text in enumerate(phrases):
            chosen = [voices[index % len(voices)]]
            if index % EXTRA_VOICE_EVERY == 0:
                chosen.append(voices[(index + 1) % len(voices)])
            for voice in chosen:
                specs.append(ClipSpec(language, index + 1, voice, text))
    return sorted(specs, key=lambda spec: spec.file)


def require_tools() -> None:
    missing = [
        f"'{exe}' not found on PATH; install it with: apt-get install {package}"
        for exe, package in (("espeak-ng", "espeak-ng"), ("sox", "sox"))
        if shutil.which(exe) is None
    ]
    if missing:
        sys.exit("make_demo_clips: " + "; ".join(missing))


def run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(
            f"make_demo_clips: command failed ({result.returncode}): {' '.join(cmd)}\n"
            f"{result.stderr.strip()}"
        )


def synthesize(spec: ClipSpec, workdir: Path) -> bytes:
    """Render one clip and return it as a canonical 16 kHz mono 16-bit PCM WAV."""
    raw = workdir / "espeak.wav"
    converted = workdir / "sox.wav"
    # "--" so that the text is never taken for an option.
    run(
        [
            "espeak-ng",
            "-v",
            f"{spec.language}+{spec.voice}",
            "-s",
            str(SPEED_WPM),
            "-w",
            str(raw),
            "--",
            spec.text,
        ]
    )
    # -D: no dither (keeps output deterministic and compressible). The silence
    # effect trims the leading edge; reversing twice trims the trailing one too.
    trim = ["silence", "1", SILENCE_MIN_DURATION, SILENCE_THRESHOLD]
    run(
        [
            "sox",
            "-D",
            str(raw),
            "-r",
            str(SAMPLE_RATE),
            "-c",
            str(CHANNELS),
            "-b",
            str(SAMPLE_WIDTH * 8),
            "-e",
            "signed-integer",
            str(converted),
            *trim,
            "reverse",
            *trim,
            "reverse",
            "pad",
            PAD_BEFORE,
            PAD_AFTER,
        ]
    )
    # Re-write through the stdlib so every clip has the same plain 44-byte header.
    with wave.open(str(converted), "rb") as src:
        params = (src.getnchannels(), src.getsampwidth(), src.getframerate(), src.getcomptype())
        if params != (CHANNELS, SAMPLE_WIDTH, SAMPLE_RATE, "NONE"):
            sys.exit(f"make_demo_clips: unexpected sox output for {spec.file}: {params}")
        frames = src.readframes(src.getnframes())
    seconds = len(frames) / (SAMPLE_WIDTH * CHANNELS * SAMPLE_RATE)
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        sys.exit(
            f"make_demo_clips: {spec.file} is {seconds:.2f} s long, outside "
            f"{MIN_SECONDS}-{MAX_SECONDS} s: {spec.text!r}"
        )
    out = io.BytesIO()
    with wave.open(out, "wb") as dst:
        dst.setnchannels(CHANNELS)
        dst.setsampwidth(SAMPLE_WIDTH)
        dst.setframerate(SAMPLE_RATE)
        dst.writeframes(frames)
    return out.getvalue()


def build_tarball(wavs: dict[str, bytes]) -> bytes:
    """A reproducible tar.xz: sorted members, zeroed metadata, fixed xz preset."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted(wavs):
            data = wavs[name]
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.type = tarfile.REGTYPE
            tar.addfile(info, io.BytesIO(data))
    # Same bytes as tarfile's "w:xz" mode, but with the extreme flag (xz -9e).
    return lzma.compress(buffer.getvalue(), format=lzma.FORMAT_XZ, preset=XZ_PRESET)


def write_if_changed(path: Path, data: bytes) -> str:
    if path.exists() and path.read_bytes() == data:
        return "unchanged"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return "written"


def main() -> None:
    require_tools()
    specs = plan_clips()
    wavs: dict[str, bytes] = {}
    total_seconds = 0.0
    with tempfile.TemporaryDirectory(prefix="voxkeep-clips-") as tmp:
        workdir = Path(tmp)
        for spec in specs:
            wav_bytes = synthesize(spec, workdir)
            wavs[spec.file] = wav_bytes
            total_seconds += (len(wav_bytes) - 44) / (SAMPLE_WIDTH * SAMPLE_RATE)

    tarball = build_tarball(wavs)
    if len(tarball) > MAX_TARBALL_BYTES:
        sys.exit(
            f"make_demo_clips: tarball would be {len(tarball) / 1e6:.2f} MB, over the "
            f"{MAX_TARBALL_BYTES / 1e6:.2f} MB budget; render fewer clips"
        )
    manifest = [
        {"file": spec.file, "language": spec.language, "voice": spec.voice, "text": spec.text}
        for spec in specs
    ]
    manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    tar_status = write_if_changed(TARBALL, tarball)
    manifest_status = write_if_changed(MANIFEST, manifest_bytes)

    for language, voices in VOICES.items():
        counts = {
            v: sum(1 for s in specs if s.language == language and s.voice == v) for v in voices
        }
        per_voice = ", ".join(f"{v}: {n}" for v, n in counts.items())
        print(f"{language}: {sum(counts.values())} clips ({per_voice})")
    print(f"{len(specs)} clips, {total_seconds:.1f} s of audio")
    rel_tar = TARBALL.relative_to(REPO_ROOT)
    rel_manifest = MANIFEST.relative_to(REPO_ROOT)
    print(f"{rel_tar}: {len(tarball):,} bytes ({len(tarball) / 1e6:.2f} MB), {tar_status}")
    print(f"{rel_manifest}: {len(manifest_bytes):,} bytes, {manifest_status}")
    print(f"total size: {len(tarball) + len(manifest_bytes):,} bytes")


if __name__ == "__main__":
    main()
