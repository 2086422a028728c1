"""What voxkeep mails to a person about their request, in their language (en, de, fr).

Mails go only to the account's own verified address, never to an address a
request names (and, once, to the address it had before the operator changed
it, to say so). They carry the request's reference, dates and reasons, never
personal data from the vault and never a download link (invariant 4).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from voxkeep.accounts.models import Account
from voxkeep.accounts.service import open_field
from voxkeep.errors import Conflict, KeyDestroyed
from voxkeep.vault import Vault


class Notice(enum.StrEnum):
    CODE = "code"
    EXTENDED = "extended"
    REFUSED = "refused"
    READY = "ready"
    ERASED = "erased"
    ADDRESS_CHANGED = "address_changed"


KIND_NAMES = {
    "en": {"access": "a copy", "portability": "a machine-readable copy", "erasure": "erasure"},
    "de": {
        "access": "eine Kopie",
        "portability": "eine maschinenlesbare Kopie",
        "erasure": "die Löschung",
    },
    "fr": {
        "access": "une copie",
        "portability": "une copie lisible par machine",
        "erasure": "l'effacement",
    },
}

_TEXTS: dict[Notice, dict[str, tuple[str, str]]] = {
    Notice.CODE: {
        "en": (
            "Your verification code for request {ref}",
            "We received a request for {what} of your data (reference {ref}).\n\n"
            "If you made it, give our privacy team this code:\n\n    {code}\n\n"
            "It is valid until {expires} (UTC). If you did not make this request, give the "
            "code to nobody and let us know by answering this mail.\n",
        ),
        "de": (
            "Ihr Bestätigungscode für Anfrage {ref}",
            "Wir haben eine Anfrage auf {what} Ihrer Daten erhalten (Aktenzeichen {ref}).\n\n"
            "Wenn sie von Ihnen stammt, nennen Sie unserem Datenschutzteam diesen Code:\n\n"
            "    {code}\n\nEr gilt bis {expires} (UTC). Wenn Sie diese Anfrage nicht gestellt "
            "haben, geben Sie den Code niemandem und antworten Sie uns auf diese E-Mail.\n",
        ),
        "fr": (
            "Votre code de vérification pour la demande {ref}",
            "Nous avons reçu une demande visant à obtenir {what} de vos données "
            "(référence {ref}).\n\nSi elle vient de vous, communiquez ce code à notre équipe "
            "chargée de la protection des données :\n\n    {code}\n\nIl est valable jusqu'au "
            "{expires} (UTC). Si vous n'avez pas fait cette demande, ne donnez ce code à "
            "personne et prévenez-nous en répondant à ce message.\n",
        ),
    },
    Notice.EXTENDED: {
        "en": (
            "More time for your request {ref}",
            "We need more time to answer your request for {what} of your data "
            "(reference {ref}, received on {received}). As GDPR Art. 12(3) allows, the "
            "deadline is extended to {due}.\n\nReasons:\n{reason}\n",
        ),
        "de": (
            "Mehr Zeit für Ihre Anfrage {ref}",
            "Wir brauchen mehr Zeit, um Ihre Anfrage auf {what} Ihrer Daten zu beantworten "
            "(Aktenzeichen {ref}, eingegangen am {received}). Wie Art. 12 Abs. 3 DSGVO es "
            "erlaubt, verlängert sich die Frist bis zum {due}.\n\nGründe:\n{reason}\n",
        ),
        "fr": (
            "Délai prolongé pour votre demande {ref}",
            "Il nous faut plus de temps pour répondre à votre demande visant à obtenir {what} "
            "de vos données (référence {ref}, reçue le {received}). Comme l'article 12, "
            "paragraphe 3, du RGPD le permet, le délai est prolongé jusqu'au {due}.\n\n"
            "Motifs :\n{reason}\n",
        ),
    },
    Notice.REFUSED: {
        "en": (
            "Your request {ref}",
            "We will not act on your request for {what} of your data (reference {ref}, "
            "received on {received}).\n\nReasons:\n{reason}\n\nYou have the right to lodge a "
            "complaint with a supervisory authority and to seek a judicial remedy "
            "(GDPR Art. 12(4), 77 and 79).\n",
        ),
        "de": (
            "Ihre Anfrage {ref}",
            "Wir werden auf Ihre Anfrage auf {what} Ihrer Daten (Aktenzeichen {ref}, "
            "eingegangen am {received}) nicht tätig.\n\nGründe:\n{reason}\n\nSie haben das "
            "Recht, Beschwerde bei einer Aufsichtsbehörde einzulegen und einen gerichtlichen "
            "Rechtsbehelf einzulegen (Art. 12 Abs. 4, Art. 77 und 79 DSGVO).\n",
        ),
        "fr": (
            "Votre demande {ref}",
            "Nous ne donnerons pas suite à votre demande visant à obtenir {what} de vos "
            "données (référence {ref}, reçue le {received}).\n\nMotifs :\n{reason}\n\nVous "
            "avez le droit d'introduire une réclamation auprès d'une autorité de contrôle et "
            "de former un recours juridictionnel (articles 12, paragraphe 4, 77 et 79 du "
            "RGPD).\n",
        ),
    },
    # Names the portal's page by its title in each language (web/i18n.py "nav.requests"),
    # never by a link: the mail must not carry one (invariant 4).
    Notice.READY: {
        "en": (
            "Your answer is ready",
            "The answer to your request (reference {ref}) is ready. To download it, sign in "
            'to the portal with your password and open "Your requests"; it is there until '
            "{expires} (UTC). This mail holds no link. If you have not set a password yet, "
            "answer this mail and we will send you an invitation to set one.\n",
        ),
        "de": (
            "Ihre Antwort liegt bereit",
            "Die Antwort auf Ihre Anfrage (Aktenzeichen {ref}) liegt bereit. Zum "
            "Herunterladen melden Sie sich mit Ihrem Passwort im Portal an und öffnen "
            "„Ihre Anfragen“; dort liegt sie bis {expires} (UTC) bereit. Diese "
            "E-Mail enthält keinen Link. Wenn Sie noch kein Passwort festgelegt haben, "
            "antworten Sie auf diese E-Mail, und wir senden Ihnen eine Einladung dazu.\n",
        ),
        "fr": (
            "Votre réponse est prête",
            "La réponse à votre demande (référence {ref}) est prête. Pour la télécharger, "
            "connectez-vous au portail avec votre mot de passe et ouvrez « Vos "
            "demandes » ; elle y est disponible jusqu'au {expires} (UTC). Ce message ne "
            "contient aucun lien. Si vous n'avez pas encore choisi de mot de passe, répondez "
            "à ce message et nous vous enverrons une invitation.\n",
        ),
    },
    Notice.ERASED: {
        "en": (
            "Your data has been erased",
            "As you asked (reference {ref}), we have erased your account and its data. This "
            "is the last mail we send to this address; we no longer know it.\n\n"
            "Your data became unreadable at {unreadable} (UTC), when we destroyed its key. "
            "Its stored bytes were gone at {gone} (UTC), when every copy we kept, every "
            "stored version included, had been removed.\n\n"
            "Below is the signed erasure receipt {receipt}. It names you only by a "
            "commitment; this salt, which we did not keep, shows that it concerns you:\n\n"
            "    {salt}\n\n{bundle}\n",
        ),
        "de": (
            "Ihre Daten wurden gelöscht",
            "Wie gewünscht (Aktenzeichen {ref}) haben wir Ihr Konto und seine Daten gelöscht. "
            "Dies ist die letzte E-Mail an diese Adresse; wir kennen sie nicht mehr.\n\n"
            "Unlesbar wurden Ihre Daten am {unreadable} (UTC), als wir ihren Schlüssel "
            "vernichtet haben. Ihre gespeicherten Bytes waren am {gone} (UTC) fort, als jede "
            "Kopie, die wir hatten, samt jeder gespeicherten Version entfernt war.\n\n"
            "Unten steht die signierte Löschquittung {receipt}. Sie nennt Sie nur über einen "
            "Commitment-Wert; dieser Salt, den wir nicht aufbewahrt haben, zeigt, dass sie Sie "
            "betrifft:\n\n    {salt}\n\n{bundle}\n",
        ),
        "fr": (
            "Vos données ont été effacées",
            "Comme demandé (référence {ref}), nous avons effacé votre compte et ses données. "
            "Ceci est le dernier message envoyé à cette adresse ; nous ne la connaissons "
            "plus.\n\nVos données sont devenues illisibles le {unreadable} (UTC), quand nous "
            "avons détruit leur clé. Leurs octets stockés ont disparu le {gone} (UTC), quand "
            "chaque copie que nous gardions, toutes versions stockées comprises, a été "
            "supprimée.\n\nVoici le reçu d'effacement signé {receipt}. Il ne vous désigne que par "
            "un engagement cryptographique ; ce sel, que nous n'avons pas conservé, montre "
            "qu'il vous concerne :\n\n    {salt}\n\n{bundle}\n",
        ),
    },
    # To the address an account had before the operator changed it: the fact, the date
    # and whom to contact, nothing else (not the new address, not whether requests are
    # open: the old address may belong to someone else by now).
    Notice.ADDRESS_CHANGED: {
        "en": (
            "The e-mail address of your account was changed",
            "The e-mail address of your account was changed on {date} (UTC).\n\n"
            "If this was not you, contact us at once: answer this mail or write to "
            "{contact}.\n",
        ),
        "de": (
            "Die E-Mail-Adresse Ihres Kontos wurde geändert",
            "Die E-Mail-Adresse Ihres Kontos wurde am {date} (UTC) geändert.\n\n"
            "Wenn Sie das nicht waren, melden Sie sich sofort bei uns: Antworten Sie auf "
            "diese E-Mail oder schreiben Sie an {contact}.\n",
        ),
        "fr": (
            "L'adresse e-mail de votre compte a été modifiée",
            "L'adresse e-mail de votre compte a été modifiée le {date} (UTC).\n\n"
            "Si ce n'était pas vous, contactez-nous "
            "immédiatement : répondez à ce message ou écrivez à {contact}.\n",
        ),
    },
}


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str

    def __repr__(self) -> str:  # the address is personal data: never in a repr or log
        return f"Mail(subject={self.subject!r})"


def render(notice: Notice, language: str, **fields: str) -> tuple[str, str]:
    texts = _TEXTS[notice]
    subject, body = texts.get(language, texts["en"])
    return subject.format(**fields), body.format(**fields)


def kind_name(kind: str, language: str) -> str:
    return KIND_NAMES.get(language, KIND_NAMES["en"])[kind]


def day(when: datetime) -> str:
    return when.strftime("%Y-%m-%d")


def minute(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")


def second(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S")


def verified_address(vault: Vault, session: Session, account_id: str) -> str:
    """The account's own verified e-mail address, decrypted for one mail; or Conflict."""
    account = session.get(Account, account_id)
    if account is None or account.erased_at is not None:
        raise Conflict("The account has been erased; there is no one to write to.")
    if account.email_ct is None or account.email_verified_at is None:
        raise Conflict(
            "The account has no verified e-mail address.",
            hint="The operator sets it (PUT /api/v1/accounts/{id} with an e-mail); until then "
            "no code can be mailed for this request.",
        )
    try:
        key = vault.keyring.data_key(session, account_id)
    except KeyDestroyed:
        raise Conflict("The account has been erased; there is no one to write to.") from None
    return open_field(key, account_id, "email", account.email_ct)


def language_of(session: Session, account_id: str) -> str:
    account = session.get(Account, account_id)
    return account.language if account is not None else "en"
