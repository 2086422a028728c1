"""The pages' words in English, German and French: one catalogue, all three side by side.

Each entry is a ``Text`` with a field per language, so a key cannot exist in
one language and be missing in another; tests/web/test_i18n.py checks that
none is empty and that every key a template uses is here. Values are
``str.format`` patterns (``{minutes}``); they are autoescaped when rendered.
"""

from __future__ import annotations

from typing import NamedTuple

LANGUAGES = ("en", "de", "fr")
DEFAULT = "en"
# Each language named in itself, for the language control.
NAMES = {"en": "English", "de": "Deutsch", "fr": "Français"}


class Text(NamedTuple):
    en: str
    de: str
    fr: str


CATALOGUE: dict[str, Text] = {
    "site.name": Text("voxkeep", "voxkeep", "voxkeep"),
    "site.tagline": Text(
        "Your voice recordings, in your hands",
        "Ihre Sprachaufnahmen, in Ihrer Hand",
        "Vos enregistrements vocaux, entre vos mains",
    ),
    "nav.skip": Text("Skip to main content", "Zum Inhalt springen", "Aller au contenu principal"),
    "nav.label": Text("Main", "Hauptnavigation", "Navigation principale"),
    "nav.history": Text("Voice history", "Sprachverlauf", "Historique vocal"),
    "nav.sign_out": Text("Sign out", "Abmelden", "Se déconnecter"),
    "lang.label": Text("Language", "Sprache", "Langue"),
    "lang.change": Text("Change language", "Sprache ändern", "Changer de langue"),
    "footer.api": Text("API documentation", "API-Dokumentation", "Documentation de l'API"),
    "error.prefix": Text("Error:", "Fehler:", "Erreur :"),
    "error.summary": Text("There is a problem", "Es gibt ein Problem", "Il y a un problème"),
    "error.title": Text(
        "Something went wrong", "Etwas ist schiefgegangen", "Une erreur est survenue"
    ),
    "error.back": Text("Go to the start page", "Zur Startseite", "Aller à la page d'accueil"),
    "csrf.title": Text(
        "This form could not be accepted",
        "Dieses Formular konnte nicht angenommen werden",
        "Ce formulaire n'a pas pu être accepté",
    ),
    "csrf.body": Text(
        "The form was not sent from a voxkeep page you opened, or it is too old. "
        "Nothing was changed.",
        "Das Formular kam nicht von einer voxkeep-Seite, die Sie geöffnet haben, oder es "
        "ist zu alt. Es wurde nichts geändert.",
        "Le formulaire ne provient pas d'une page voxkeep que vous avez ouverte, ou il est "
        "trop ancien. Rien n'a été modifié.",
    ),
    "csrf.next": Text(
        "Go back, reload the page and try again.",
        "Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es noch einmal.",
        "Revenez en arrière, rechargez la page et réessayez.",
    ),
    "signin.title": Text("Sign in", "Anmelden", "Se connecter"),
    "signin.intro": Text(
        "Sign in to hear, find and manage the recordings of your voice assistant.",
        "Melden Sie sich an, um die Aufnahmen Ihres Sprachassistenten anzuhören, zu finden "
        "und zu verwalten.",
        "Connectez-vous pour écouter, retrouver et gérer les enregistrements de votre "
        "assistant vocal.",
    ),
    "signin.email": Text("E-mail address", "E-Mail-Adresse", "Adresse e-mail"),
    "signin.password": Text("Password", "Passwort", "Mot de passe"),
    "signin.submit": Text("Sign in", "Anmelden", "Se connecter"),
    "signin.email_missing": Text(
        "Enter your e-mail address",
        "Geben Sie Ihre E-Mail-Adresse ein",
        "Saisissez votre adresse e-mail",
    ),
    "signin.password_missing": Text(
        "Enter your password", "Geben Sie Ihr Passwort ein", "Saisissez votre mot de passe"
    ),
    "signin.wrong": Text(
        "The e-mail address or the password is wrong",
        "Die E-Mail-Adresse oder das Passwort ist falsch",
        "L'adresse e-mail ou le mot de passe est incorrect",
    ),
    "signin.throttled": Text(
        "Too many failed attempts to sign in. Wait {minutes} minutes, then try again.",
        "Zu viele fehlgeschlagene Anmeldeversuche. Warten Sie {minutes} Minuten und "
        "versuchen Sie es dann noch einmal.",
        "Trop de tentatives de connexion échouées. Attendez {minutes} minutes, puis réessayez.",
    ),
    "signin.no_password": Text(
        "No password yet? Use the link in the invitation mail from your voice-assistant provider.",
        "Noch kein Passwort? Nutzen Sie den Link in der Einladungs-E-Mail Ihres Anbieters.",
        "Pas encore de mot de passe ? Utilisez le lien de l'e-mail d'invitation de votre "
        "fournisseur.",
    ),
    "signout.done": Text("You are signed out.", "Sie sind abgemeldet.", "Vous êtes déconnecté."),
    "password.title": Text("Set your password", "Passwort festlegen", "Choisir votre mot de passe"),
    "password.new": Text(
        "New password (at least 12 characters)",
        "Neues Passwort (mindestens 12 Zeichen)",
        "Nouveau mot de passe (au moins 12 caractères)",
    ),
    "password.again": Text("The same again", "Noch einmal dasselbe", "Le même, à nouveau"),
    "password.submit": Text("Set password", "Passwort festlegen", "Enregistrer le mot de passe"),
    "password.needs_script": Text(
        "This page needs JavaScript: it reads the code from your invitation link without "
        "sending it anywhere but here.",
        "Diese Seite braucht JavaScript: Sie liest den Code aus Ihrem Einladungslink, ohne "
        "ihn anderswohin zu senden.",
        "Cette page a besoin de JavaScript : elle lit le code de votre lien d'invitation "
        "sans l'envoyer ailleurs.",
    ),
    "password.no_token": Text(
        "This page needs the link from your invitation mail.",
        "Diese Seite braucht den Link aus Ihrer Einladungs-E-Mail.",
        "Cette page a besoin du lien de votre e-mail d'invitation.",
    ),
    "password.differ": Text(
        "The two passwords differ.",
        "Die beiden Passwörter sind verschieden.",
        "Les deux mots de passe sont différents.",
    ),
    "password.done": Text(
        "Your password is set. You can sign in now.",
        "Ihr Passwort ist festgelegt. Sie können sich jetzt anmelden.",
        "Votre mot de passe est enregistré. Vous pouvez maintenant vous connecter.",
    ),
    "history.title": Text("Voice history", "Sprachverlauf", "Historique vocal"),
    "history.intro": Text(
        "Every recording your voice assistant stored, newest first.",
        "Jede Aufnahme, die Ihr Sprachassistent gespeichert hat, die neueste zuerst.",
        "Chaque enregistrement conservé par votre assistant vocal, le plus récent d'abord.",
    ),
    "history.filters": Text(
        "Filter recordings", "Aufnahmen filtern", "Filtrer les enregistrements"
    ),
    "history.from": Text("From (date)", "Von (Datum)", "Du (date)"),
    "history.to": Text("To (date)", "Bis (Datum)", "Au (date)"),
    "history.device": Text("Device", "Gerät", "Appareil"),
    "history.member": Text("Household member", "Haushaltsmitglied", "Membre du foyer"),
    "history.any": Text("Any", "Alle", "Tous"),
    "history.q": Text(
        "Words in the transcript", "Wörter im Transkript", "Mots dans la transcription"
    ),
    "history.apply": Text("Show recordings", "Aufnahmen anzeigen", "Afficher"),
    "history.clear": Text("Clear filters", "Filter zurücksetzen", "Effacer les filtres"),
    "history.results": Text("Recordings", "Aufnahmen", "Enregistrements"),
    "history.none": Text(
        "No recordings match.", "Keine Aufnahmen gefunden.", "Aucun enregistrement ne correspond."
    ),
    "history.length": Text("Length", "Länge", "Durée"),
    "history.speaker": Text("Speaker", "Sprecher", "Locuteur"),
    "history.unknown_speaker": Text("Not recognised", "Nicht erkannt", "Non reconnu"),
    "history.transcript": Text("Transcript", "Transkript", "Transcription"),
    "history.no_transcript": Text(
        "No transcript was stored.",
        "Es wurde kein Transkript gespeichert.",
        "Aucune transcription n'a été conservée.",
    ),
    "history.duration": Text("{seconds} s", "{seconds} s", "{seconds} s"),
    "history.listen": Text(
        "Listen to the recording", "Aufnahme anhören", "Écouter l'enregistrement"
    ),
    "history.download_audio": Text(
        "Download the audio (WAV)", "Audio herunterladen (WAV)", "Télécharger l'audio (WAV)"
    ),
    "history.older": Text("Older recordings", "Ältere Aufnahmen", "Enregistrements plus anciens"),
    "history.newest": Text(
        "Back to the newest", "Zurück zu den neuesten", "Retour aux plus récents"
    ),
    "history.pages": Text("Pages", "Seiten", "Pages"),
    "history.bad_date": Text(
        "Enter the date as year-month-day, for example 2026-03-31",
        "Geben Sie das Datum als Jahr-Monat-Tag ein, zum Beispiel 2026-03-31",
        "Saisissez la date au format année-mois-jour, par exemple 2026-03-31",
    ),
}


def language_or_default(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT


def translate(language: str, key: str, **values: object) -> str:
    """The text for key in language (KeyError for an unknown key: a bug, found by the tests)."""
    text: str = getattr(CATALOGUE[key], language_or_default(language))
    return text.format(**values) if values else text
