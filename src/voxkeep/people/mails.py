"""The texts of the mails people get, in the account's language (en, de, fr).

A mail carries a link and a date, never the person's data: mail is not a
channel for personal data (DESIGN: "a bare e-mailed link delivered 100 MB").
A mail promises only what a person can do today (tests/test_texts.py checks it
against the routes the app has).
"""

from __future__ import annotations

from datetime import datetime

INVITE = {
    "en": (
        "Set your password for your voice recordings",
        "Hello,\n\n"
        "with a password you can sign in to the portal of the voice recordings kept about "
        "you: hear them there, and ask for a copy of them or for their erasure and "
        "download the answer.\n"
        "Set your password here (the link works once, until {expires}):\n\n"
        "{link}\n\n"
        "If you did not expect this mail, ignore it: nothing happens without the link.\n",
    ),
    "de": (
        "Legen Sie Ihr Passwort für Ihre Sprachaufnahmen fest",
        "Guten Tag,\n\n"
        "mit einem Passwort können Sie sich im Portal der über Sie gespeicherten "
        "Sprachaufnahmen anmelden: sie dort anhören, eine Kopie davon oder ihre Löschung "
        "verlangen und die Antwort herunterladen.\n"
        "Legen Sie hier Ihr Passwort fest (der Link gilt einmal, bis {expires}):\n\n"
        "{link}\n\n"
        "Wenn Sie diese E-Mail nicht erwartet haben, ignorieren Sie sie: ohne den Link "
        "geschieht nichts.\n",
    ),
    "fr": (
        "Choisissez le mot de passe de vos enregistrements vocaux",
        "Bonjour,\n\n"
        "avec un mot de passe, vous pouvez vous connecter au portail des enregistrements "
        "vocaux conservés à votre sujet : les écouter, en demander une copie ou "
        "l'effacement, et télécharger la réponse.\n"
        "Choisissez votre mot de passe ici (le lien ne sert qu'une fois, jusqu'au "
        "{expires}) :\n\n"
        "{link}\n\n"
        "Si vous n'attendiez pas ce message, ignorez-le : rien ne se passe sans le lien.\n",
    ),
}


def invite_mail(language: str, *, link: str, expires_at: datetime) -> tuple[str, str]:
    """(subject, body) of the invitation mail."""
    subject, body = INVITE.get(language, INVITE["en"])
    expires = f"{expires_at:%Y-%m-%d %H:%M} UTC"
    return subject, body.format(link=link, expires=expires)
