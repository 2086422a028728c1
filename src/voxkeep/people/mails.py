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


def _compose(
    texts: dict[str, tuple[str, str]], language: str, *, expires_at: datetime, **values: str
) -> tuple[str, str]:
    """(subject, body) in the language (else English), with the expiry time filled in."""
    subject, body = texts.get(language, texts["en"])
    return subject, body.format(expires=f"{expires_at:%Y-%m-%d %H:%M} UTC", **values)


def invite_mail(language: str, *, link: str, expires_at: datetime) -> tuple[str, str]:
    """(subject, body) of the invitation mail."""
    return _compose(INVITE, language, expires_at=expires_at, link=link)


RESET = {
    "en": (
        "Your code to reset your password",
        "Hello,\n\n"
        "someone asked to reset the password of your account for the voice recordings kept "
        "about you. To choose a new password, enter this code on the page where it was "
        "asked for:\n\n"
        "{code}\n\n"
        "The code works once, until {expires}. Choosing a new password signs you out "
        "everywhere.\n"
        "If you did not ask for it, ignore this mail: your password stays as it is.\n",
    ),
    "de": (
        "Ihr Code zum Zurücksetzen Ihres Passworts",
        "Guten Tag,\n\n"
        "jemand hat verlangt, das Passwort Ihres Kontos für die über Sie gespeicherten "
        "Sprachaufnahmen zurückzusetzen. Um ein neues Passwort zu wählen, geben Sie diesen "
        "Code auf der Seite ein, auf der er verlangt wurde:\n\n"
        "{code}\n\n"
        "Der Code gilt einmal, bis {expires}. Ein neues Passwort meldet Sie überall ab.\n"
        "Wenn Sie das nicht verlangt haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt, "
        "wie es ist.\n",
    ),
    "fr": (
        "Votre code pour réinitialiser votre mot de passe",
        "Bonjour,\n\n"
        "quelqu'un a demandé à réinitialiser le mot de passe de votre compte pour les "
        "enregistrements vocaux conservés à votre sujet. Pour choisir un nouveau mot de "
        "passe, saisissez ce code sur la page où il a été demandé :\n\n"
        "{code}\n\n"
        "Le code ne sert qu'une fois, jusqu'au {expires}. Un nouveau mot de passe vous "
        "déconnecte partout.\n"
        "Si vous ne l'avez pas demandé, ignorez ce message : votre mot de passe ne change "
        "pas.\n",
    ),
}


def reset_mail(language: str, *, code: str, expires_at: datetime) -> tuple[str, str]:
    """(subject, body) of the password-reset mail: the code and until when, nothing else."""
    return _compose(RESET, language, expires_at=expires_at, code=code)
