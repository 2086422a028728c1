"""The words of the notice to an affected person (Art. 34), in English, German and French.

Art. 34(2) asks for plain language and the content of Art. 33(3)(b)-(d): the
nature of the breach, a contact point, the likely consequences and the
measures taken or proposed. So a notice is built from fixed texts chosen by
the DPO (what happened, per incident kind; consequences; measures; what the
person can do), each written once in every language, plus the person's own
figures and the DPO's contact point and optional note. The mail holds no link
and no recording content: it names the portal's page where the notice can be
read again (tests/incidents/test_notices_texts.py checks every text exists in
every language). ``render_notice`` puts one person's notice together in one
language, for the mail, the portal and the person's API alike.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from voxkeep.incidents.models import IncidentKind
from voxkeep.requests.notices import day

# The portal page's title, which the mail names (never links); the portal's
# catalogue (web/i18n.py "nav.notices") takes it from here.
PAGE_TITLE: Final[Mapping[str, str]] = {
    "en": "Notices about your data",
    "de": "Mitteilungen zu Ihren Daten",
    "fr": "Avis concernant vos données",
}

LANGUAGES: Final = ("en", "de", "fr")


class What(enum.StrEnum):
    """What happened, in plain words."""

    SENT_TO_OTHER = "sent_to_other"
    RECEIVED_OTHERS = "received_others"
    STOPPED_BY_CHECK = "stopped_by_check"
    STORED_UNDER_OTHER = "stored_under_other"
    ACCESSED_BY_OTHER = "accessed_by_other"


class Consequence(enum.StrEnum):
    OTHERS_HEARD = "others_heard"
    RECOGNISED = "recognised"
    HOLDING_OTHERS = "holding_others"
    NONE_LIKELY = "none_likely"


class Measure(enum.StrEnum):
    DOWNLOAD_REVOKED = "download_revoked"
    CHECK_STOPPED = "check_stopped"
    RECORDINGS_REASSIGNED = "recordings_reassigned"
    SESSIONS_ENDED = "sessions_ended"
    STAFF_SUSPENDED = "staff_suspended"
    RECIPIENT_ASKED = "recipient_asked"
    AUTHORITY_NOTIFIED = "authority_notified"
    REVIEWING = "reviewing"


class Advice(enum.StrEnum):
    REVIEW_RECORDINGS = "review_recordings"
    NEW_PASSWORD = "new_password"  # noqa: S105 (a text's name, not a secret)
    DELETE_RECEIVED = "delete_received"
    BE_CAREFUL = "be_careful"
    COMPLAIN = "complain"


# Which plain-words texts fit which kind of incident; the first is the usual one.
_ANY = tuple(What)
WHAT_FOR_KIND: Final[dict[IncidentKind, tuple[What, ...]]] = {
    IncidentKind.RELEASE_GATE_FAILED: (What.STOPPED_BY_CHECK, What.SENT_TO_OTHER),
    IncidentKind.BUILD_FAILED: (What.STOPPED_BY_CHECK,),
    IncidentKind.KEY_FAILED: (What.STOPPED_BY_CHECK,),
    IncidentKind.DELIVERY_FAILED: (What.STOPPED_BY_CHECK, What.SENT_TO_OTHER),
    IncidentKind.NOT_MY_DATA: (
        What.SENT_TO_OTHER,
        What.RECEIVED_OTHERS,
        What.STORED_UNDER_OTHER,
    ),
    IncidentKind.FOREIGN_DOWNLOAD: (What.ACCESSED_BY_OTHER, What.SENT_TO_OTHER),
    IncidentKind.AUDIT_VERIFY_FAILED: _ANY,
    IncidentKind.FOUR_EYES_REFUSED: _ANY,
    IncidentKind.REPORTED: _ANY,
}

WHAT: Final[dict[What, dict[str, str]]] = {
    What.SENT_TO_OTHER: {
        "en": "Some of your voice recordings, with their transcripts, were sent to another "
        "person by mistake.",
        "de": "Einige Ihrer Sprachaufnahmen wurden mit ihren Abschriften versehentlich an eine "
        "andere Person geschickt.",
        "fr": "Certains de vos enregistrements vocaux, avec leurs transcriptions, ont été "
        "envoyés par erreur à une autre personne.",
    },
    What.RECEIVED_OTHERS: {
        "en": "The answer we gave you held voice recordings of another person. They were "
        "never yours and should not have reached you.",
        "de": "Die Antwort, die wir Ihnen gegeben haben, enthielt Sprachaufnahmen einer anderen "
        "Person. Sie gehörten nie Ihnen und hätten Sie nicht erreichen dürfen.",
        "fr": "La réponse que nous vous avons donnée contenait des enregistrements vocaux "
        "d'une autre personne. Ils n'ont jamais été les vôtres et n'auraient pas dû vous "
        "parvenir.",
    },
    What.STOPPED_BY_CHECK: {
        "en": "A check stopped an answer that held wrong data before anyone could download "
        "it. Some of your recordings were in it.",
        "de": "Eine Prüfung hat eine Antwort mit falschen Daten angehalten, bevor jemand sie "
        "herunterladen konnte. Einige Ihrer Aufnahmen waren darin.",
        "fr": "Un contrôle a arrêté une réponse contenant des données erronées avant que "
        "quiconque puisse la télécharger. Certains de vos enregistrements s'y trouvaient.",
    },
    What.STORED_UNDER_OTHER: {
        "en": "A device you use was still linked to its previous owner's account, so some of "
        "your recordings were kept in that account and sent to that person with their data.",
        "de": "Ein Gerät, das Sie nutzen, war noch mit dem Konto seines früheren Besitzers "
        "verbunden. Deshalb wurden einige Ihrer Aufnahmen in jenem Konto gespeichert und "
        "dieser Person mit ihren Daten geschickt.",
        "fr": "Un appareil que vous utilisez était encore lié au compte de son ancien "
        "propriétaire : certains de vos enregistrements ont donc été conservés dans ce compte "
        "et envoyés à cette personne avec ses données.",
    },
    What.ACCESSED_BY_OTHER: {
        "en": "Someone who is not you tried to download the answer to your request.",
        "de": "Jemand, der nicht Sie ist, hat versucht, die Antwort auf Ihre Anfrage "
        "herunterzuladen.",
        "fr": "Une personne autre que vous a tenté de télécharger la réponse à votre demande.",
    },
}

CONSEQUENCES: Final[dict[Consequence, dict[str, str]]] = {
    Consequence.OTHERS_HEARD: {
        "en": "Another person may have heard your recordings and read what was said. "
        "Recordings made at home can reveal private matters: who lives with you, your "
        "habits, the people you contact.",
        "de": "Eine andere Person kann Ihre Aufnahmen gehört und gelesen haben, was gesagt "
        "wurde. Aufnahmen von zu Hause können Privates verraten: wer mit Ihnen lebt, Ihre "
        "Gewohnheiten, mit wem Sie Kontakt haben.",
        "fr": "Une autre personne a pu entendre vos enregistrements et lire ce qui a été dit. "
        "Des enregistrements faits chez vous peuvent révéler des choses privées : qui vit "
        "avec vous, vos habitudes, les personnes avec qui vous êtes en contact.",
    },
    Consequence.RECOGNISED: {
        "en": "Someone who knows you could recognise you or the people of your household by "
        "their voices or by what was said.",
        "de": "Jemand, der Sie kennt, könnte Sie oder die Menschen in Ihrem Haushalt an den "
        "Stimmen oder am Gesagten erkennen.",
        "fr": "Une personne qui vous connaît pourrait vous reconnaître, vous ou les membres de "
        "votre foyer, à vos voix ou à ce qui a été dit.",
    },
    Consequence.HOLDING_OTHERS: {
        "en": "For you the risk is small. The other person's privacy now depends on these "
        "recordings going no further.",
        "de": "Für Sie ist das Risiko gering. Die Privatsphäre der anderen Person hängt nun "
        "davon ab, dass diese Aufnahmen nicht weitergegeben werden.",
        "fr": "Pour vous, le risque est faible. La vie privée de l'autre personne dépend "
        "maintenant de ce que ces enregistrements n'aillent pas plus loin.",
    },
    Consequence.NONE_LIKELY: {
        "en": "We see no likely harm to you: nobody received your recordings.",
        "de": "Wir sehen keinen wahrscheinlichen Schaden für Sie: Niemand hat Ihre Aufnahmen "
        "erhalten.",
        "fr": "Nous ne voyons pas de préjudice probable pour vous : personne n'a reçu vos "
        "enregistrements.",
    },
}

MEASURES: Final[dict[Measure, dict[str, str]]] = {
    Measure.DOWNLOAD_REVOKED: {
        "en": "We withdrew the answer at once: it can no longer be downloaded.",
        "de": "Wir haben die Antwort sofort zurückgezogen: Sie lässt sich nicht mehr "
        "herunterladen.",
        "fr": "Nous avons retiré la réponse immédiatement : elle ne peut plus être téléchargée.",
    },
    Measure.CHECK_STOPPED: {
        "en": "Nothing of the stopped answer was released; it has been destroyed.",
        "de": "Von der angehaltenen Antwort wurde nichts freigegeben; sie wurde vernichtet.",
        "fr": "Rien de la réponse arrêtée n'a été diffusé ; elle a été détruite.",
    },
    Measure.RECORDINGS_REASSIGNED: {
        "en": "We moved the recordings to the account they belong to.",
        "de": "Wir haben die Aufnahmen dem Konto zugeordnet, zu dem sie gehören.",
        "fr": "Nous avons rattaché les enregistrements au compte auquel ils appartiennent.",
    },
    Measure.SESSIONS_ENDED: {
        "en": "We ended every session of the account concerned and asked for a new password.",
        "de": "Wir haben alle Sitzungen des betroffenen Kontos beendet und ein neues Passwort "
        "verlangt.",
        "fr": "Nous avons fermé toutes les sessions du compte concerné et demandé un nouveau "
        "mot de passe.",
    },
    Measure.STAFF_SUSPENDED: {
        "en": "We suspended the staff account involved while we investigate.",
        "de": "Wir haben das beteiligte Mitarbeiterkonto für die Dauer der Untersuchung gesperrt.",
        "fr": "Nous avons suspendu le compte du membre du personnel concerné pendant l'enquête.",
    },
    Measure.RECIPIENT_ASKED: {
        "en": "We asked the person who received them to destroy every copy and to share nothing.",
        "de": "Wir haben die Person, die sie erhalten hat, gebeten, jede Kopie zu vernichten "
        "und nichts weiterzugeben.",
        "fr": "Nous avons demandé à la personne qui les a reçus d'en détruire toute copie et "
        "de ne rien partager.",
    },
    Measure.AUTHORITY_NOTIFIED: {
        "en": "We reported the incident to the data protection supervisory authority.",
        "de": "Wir haben den Vorfall der Datenschutz-Aufsichtsbehörde gemeldet.",
        "fr": "Nous avons signalé l'incident à l'autorité de contrôle de la protection des "
        "données.",
    },
    Measure.REVIEWING: {
        "en": "We are finding out how it happened, to keep it from happening again.",
        "de": "Wir klären, wie es dazu kam, damit es nicht wieder geschieht.",
        "fr": "Nous recherchons comment cela s'est produit, pour éviter que cela se reproduise.",
    },
}

ADVICE: Final[dict[Advice, dict[str, str]]] = {
    Advice.REVIEW_RECORDINGS: {
        "en": "Sign in to the portal to hear your recordings and delete any you no longer "
        "want kept.",
        "de": "Melden Sie sich im Portal an, um Ihre Aufnahmen anzuhören und die zu löschen, "
        "die nicht mehr gespeichert sein sollen.",
        "fr": "Connectez-vous au portail pour écouter vos enregistrements et supprimer ceux "
        "que vous ne voulez plus voir conservés.",
    },
    Advice.NEW_PASSWORD: {
        "en": 'Choose a new password: on the sign-in page, follow "Forgotten your password?".',
        "de": "Wählen Sie ein neues Passwort: Folgen Sie auf der Anmeldeseite „Passwort "
        "vergessen?“.",
        "fr": "Choisissez un nouveau mot de passe : sur la page de connexion, suivez « Mot de "
        "passe oublié ? ».",
    },
    Advice.DELETE_RECEIVED: {
        "en": "Destroy the files you received and any copies of them, and share none of it.",
        "de": "Vernichten Sie die erhaltenen Dateien und alle Kopien davon, und geben Sie "
        "nichts davon weiter.",
        "fr": "Détruisez les fichiers reçus et toutes leurs copies, et n'en partagez rien.",
    },
    Advice.BE_CAREFUL: {
        "en": "Be wary of unexpected calls or mails that mention details of your home life.",
        "de": "Seien Sie vorsichtig bei unerwarteten Anrufen oder Nachrichten, die Details "
        "Ihres häuslichen Lebens erwähnen.",
        "fr": "Méfiez-vous des appels ou messages inattendus qui mentionnent des détails de "
        "votre vie à la maison.",
    },
    Advice.COMPLAIN: {
        "en": "You have the right to lodge a complaint with a data protection supervisory "
        "authority (GDPR Art. 77).",
        "de": "Sie haben das Recht, Beschwerde bei einer Datenschutz-Aufsichtsbehörde "
        "einzulegen (Art. 77 DSGVO).",
        "fr": "Vous avez le droit d'introduire une réclamation auprès d'une autorité de "
        "contrôle de la protection des données (article 77 du RGPD).",
    },
}

# The notice's frame: subject, opening, one heading per Art. 34(2) element, closing.
# {page} is the portal page's title (PAGE_TITLE): named, never linked.
FRAME: Final[dict[str, dict[str, str]]] = {
    "en": {
        "subject": "Important: an incident concerning your voice recordings ({ref})",
        "opening": "We are writing to tell you about an incident that concerns your personal "
        "data, as the law requires (GDPR Art. 34). Reference: {ref}.",
        "what": "What happened",
        "aware": "We became aware of it on {day} (UTC).",
        "records": "What it concerns",
        "some": "{count} of your recordings, made from {first} to {last}.",
        "devices": "Devices: {devices}.",
        "none": "None of your own recordings.",
        "consequences": "What this may mean for you",
        "measures": "What we have done",
        "advice": "What you can do",
        "contact": "Whom to contact",
        "contact_text": "Our data protection officer: {contact}. Please give the reference {ref}.",
        "note": "A note from our data protection officer",
        "closing": 'You can read this notice again in the portal, under "{page}". This mail '
        "holds no link.",
    },
    "de": {
        "subject": "Wichtig: ein Vorfall, der Ihre Sprachaufnahmen betrifft ({ref})",
        "opening": "Wir informieren Sie über einen Vorfall, der Ihre personenbezogenen Daten "
        "betrifft, wie es das Gesetz verlangt (Art. 34 DSGVO). Aktenzeichen: {ref}.",
        "what": "Was geschehen ist",
        "aware": "Wir haben am {day} (UTC) davon erfahren.",
        "records": "Was betroffen ist",
        "some": "{count} Ihrer Aufnahmen, aufgenommen vom {first} bis zum {last}.",
        "devices": "Geräte: {devices}.",
        "none": "Keine Ihrer eigenen Aufnahmen.",
        "consequences": "Was das für Sie bedeuten kann",
        "measures": "Was wir getan haben",
        "advice": "Was Sie tun können",
        "contact": "An wen Sie sich wenden können",
        "contact_text": "Unser Datenschutzbeauftragter: {contact}. Bitte nennen Sie das "
        "Aktenzeichen {ref}.",
        "note": "Eine Anmerkung unseres Datenschutzbeauftragten",
        "closing": "Sie können diese Mitteilung im Portal unter „{page}“ erneut lesen. Diese "
        "E-Mail enthält keinen Link.",
    },
    "fr": {
        "subject": "Important : un incident concernant vos enregistrements vocaux ({ref})",
        "opening": "Nous vous informons d'un incident qui concerne vos données personnelles, "
        "comme la loi l'exige (article 34 du RGPD). Référence : {ref}.",
        "what": "Ce qui s'est passé",
        "aware": "Nous en avons eu connaissance le {day} (UTC).",
        "records": "Ce qui est concerné",
        "some": "{count} de vos enregistrements, faits du {first} au {last}.",
        "devices": "Appareils : {devices}.",
        "none": "Aucun de vos propres enregistrements.",
        "consequences": "Ce que cela peut signifier pour vous",
        "measures": "Ce que nous avons fait",
        "advice": "Ce que vous pouvez faire",
        "contact": "Qui contacter",
        "contact_text": "Notre délégué à la protection des données : {contact}. Merci "
        "d'indiquer la référence {ref}.",
        "note": "Une remarque de notre délégué à la protection des données",
        "closing": "Vous pouvez relire cet avis dans le portail, sous « {page} ». Ce message "
        "ne contient aucun lien.",
    },
}

GREETING: Final = {"en": "Hello,", "de": "Guten Tag,", "fr": "Bonjour,"}


def pick(texts: dict[str, str], language: str) -> str:
    """The text in the language, else English."""
    return texts.get(language, texts["en"])


# Putting a notice together ---------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    heading: str
    lines: tuple[str, ...]
    listed: bool = False  # shown as a list (several fixed texts) rather than a paragraph


@dataclass(frozen=True)
class NoticeText:
    """One notice in one language: what the mail says and the portal shows."""

    subject: str
    greeting: str
    opening: str
    sections: tuple[Section, ...]
    closing: str

    def mail_body(self) -> str:
        parts = [self.greeting, "", self.opening]
        for section in self.sections:
            parts += ["", section.heading]
            parts += [f"- {line}" if section.listed else line for line in section.lines]
        parts += ["", self.closing]
        return "\n".join(parts) + "\n"


def _day(value: str) -> str:
    return day(datetime.fromisoformat(value))


def render_notice(content: Mapping[str, Any], devices: Sequence[str], language: str) -> NoticeText:
    """The notice in ``language`` (en, de or fr; else English) from its sealed content."""
    lang = language if language in FRAME else "en"
    frame = FRAME[lang]
    ref = str(content["incident"])
    what = [
        pick(WHAT[What(content["what"])], lang),
        frame["aware"].format(day=_day(content["aware_at"])),
    ]
    count = int(content["recordings"])
    if count > 0:
        records = [
            frame["some"].format(
                count=count, first=_day(content["first_at"]), last=_day(content["last_at"])
            )
        ]
        if devices:
            records.append(frame["devices"].format(devices=", ".join(devices)))
    else:
        records = [frame["none"]]
    sections = [
        Section(frame["what"], (" ".join(what),)),
        Section(frame["records"], (" ".join(records),)),
        Section(
            frame["consequences"],
            tuple(pick(CONSEQUENCES[Consequence(c)], lang) for c in content["consequences"]),
            listed=True,
        ),
        Section(
            frame["measures"],
            tuple(pick(MEASURES[Measure(m)], lang) for m in content["measures"]),
            listed=True,
        ),
    ]
    if content["advice"]:
        advice = tuple(pick(ADVICE[Advice(a)], lang) for a in content["advice"])
        sections.append(Section(frame["advice"], advice, listed=True))
    contact = frame["contact_text"].format(contact=content["contact"], ref=ref)
    sections.append(Section(frame["contact"], (contact,)))
    if content["note"]:
        sections.append(Section(frame["note"], (str(content["note"]),)))
    return NoticeText(
        subject=frame["subject"].format(ref=ref),
        greeting=GREETING[lang],
        opening=frame["opening"].format(ref=ref),
        sections=tuple(sections),
        closing=frame["closing"].format(page=PAGE_TITLE[lang]),
    )
