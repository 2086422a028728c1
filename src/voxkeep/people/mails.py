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


# Staff: the console's own accounts. The mail names the login handle (a work
# handle, not a secret) and carries the single-use link to set a password.
STAFF_INVITE = {
    "en": (
        "Your voxkeep console account",
        "Hello,\n\n"
        "an administrator added you to the voxkeep console, where the privacy team "
        "answers data-protection requests. Your login name is {name}.\n"
        "Set your password here (the link works once, until {expires}); on your first "
        "sign-in you will set up a one-time code app:\n\n"
        "{link}\n\n"
        "If you did not expect this mail, tell your administrator.\n",
    ),
    "de": (
        "Ihr Zugang zur voxkeep-Konsole",
        "Guten Tag,\n\n"
        "eine Administratorin oder ein Administrator hat Sie zur voxkeep-Konsole "
        "hinzugefügt, in der das Datenschutzteam Anträge von Betroffenen bearbeitet. "
        "Ihr Login-Name ist {name}.\n"
        "Legen Sie hier Ihr Passwort fest (der Link gilt einmal, bis {expires}); bei der "
        "ersten Anmeldung richten Sie eine App für Einmalcodes ein:\n\n"
        "{link}\n\n"
        "Wenn Sie diese E-Mail nicht erwartet haben, sagen Sie es Ihrer Administration.\n",
    ),
    "fr": (
        "Votre compte sur la console voxkeep",
        "Bonjour,\n\n"
        "un administrateur vous a ajouté à la console voxkeep, où l'équipe chargée de la "
        "protection des données traite les demandes des personnes. Votre identifiant "
        "est {name}.\n"
        "Choisissez votre mot de passe ici (le lien ne sert qu'une fois, jusqu'au "
        "{expires}) ; à la première connexion, vous configurerez une application de "
        "codes à usage unique :\n\n"
        "{link}\n\n"
        "Si vous n'attendiez pas ce message, prévenez votre administrateur.\n",
    ),
}

STAFF_RESET = {
    "en": (
        "A new password link for the voxkeep console",
        "Hello,\n\n"
        "an administrator sent you a new link to set the password of your voxkeep "
        "console account {name}. Your current password works until you set a new one.\n"
        "Set it here (the link works once, until {expires}):\n\n"
        "{link}\n\n"
        "If you did not ask for this, tell your administrator.\n",
    ),
    "de": (
        "Ein neuer Passwort-Link für die voxkeep-Konsole",
        "Guten Tag,\n\n"
        "die Administration hat Ihnen einen neuen Link geschickt, mit dem Sie das Passwort "
        "Ihres Kontos {name} in der voxkeep-Konsole festlegen. Ihr bisheriges Passwort "
        "gilt, bis Sie ein neues festlegen.\n"
        "Legen Sie es hier fest (der Link gilt einmal, bis {expires}):\n\n"
        "{link}\n\n"
        "Wenn Sie das nicht veranlasst haben, sagen Sie es Ihrer Administration.\n",
    ),
    "fr": (
        "Un nouveau lien de mot de passe pour la console voxkeep",
        "Bonjour,\n\n"
        "un administrateur vous a envoyé un nouveau lien pour choisir le mot de passe de "
        "votre compte {name} sur la console voxkeep. Votre mot de passe actuel reste "
        "valable jusqu'à ce que vous en choisissiez un nouveau.\n"
        "Choisissez-le ici (le lien ne sert qu'une fois, jusqu'au {expires}) :\n\n"
        "{link}\n\n"
        "Si vous n'avez rien demandé, prévenez votre administrateur.\n",
    ),
}


def staff_password_mail(
    texts: dict[str, tuple[str, str]],
    language: str,
    *,
    name: str,
    link: str,
    expires_at: datetime,
) -> tuple[str, str]:
    """(subject, body) of a staff invitation (STAFF_INVITE) or reset (STAFF_RESET)."""
    return _compose(texts, language, expires_at=expires_at, name=name, link=link)


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


# Containment of an incident ended the person's sessions and stopped their password
# (people.service.force_password_reset). The link is the portal's reset page.
LOCKED = {
    "en": (
        "We signed you out: choose a new password",
        "Hello,\n\n"
        "to protect the voice recordings kept about you, we have signed your account out "
        "everywhere and your password no longer works.\n"
        "Choose a new one with a code mailed to this address, here:\n\n"
        "{link}\n\n"
        "Until you do, nobody can sign in to your account with the old password.\n",
    ),
    "de": (
        "Wir haben Sie abgemeldet: Wählen Sie ein neues Passwort",
        "Guten Tag,\n\n"
        "um die über Sie gespeicherten Sprachaufnahmen zu schützen, haben wir Ihr Konto "
        "überall abgemeldet, und Ihr Passwort gilt nicht mehr.\n"
        "Wählen Sie hier ein neues, mit einem Code, der an diese Adresse geschickt wird:\n\n"
        "{link}\n\n"
        "Bis dahin kann sich niemand mit dem alten Passwort in Ihrem Konto anmelden.\n",
    ),
    "fr": (
        "Nous vous avons déconnecté : choisissez un nouveau mot de passe",
        "Bonjour,\n\n"
        "pour protéger les enregistrements vocaux conservés à votre sujet, nous avons "
        "déconnecté votre compte partout et votre mot de passe ne fonctionne plus.\n"
        "Choisissez-en un nouveau avec un code envoyé à cette adresse, ici :\n\n"
        "{link}\n\n"
        "D'ici là, personne ne peut se connecter à votre compte avec l'ancien mot de passe.\n",
    ),
}


def locked_mail(language: str, *, link: str) -> tuple[str, str]:
    """(subject, body) of the mail that tells a person their password must be chosen anew."""
    subject, body = LOCKED.get(language, LOCKED["en"])
    return subject, body.format(link=link)
