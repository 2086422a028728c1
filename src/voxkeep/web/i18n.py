"""The pages' words in English, German and French: one catalogue, all three side by side.

Each entry is a ``Text`` with a field per language, so a key cannot exist in
one language and be missing in another; tests/web/test_i18n.py checks that
none is empty and that every key a template uses is here. Values are
``str.format`` patterns (``{minutes}``); they are autoescaped when rendered.
"""

from __future__ import annotations

from typing import NamedTuple

from voxkeep.incidents.notice_texts import PAGE_TITLE

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
    "nav.requests": Text("Your requests", "Ihre Anfragen", "Vos demandes"),
    "nav.sign_out": Text("Sign out", "Abmelden", "Se déconnecter"),
    "nav.retention": Text("How long recordings are kept", "Speicherdauer", "Durée de conservation"),
    "nav.deletions": Text("Deletion receipts", "Löschbelege", "Reçus de suppression"),
    "signin.forgot": Text(
        "Forgotten your password? Reset it with a code sent by e-mail",
        "Passwort vergessen? Setzen Sie es mit einem Code per E-Mail zurück",
        "Mot de passe oublié ? Réinitialisez-le avec un code envoyé par e-mail",
    ),
    "delete.select": Text(
        "Select the recording of {when}",
        "Aufnahme vom {when} auswählen",
        "Sélectionner l'enregistrement du {when}",
    ),
    "delete.one": Text(
        "Delete this recording", "Diese Aufnahme löschen", "Supprimer cet enregistrement"
    ),
    "delete.selected": Text(
        "Delete the selected recordings",
        "Ausgewählte Aufnahmen löschen",
        "Supprimer les enregistrements sélectionnés",
    ),
    "delete.range_link": Text(
        "Delete all recordings in these dates",
        "Alle Aufnahmen in diesem Zeitraum löschen",
        "Supprimer tous les enregistrements de ces dates",
    ),
    "delete.device_link": Text(
        "Delete all recordings of this device",
        "Alle Aufnahmen dieses Geräts löschen",
        "Supprimer tous les enregistrements de cet appareil",
    ),
    "delete.all_link": Text(
        "Delete all my recordings",
        "Alle meine Aufnahmen löschen",
        "Supprimer tous mes enregistrements",
    ),
    "delete.none_selected": Text(
        "Select at least one recording to delete: tick the box beside it.",
        "Wählen Sie mindestens eine Aufnahme zum Löschen aus: Setzen Sie das Häkchen daneben.",
        "Sélectionnez au moins un enregistrement à supprimer : cochez la case à côté.",
    ),
    "delete.confirm_title": Text(
        "Are you sure you want to delete these recordings?",
        "Möchten Sie diese Aufnahmen wirklich löschen?",
        "Voulez-vous vraiment supprimer ces enregistrements ?",
    ),
    "delete.nothing": Text(
        "There are no recordings to delete here.",
        "Hier gibt es keine Aufnahmen zu löschen.",
        "Il n'y a aucun enregistrement à supprimer ici.",
    ),
    "delete.what_recording": Text(
        "You are about to delete 1 recording: the one from {when}.",
        "Sie sind dabei, 1 Aufnahme zu löschen: die vom {when}.",
        "Vous allez supprimer 1 enregistrement : celui du {when}.",
    ),
    "delete.what_selection": Text(
        "You are about to delete the recordings you selected: {count}.",
        "Sie sind dabei, die ausgewählten Aufnahmen zu löschen: {count}.",
        "Vous allez supprimer les enregistrements sélectionnés : {count}.",
    ),
    "delete.what_range": Text(
        "You are about to delete every recording from {start} to {end}: {count}.",
        "Sie sind dabei, jede Aufnahme vom {start} bis zum {end} zu löschen: {count}.",
        "Vous allez supprimer chaque enregistrement du {start} au {end} : {count}.",
    ),
    "delete.what_since": Text(
        "You are about to delete every recording from {start} on: {count}.",
        "Sie sind dabei, jede Aufnahme ab dem {start} zu löschen: {count}.",
        "Vous allez supprimer chaque enregistrement à partir du {start} : {count}.",
    ),
    "delete.what_until": Text(
        "You are about to delete every recording up to {end}: {count}.",
        "Sie sind dabei, jede Aufnahme bis zum {end} zu löschen: {count}.",
        "Vous allez supprimer chaque enregistrement jusqu'au {end} : {count}.",
    ),
    "delete.what_device": Text(
        "You are about to delete every recording of the device “{device}”: {count}.",
        "Sie sind dabei, jede Aufnahme des Geräts „{device}“ zu löschen: {count}.",
        "Vous allez supprimer chaque enregistrement de l'appareil « {device} » : {count}.",
    ),
    "delete.what_all": Text(
        "You are about to delete all your recordings: {count}.",
        "Sie sind dabei, alle Ihre Aufnahmen zu löschen: {count}.",
        "Vous allez supprimer tous vos enregistrements : {count}.",
    ),
    "delete.span": Text(
        "The oldest is from {oldest}, the newest from {newest}.",
        "Die älteste ist vom {oldest}, die neueste vom {newest}.",
        "Le plus ancien date du {oldest}, le plus récent du {newest}.",
    ),
    "delete.includes": Text(
        "Each goes with its audio and its transcript. Your account, devices and settings stay.",
        "Mit jeder Aufnahme werden ihr Ton und ihr Transkript gelöscht. Ihr Konto, Ihre "
        "Geräte und Einstellungen bleiben.",
        "Chacun disparaît avec son audio et sa transcription. Votre compte, vos appareils et "
        "vos réglages restent.",
    ),
    "delete.cannot_undo": Text(
        "This cannot be undone: nobody, not even the service, can bring them back.",
        "Das lässt sich nicht rückgängig machen: Niemand, auch nicht der Dienst, kann sie "
        "zurückholen.",
        "C'est irréversible : personne, pas même le service, ne pourra les récupérer.",
    ),
    "delete.all_reauth": Text(
        "To delete everything you will be asked for your password first.",
        "Um alles zu löschen, werden Sie zuerst nach Ihrem Passwort gefragt.",
        "Pour tout supprimer, votre mot de passe vous sera d'abord demandé.",
    ),
    "delete.confirm_button": Text(
        "Yes, delete them",
        "Ja, löschen",
        "Oui, les supprimer",
    ),
    "delete.cancel": Text("No, keep them", "Nein, behalten", "Non, les garder"),
    "delete.back": Text(
        "Back to your voice history", "Zurück zum Sprachverlauf", "Retour à l'historique vocal"
    ),
    "receipt.title": Text("Recordings deleted", "Aufnahmen gelöscht", "Enregistrements supprimés"),
    "receipt.done": Text(
        "Recordings deleted: {count}.",
        "Gelöschte Aufnahmen: {count}.",
        "Enregistrements supprimés : {count}.",
    ),
    "receipt.what": Text("What", "Was", "Quoi"),
    "receipt.kind_recording": Text("One recording", "Eine Aufnahme", "Un enregistrement"),
    "receipt.kind_selection": Text(
        "Recordings you selected ({asked})",
        "Von Ihnen ausgewählte Aufnahmen ({asked})",
        "Enregistrements sélectionnés ({asked})",
    ),
    "receipt.kind_range": Text(
        "All recordings from {start} to {end}",
        "Alle Aufnahmen vom {start} bis zum {end}",
        "Tous les enregistrements du {start} au {end}",
    ),
    "receipt.kind_device": Text(
        "All recordings of the device “{device}”",
        "Alle Aufnahmen des Geräts „{device}“",
        "Tous les enregistrements de l'appareil « {device} »",
    ),
    "receipt.kind_all": Text("All recordings", "Alle Aufnahmen", "Tous les enregistrements"),
    "receipt.deleted": Text("Deleted", "Gelöscht", "Supprimés"),
    "receipt.count": Text(
        "{count} (with a transcript: {transcripts})",
        "{count} (davon mit Transkript: {transcripts})",
        "{count} (dont avec transcription : {transcripts})",
    ),
    "receipt.when": Text("When", "Wann", "Quand"),
    "receipt.by": Text("By", "Durch", "Par"),
    "receipt.by_you": Text("You", "Sie", "Vous"),
    "receipt.by_operator": Text(
        "Your voice-assistant provider", "Ihren Sprachassistenz-Anbieter", "Votre fournisseur"
    ),
    "receipt.number": Text("Receipt number", "Belegnummer", "Numéro du reçu"),
    "receipt.next_title": Text("What happens next", "Wie es weitergeht", "Et ensuite"),
    "receipt.next_gone": Text(
        "The audio and transcripts are gone from the vault now; nothing of them is kept.",
        "Ton und Transkripte sind jetzt aus dem Tresor entfernt; nichts davon wird aufbewahrt.",
        "L'audio et les transcriptions ont maintenant quitté le coffre ; rien n'en est gardé.",
    ),
    "receipt.next_kept": Text(
        "This receipt is kept with your account. New recordings are kept as your retention "
        "choice says.",
        "Dieser Beleg bleibt bei Ihrem Konto. Neue Aufnahmen werden so lange gespeichert, wie "
        "Ihre gewählte Speicherdauer sagt.",
        "Ce reçu est conservé avec votre compte. Les nouveaux enregistrements sont conservés "
        "selon la durée que vous avez choisie.",
    ),
    "receipt.all_link": Text(
        "See all your deletion receipts",
        "Alle Ihre Löschbelege ansehen",
        "Voir tous vos reçus de suppression",
    ),
    "receipt.retention_link": Text(
        "Choose how long recordings are kept",
        "Wählen, wie lange Aufnahmen gespeichert werden",
        "Choisir combien de temps les enregistrements sont conservés",
    ),
    "receipts.title": Text("Deletion receipts", "Löschbelege", "Reçus de suppression"),
    "receipts.intro": Text(
        "Every deletion of your recordings, newest first: what went, how many, when and by whom.",
        "Jede Löschung Ihrer Aufnahmen, die neueste zuerst: was, wie viele, wann und durch wen.",
        "Chaque suppression de vos enregistrements, la plus récente d'abord : quoi, combien, "
        "quand et par qui.",
    ),
    "receipts.none": Text(
        "No recordings of yours have been deleted yet.",
        "Es wurden noch keine Ihrer Aufnahmen gelöscht.",
        "Aucun de vos enregistrements n'a encore été supprimé.",
    ),
    "retention.title": Text(
        "How long your recordings are kept",
        "Wie lange Ihre Aufnahmen gespeichert werden",
        "Combien de temps vos enregistrements sont conservés",
    ),
    "retention.intro": Text(
        "You choose how long your voice assistant's recordings are kept. When that time has "
        "passed, each recording is deleted with its transcript, without you doing anything.",
        "Sie wählen, wie lange die Aufnahmen Ihres Sprachassistenten gespeichert werden. Ist "
        "diese Zeit um, wird jede Aufnahme mit ihrem Transkript gelöscht, ohne dass Sie etwas "
        "tun müssen.",
        "Vous choisissez combien de temps les enregistrements de votre assistant vocal sont "
        "conservés. Passé ce délai, chaque enregistrement est supprimé avec sa transcription, "
        "sans que vous ayez rien à faire.",
    ),
    "retention.now": Text(
        "Your choice now: {choice}. Recordings stored now: {count}.",
        "Ihre Wahl jetzt: {choice}. Jetzt gespeicherte Aufnahmen: {count}.",
        "Votre choix actuel : {choice}. Enregistrements conservés : {count}.",
    ),
    "retention.capped_now": Text(
        "Your provider keeps recordings at most {choice}, so that is what applies.",
        "Ihr Anbieter speichert Aufnahmen höchstens {choice}; das gilt daher.",
        "Votre fournisseur conserve les enregistrements au plus {choice} ; c'est donc ce qui "
        "s'applique.",
    ),
    "retention.legend": Text(
        "Keep my recordings", "Meine Aufnahmen speichern", "Conserver mes enregistrements"
    ),
    "retention.name_none": Text("Don't save them", "Nicht speichern", "Ne pas les conserver"),
    "retention.name_short": Text("For 3 months", "3 Monate lang", "Pendant 3 mois"),
    "retention.name_long": Text("For 18 months", "18 Monate lang", "Pendant 18 mois"),
    "retention.name_forever": Text(
        "Until I delete them", "Bis ich sie lösche", "Jusqu'à ce que je les supprime"
    ),
    "retention.current": Text("(your choice now)", "(Ihre jetzige Wahl)", "(votre choix actuel)"),
    "retention.explain_none": Text(
        "New recordings are not kept at all: each is dropped as soon as it arrives.",
        "Neue Aufnahmen werden gar nicht gespeichert: Jede wird verworfen, sobald sie ankommt.",
        "Les nouveaux enregistrements ne sont pas conservés : chacun est écarté dès son arrivée.",
    ),
    "retention.explain_short": Text(
        "Each recording is deleted 3 months after it was made.",
        "Jede Aufnahme wird 3 Monate nach ihrer Entstehung gelöscht.",
        "Chaque enregistrement est supprimé 3 mois après avoir été fait.",
    ),
    "retention.explain_long": Text(
        "Each recording is deleted 18 months after it was made.",
        "Jede Aufnahme wird 18 Monate nach ihrer Entstehung gelöscht.",
        "Chaque enregistrement est supprimé 18 mois après avoir été fait.",
    ),
    "retention.explain_forever": Text(
        "Recordings stay until you delete them here.",
        "Aufnahmen bleiben, bis Sie sie hier löschen.",
        "Les enregistrements restent jusqu'à ce que vous les supprimiez ici.",
    ),
    "retention.effect_delete": Text(
        "If you choose this, {count} of the recordings stored now are older than that and "
        "are deleted within minutes.",
        "Wenn Sie das wählen, sind {count} der jetzt gespeicherten Aufnahmen älter und werden "
        "innerhalb von Minuten gelöscht.",
        "Si vous choisissez ceci, {count} des enregistrements conservés sont plus anciens et "
        "seront supprimés dans les minutes qui suivent.",
    ),
    "retention.effect_keep": Text(
        "If you choose this, the recordings stored now stay until you delete them.",
        "Wenn Sie das wählen, bleiben die jetzt gespeicherten Aufnahmen, bis Sie sie löschen.",
        "Si vous choisissez ceci, les enregistrements conservés restent jusqu'à ce que vous "
        "les supprimiez.",
    ),
    "retention.effect_none": Text(
        "If you choose this, none of the recordings stored now is deleted at once; each goes "
        "when it reaches this age.",
        "Wenn Sie das wählen, wird keine der jetzt gespeicherten Aufnahmen sofort gelöscht; "
        "jede geht, wenn sie dieses Alter erreicht.",
        "Si vous choisissez ceci, aucun des enregistrements conservés n'est supprimé tout de "
        "suite ; chacun part quand il atteint cet âge.",
    ),
    "retention.capped": Text(
        "Your provider keeps recordings at most {choice}, so longer choices are not offered.",
        "Ihr Anbieter speichert Aufnahmen höchstens {choice}; längere Zeiten werden daher "
        "nicht angeboten.",
        "Votre fournisseur conserve les enregistrements au plus {choice} ; les durées plus "
        "longues ne sont donc pas proposées.",
    ),
    "retention.reauth": Text(
        "To change it you will be asked for your password, if you have not just entered it.",
        "Zum Ändern werden Sie nach Ihrem Passwort gefragt, falls Sie es nicht gerade "
        "eingegeben haben.",
        "Pour la modifier, votre mot de passe vous sera demandé si vous ne venez pas de le saisir.",
    ),
    "retention.submit": Text("Save my choice", "Meine Wahl speichern", "Enregistrer mon choix"),
    "retention.changed": Text(
        "Saved. Your recordings are now kept: {choice}.",
        "Gespeichert. Ihre Aufnahmen werden jetzt gespeichert: {choice}.",
        "Enregistré. Vos enregistrements sont désormais conservés : {choice}.",
    ),
    "reset.title": Text(
        "Reset your password", "Passwort zurücksetzen", "Réinitialiser votre mot de passe"
    ),
    "reset.intro": Text(
        "Enter the e-mail address of your account. We will mail it a code to choose a new "
        "password.",
        "Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir senden ihr einen Code, mit dem "
        "Sie ein neues Passwort wählen.",
        "Saisissez l'adresse e-mail de votre compte. Nous lui enverrons un code pour choisir "
        "un nouveau mot de passe.",
    ),
    "reset.send": Text("Send me a code", "Code senden", "M'envoyer un code"),
    "reset.have_code": Text(
        "I already have a code", "Ich habe schon einen Code", "J'ai déjà un code"
    ),
    "reset.back": Text("Back to sign in", "Zurück zur Anmeldung", "Retour à la connexion"),
    "reset.email_invalid": Text(
        "Enter an e-mail address like name@example.org",
        "Geben Sie eine E-Mail-Adresse wie name@example.org ein",
        "Saisissez une adresse e-mail comme nom@example.org",
    ),
    "reset.sent": Text(
        "If an account has this e-mail address, we have sent it a code. It works once, for "
        "{minutes} minutes. Check your spam folder too.",
        "Wenn ein Konto diese E-Mail-Adresse hat, haben wir ihr einen Code gesendet. Er gilt "
        "einmal, {minutes} Minuten lang. Sehen Sie auch im Spam-Ordner nach.",
        "Si un compte a cette adresse e-mail, nous lui avons envoyé un code. Il ne sert "
        "qu'une fois, pendant {minutes} minutes. Regardez aussi dans vos indésirables.",
    ),
    "reset.code_title": Text(
        "Choose a new password", "Neues Passwort wählen", "Choisir un nouveau mot de passe"
    ),
    "reset.code_intro": Text(
        "Enter the code from the mail and your new password. Every place where you are signed "
        "in will be signed out.",
        "Geben Sie den Code aus der E-Mail und Ihr neues Passwort ein. Sie werden überall "
        "abgemeldet, wo Sie angemeldet sind.",
        "Saisissez le code reçu par e-mail et votre nouveau mot de passe. Vous serez "
        "déconnecté partout où vous êtes connecté.",
    ),
    "reset.code": Text("Code from the mail", "Code aus der E-Mail", "Code reçu par e-mail"),
    "reset.code_missing": Text(
        "Enter the code from the mail",
        "Geben Sie den Code aus der E-Mail ein",
        "Saisissez le code reçu par e-mail",
    ),
    "reset.submit": Text("Change my password", "Mein Passwort ändern", "Changer mon mot de passe"),
    "reset.again": Text(
        "Send me a new code", "Einen neuen Code senden", "M'envoyer un nouveau code"
    ),
    "reset.wrong": Text(
        "The code is wrong, was used already or has expired. Check the latest mail, or ask "
        "for a new code.",
        "Der Code ist falsch, wurde schon benutzt oder ist abgelaufen. Prüfen Sie die neueste "
        "E-Mail oder fordern Sie einen neuen Code an.",
        "Le code est faux, a déjà servi ou a expiré. Vérifiez le dernier e-mail ou demandez "
        "un nouveau code.",
    ),
    "reset.throttled": Text(
        "Too many wrong codes were tried. Wait {minutes} minutes, then try again.",
        "Zu viele falsche Codes wurden versucht. Warten Sie {minutes} Minuten und versuchen "
        "Sie es dann noch einmal.",
        "Trop de codes erronés ont été essayés. Attendez {minutes} minutes, puis réessayez.",
    ),
    "reset.password_invalid": Text(
        "Choose a password of 12 to 256 characters",
        "Wählen Sie ein Passwort mit 12 bis 256 Zeichen",
        "Choisissez un mot de passe de 12 à 256 caractères",
    ),
    "reset.done": Text(
        "Your password is changed and you are signed out everywhere. Sign in with the new one.",
        "Ihr Passwort ist geändert, und Sie sind überall abgemeldet. Melden Sie sich mit dem "
        "neuen an.",
        "Votre mot de passe est changé et vous êtes déconnecté partout. Connectez-vous avec "
        "le nouveau.",
    ),
    "lang.label": Text("Language", "Sprache", "Langue"),
    "lang.change": Text("Change language", "Sprache ändern", "Changer de langue"),
    "footer.api": Text("API documentation", "API-Dokumentation", "Documentation de l'API"),
    "footer.outbox": Text("Demo mail outbox", "Postausgang der Demo", "Boîte d'envoi de la démo"),
    "outbox.title": Text(
        "The demo's mail outbox", "Postausgang der Demo", "Boîte d'envoi de la démo"
    ),
    "outbox.intro": Text(
        "This demo sends no real mail: every message it would send lands here, newest first. "
        "Open one to read its codes and links.",
        "Diese Demo verschickt keine echten E-Mails: Jede Nachricht landet hier, die neueste "
        "zuerst. Öffnen Sie eine, um ihre Codes und Links zu lesen.",
        "Cette démo n'envoie pas de vrais e-mails : chaque message arrive ici, le plus récent "
        "en premier. Ouvrez-en un pour lire ses codes et ses liens.",
    ),
    "outbox.none": Text(
        'No mail has been sent yet. To see one arrive, choose "Forgotten your password?" on '
        "the sign-in page and give the demo person's e-mail address: the code lands here.",
        "Es wurde noch keine E-Mail verschickt. Um eine ankommen zu sehen, wählen Sie auf der "
        'Anmeldeseite "Passwort vergessen?" und geben die E-Mail-Adresse der Demo-Person '
        "an: der Code landet hier.",
        "Aucun e-mail n'a encore été envoyé. Pour en voir un arriver, choisissez « Mot de "
        "passe oublié ? » sur la page de connexion et donnez l'adresse e-mail de la personne "
        "de démonstration : le code arrive ici.",
    ),
    "outbox.when": Text("Sent", "Gesendet", "Envoyé"),
    "outbox.subject": Text("Subject", "Betreff", "Objet"),
    "outbox.to": Text("To", "An", "À"),
    "outbox.mail_title": Text(
        "A mail in the demo's outbox",
        "E-Mail im Postausgang der Demo",
        "E-mail de la boîte d'envoi de la démo",
    ),
    "outbox.back": Text(
        "All mails in the outbox",
        "Alle E-Mails im Postausgang",
        "Tous les e-mails de la boîte d'envoi",
    ),
    # The console's oversight pages: incidents, audit log, dashboard, staff.
    "incidents.title": Text("Incidents", "Vorfälle", "Incidents"),
    "incidents.intro": Text(
        "Each incident starts a 72-hour clock: the supervisory authority is to be told within 72 "
        "hours of becoming aware of a breach (Art. 33 GDPR). Newest first.",
        "Jeder Vorfall startet eine 72-Stunden-Frist: Die Aufsichtsbehörde ist binnen 72 Stunden, "
        "nachdem die Verletzung bekannt wurde, zu benachrichtigen (Art. 33 DSGVO). Neueste zuerst.",
        "Chaque incident lance un délai de 72 heures : l'autorité de contrôle doit être notifiée "
        "dans les 72 heures après la prise de connaissance de la violation (art. 33 RGPD). Les "
        "plus récents d'abord.",
    ),
    "incidents.caption": Text(
        "Incidents and their clocks", "Vorfälle und ihre Fristen", "Incidents et leurs délais"
    ),
    "incidents.id": Text("Incident", "Vorfall", "Incident"),
    "incidents.kind": Text("What happened", "Was geschah", "Ce qui s'est passé"),
    "incidents.kind_not_my_data": Text(
        "“This is not my data”", "„Das sind nicht meine Daten“", "« Ce ne sont pas mes données »"
    ),
    "incidents.kind_release_gate_failed": Text(
        "Release check failed", "Freigabeprüfung fehlgeschlagen", "Contrôle de diffusion échoué"
    ),
    "incidents.kind_build_failed": Text(
        "Answer failed while built",
        "Antwort beim Erstellen fehlgeschlagen",
        "Réponse échouée à la construction",
    ),
    "incidents.kind_key_failed": Text(
        "Answer key did not open",
        "Antwortschlüssel ließ sich nicht öffnen",
        "Clé de la réponse illisible",
    ),
    "incidents.kind_delivery_failed": Text(
        "Answer failed while delivered",
        "Antwort bei der Auslieferung fehlgeschlagen",
        "Réponse échouée à la livraison",
    ),
    "incidents.kind_audit_verify_failed": Text(
        "Audit log failed its check",
        "Prüfprotokoll hat seine Prüfung nicht bestanden",
        "Journal d'audit non vérifié",
    ),
    "incidents.kind_foreign_download": Text(
        "Asked for another person's answer",
        "Antwort einer anderen Person angefordert",
        "Réponse d'une autre personne demandée",
    ),
    "incidents.kind_four_eyes_refused": Text(
        "Refused by four eyes",
        "Vom Vier-Augen-Prinzip abgelehnt",
        "Refusé par le principe des quatre yeux",
    ),
    "incidents.explain_build_failed": Text(
        "While an answer was built, a recording did not decrypt as the requester's or did not "
        "match its sealed hash. Nothing was released; the request is blocked.",
        "Beim Erstellen einer Antwort ließ sich eine Aufnahme nicht als die der anfragenden "
        "Person entschlüsseln oder passte nicht zu ihrem versiegelten Hash. Nichts wurde "
        "freigegeben; der Antrag ist gesperrt.",
        "Pendant la construction d'une réponse, un enregistrement ne s'est pas déchiffré comme "
        "celui du demandeur ou ne correspondait pas à son empreinte scellée. Rien n'a été "
        "diffusé ; la demande est bloquée.",
    ),
    "incidents.explain_key_failed": Text(
        "An answer's sealed key did not open under the requester's key before release. Nothing "
        "was released; the request is blocked.",
        "Der versiegelte Schlüssel einer Antwort ließ sich vor der Freigabe nicht mit dem "
        "Schlüssel der anfragenden Person öffnen. Nichts wurde freigegeben; der Antrag ist "
        "gesperrt.",
        "La clé scellée d'une réponse ne s'est pas ouverte avec la clé du demandeur avant la "
        "diffusion. Rien n'a été diffusé ; la demande est bloquée.",
    ),
    "incidents.explain_delivery_failed": Text(
        "An answer failed a check while it was downloaded. It was withdrawn at once and its "
        "request blocked.",
        "Eine Antwort hat beim Herunterladen eine Prüfung nicht bestanden. Sie wurde sofort "
        "zurückgezogen und der Antrag gesperrt.",
        "Une réponse a échoué à un contrôle pendant son téléchargement. Elle a été retirée "
        "aussitôt et la demande bloquée.",
    ),
    "incidents.explain_audit_verify_failed": Text(
        "The audit log no longer matches what was appended and signed. Treat the database as "
        "compromised.",
        "Das Prüfprotokoll entspricht nicht mehr dem, was angehängt und signiert wurde. Die "
        "Datenbank ist als kompromittiert zu behandeln.",
        "Le journal d'audit ne correspond plus à ce qui a été ajouté et signé. Considérez la "
        "base de données comme compromise.",
    ),
    "incidents.explain_foreign_download": Text(
        "A signed-in person asked to download an answer of another account. They were told "
        "it does not exist.",
        "Eine angemeldete Person wollte die Antwort eines anderen Kontos herunterladen. Ihr "
        "wurde gesagt, dass es sie nicht gibt.",
        "Une personne connectée a demandé à télécharger la réponse d'un autre compte. Il lui a "
        "été répondu qu'elle n'existe pas.",
    ),
    "incidents.explain_four_eyes_refused": Text(
        "A staff member tried to approve a request they entered or verified themselves, and was "
        "refused.",
        "Ein Mitarbeiter wollte einen Antrag freigeben, den er selbst erfasst oder geprüft hatte, "
        "und wurde abgewiesen.",
        "Un membre du personnel a tenté d'approuver une demande qu'il avait lui-même saisie ou "
        "vérifiée, et a été refusé.",
    ),
    "incidents.aware_at": Text("Aware since", "Bekannt seit", "Connu depuis"),
    "incidents.notify_by": Text(
        "Notify the authority by", "Behörde benachrichtigen bis", "Notifier l'autorité avant le"
    ),
    "incidents.time_left": Text("Time left", "Verbleibende Zeit", "Temps restant"),
    "incidents.hours_left": Text(
        "{hours} hours left", "noch {hours} Stunden", "{hours} heures restantes"
    ),
    "incidents.hours_over": Text(
        "{hours} hours past the deadline",
        "{hours} Stunden über der Frist",
        "{hours} heures après l'échéance",
    ),
    "incidents.overdue": Text("Overdue", "Überfällig", "En retard"),
    "incidents.none": Text(
        "No incident has been opened.",
        "Es wurde kein Vorfall eröffnet.",
        "Aucun incident n'a été ouvert.",
    ),
    "incidents.back": Text("All incidents", "Alle Vorfälle", "Tous les incidents"),
    "incidents.page_title": Text("Incident", "Vorfall", "Incident"),
    "incidents.explain_not_my_data": Text(
        "A person said that an answer they received holds someone else's data. The answer was "
        "withdrawn at once and its request blocked.",
        "Eine Person hat gemeldet, dass eine erhaltene Antwort Daten einer anderen Person "
        "enthält. Die Antwort wurde sofort zurückgezogen und der Antrag gesperrt.",
        "Une personne a signalé qu'une réponse reçue contient les données de quelqu'un d'autre. "
        "La réponse a été retirée aussitôt et la demande bloquée.",
    ),
    "incidents.explain_release_gate_failed": Text(
        "An answer failed its independent check before release. Nothing was released; the request "
        "is blocked.",
        "Eine Antwort hat vor der Freigabe ihre unabhängige Prüfung nicht bestanden. Nichts wurde "
        "freigegeben; der Antrag ist gesperrt.",
        "Une réponse a échoué à son contrôle indépendant avant diffusion. Rien n'a été diffusé ; "
        "la demande est bloquée.",
    ),
    "incidents.clock": Text("The 72-hour clock", "Die 72-Stunden-Frist", "Le délai de 72 heures"),
    "incidents.evidence": Text("Evidence", "Belege", "Éléments"),
    "incidents.cause": Text("Failed check", "Fehlgeschlagene Prüfung", "Contrôle échoué"),
    "incidents.request": Text("Request", "Antrag", "Demande"),
    "incidents.export": Text("Answer (export)", "Antwort (Export)", "Réponse (export)"),
    "incidents.account": Text(
        "Affected account (pseudonym)",
        "Betroffenes Konto (Pseudonym)",
        "Compte concerné (pseudonyme)",
    ),
    "incidents.recordings": Text(
        "Recordings in the answer", "Aufnahmen in der Antwort", "Enregistrements dans la réponse"
    ),
    "incidents.downloads": Text(
        "Downloads recorded", "Erfasste Downloads", "Téléchargements enregistrés"
    ),
    "incidents.bytes_served": Text("Bytes sent", "Gesendete Bytes", "Octets envoyés"),
    "incidents.events": Text(
        "Audit events about it", "Protokollereignisse dazu", "Événements du journal le concernant"
    ),
    # The breach register (Art. 33(5)): states, clock, assessment, affected people.
    "incidents.state": Text(
        "State",
        "Stand",
        "État",
    ),
    "incidents.state_open": Text(
        "Open: not yet assessed",
        "Offen: noch nicht bewertet",
        "Ouvert : pas encore évalué",
    ),
    "incidents.state_assessed": Text(
        "Assessed",
        "Bewertet",
        "Évalué",
    ),
    "incidents.state_authority_notified": Text(
        "Authority notified",
        "Behörde benachrichtigt",
        "Autorité notifiée",
    ),
    "incidents.state_people_notified": Text(
        "People told",
        "Betroffene benachrichtigt",
        "Personnes informées",
    ),
    "incidents.state_closed": Text(
        "Closed",
        "Abgeschlossen",
        "Clôturé",
    ),
    "incidents.risk": Text(
        "Risk to people",
        "Risiko für die Betroffenen",
        "Risque pour les personnes",
    ),
    "incidents.risk_unlikely": Text(
        "Unlikely to result in a risk",
        "Voraussichtlich kein Risiko",
        "Risque peu probable",
    ),
    "incidents.risk_risk": Text(
        "A risk: tell the authority",
        "Ein Risiko: Behörde benachrichtigen",
        "Un risque : notifier l'autorité",
    ),
    "incidents.risk_high": Text(
        "A high risk: tell the authority and the people",
        "Hohes Risiko: Behörde und Betroffene benachrichtigen",
        "Un risque élevé : notifier l'autorité et les personnes",
    ),
    "incidents.kind_reported": Text(
        "Reported by staff",
        "Von Mitarbeitenden gemeldet",
        "Signalé par le personnel",
    ),
    "incidents.opened_at": Text(
        "Opened",
        "Eröffnet",
        "Ouvert le",
    ),
    "incidents.occurrences": Text(
        "happened {count} times",
        "{count}-mal aufgetreten",
        "survenu {count} fois",
    ),
    "incidents.clock_not_needed": Text(
        "Closed without notification: none was needed",
        "Ohne Meldung abgeschlossen: keine war nötig",
        "Clôturé sans notification : aucune n'était nécessaire",
    ),
    "incidents.notified_in_time": Text(
        "Authority notified in time",
        "Behörde rechtzeitig benachrichtigt",
        "Autorité notifiée dans les délais",
    ),
    "incidents.notified_late": Text(
        "Authority notified {hours} hours late",
        "Behörde {hours} Stunden zu spät benachrichtigt",
        "Autorité notifiée avec {hours} heures de retard",
    ),
    "incidents.aware_title": Text(
        "When did we become aware?",
        "Wann wurde die Verletzung bekannt?",
        "Quand en avons-nous pris connaissance ?",
    ),
    "incidents.aware_hint": Text(
        "Aware means reasonably certain that personal data were compromised. The 72 hours run "
        "from then. It starts as the time the incident was opened.",
        "Bekannt heißt: hinreichend sicher, dass personenbezogene Daten betroffen sind. Die 72 "
        "Stunden laufen ab dann. Anfangs ist es der Zeitpunkt der Eröffnung.",
        "Avoir connaissance signifie être raisonnablement certain que des données personnelles "
        "ont été compromises. Les 72 heures courent à partir de là. Au départ, c'est l'heure "
        "d'ouverture de l'incident.",
    ),
    "incidents.field_aware_at": Text(
        "Aware since (UTC)",
        "Bekannt seit (UTC)",
        "Connu depuis (UTC)",
    ),
    "incidents.field_aware_at_hint": Text(
        "Date and time in UTC, not in the future.",
        "Datum und Uhrzeit in UTC, nicht in der Zukunft.",
        "Date et heure en UTC, pas dans le futur.",
    ),
    "incidents.aware_bad_time": Text(
        "Enter the date and time, for example 2026-03-02T08:00.",
        "Geben Sie Datum und Uhrzeit ein, zum Beispiel 2026-03-02T08:00.",
        "Saisissez la date et l'heure, par exemple 2026-03-02T08:00.",
    ),
    "incidents.aware_submit": Text(
        "Set the awareness time",
        "Zeitpunkt festlegen",
        "Enregistrer l'heure",
    ),
    "incidents.field_reason": Text(
        "Reason",
        "Begründung",
        "Motif",
    ),
    "incidents.assessment": Text(
        "Risk assessment",
        "Risikobewertung",
        "Évaluation du risque",
    ),
    "incidents.not_assessed": Text(
        "Not assessed yet.",
        "Noch nicht bewertet.",
        "Pas encore évalué.",
    ),
    "incidents.assess_title": Text(
        "Assess the risk",
        "Risiko bewerten",
        "Évaluer le risque",
    ),
    "incidents.assess_no_risk": Text(
        "Choose how likely a risk to people is.",
        "Wählen Sie, wie wahrscheinlich ein Risiko für die Betroffenen ist.",
        "Choisissez la probabilité d'un risque pour les personnes.",
    ),
    "incidents.assess_submit": Text(
        "Save the assessment",
        "Bewertung speichern",
        "Enregistrer l'évaluation",
    ),
    "incidents.field_nature": Text(
        "What happened (nature of the breach)",
        "Was geschah (Art der Verletzung)",
        "Ce qui s'est passé (nature de la violation)",
    ),
    "incidents.field_consequences": Text(
        "Likely consequences for people",
        "Wahrscheinliche Folgen für die Betroffenen",
        "Conséquences probables pour les personnes",
    ),
    "incidents.field_measures_taken": Text(
        "Measures taken",
        "Ergriffene Maßnahmen",
        "Mesures prises",
    ),
    "incidents.field_measures_proposed": Text(
        "Measures proposed",
        "Vorgeschlagene Maßnahmen",
        "Mesures proposées",
    ),
    "incidents.affected": Text(
        "Affected people",
        "Betroffene Personen",
        "Personnes concernées",
    ),
    "incidents.affected_hint": Text(
        "Worked out from the answer's list of contents and its downloads; add anyone else with "
        "a reason.",
        "Ermittelt aus der Inhaltsliste der Antwort und ihren Downloads; weitere Personen mit "
        "Begründung hinzufügen.",
        "Déduites de la liste du contenu de la réponse et de ses téléchargements ; ajoutez "
        "toute autre personne avec un motif.",
    ),
    # Telling the people affected (console/incident_people.html, incidents.notify)
    "notify.title": Text(
        "Tell the people affected",
        "Betroffene Personen benachrichtigen",
        "Informer les personnes concernées",
    ),
    "notify.hint": Text(
        "When the risk is high, each affected person is told in their language, by mail and "
        "in their portal (GDPR Art. 34): their own figures, the measures taken and the contact "
        "point come from this page. Nobody is told twice.",
        "Bei hohem Risiko wird jede betroffene Person in ihrer Sprache per E-Mail und in ihrem "
        "Portal benachrichtigt (Art. 34 DSGVO): ihre eigenen Angaben, die ergriffenen "
        "Maßnahmen und die Anlaufstelle stammen von dieser Seite. Niemand wird zweimal "
        "benachrichtigt.",
        "Lorsque le risque est élevé, chaque personne concernée est informée dans sa langue, "
        "par courriel et dans son portail (article 34 du RGPD) : ses propres chiffres, les "
        "mesures prises et le point de contact viennent de cette page. Personne n'est informé "
        "deux fois.",
    ),
    "notify.nobody_yet": Text(
        "Nobody has been told yet.",
        "Bisher wurde niemand benachrichtigt.",
        "Personne n'a encore été informé.",
    ),
    "notify.language": Text("Language", "Sprache", "Langue"),
    "notify.queued": Text("Written", "Verfasst", "Rédigé"),
    "notify.mailed": Text("Mailed", "Versandt", "Envoyé"),
    "notify.read": Text("Read", "Gelesen", "Lu"),
    "notify.not_yet": Text("not yet", "noch nicht", "pas encore"),
    "notify.not_ready": Text(
        "Notices can be sent once the incident is assessed as a high risk, with its likely "
        "consequences and its measures.",
        "Benachrichtigungen können gesendet werden, sobald der Vorfall als hohes Risiko "
        "bewertet ist, mit seinen wahrscheinlichen Folgen und seinen Maßnahmen.",
        "Les avis peuvent être envoyés une fois l'incident évalué comme un risque élevé, avec "
        "ses conséquences probables et ses mesures.",
    ),
    "notify.no_contact": Text(
        "No contact point is configured: set VOXKEEP_DPO_NAME and VOXKEEP_DPO_CONTACT.",
        "Keine Anlaufstelle ist eingerichtet: Setzen Sie VOXKEEP_DPO_NAME und VOXKEEP_DPO_CONTACT.",
        "Aucun point de contact n'est configuré : définissez VOXKEEP_DPO_NAME et "
        "VOXKEEP_DPO_CONTACT.",
    ),
    "notify.what": Text(
        "What happened, in the words the people will read",
        "Was geschehen ist, in den Worten, die die Personen lesen werden",
        "Ce qui s'est passé, dans les mots que les personnes liront",
    ),
    "notify.who": Text(
        "Whom to tell now",
        "Wen Sie jetzt benachrichtigen",
        "Qui informer maintenant",
    ),
    "notify.who_hint": Text(
        "Each person ticked reads the text chosen above: send once per kind of harm (for "
        "example, the people whose recordings were sent, then the person who received them).",
        "Jede angekreuzte Person liest den oben gewählten Text: Senden Sie einmal je Art des "
        "Schadens (etwa an die Personen, deren Aufnahmen versandt wurden, dann an die Person, "
        "die sie erhielt).",
        "Chaque personne cochée lit le texte choisi ci-dessus : envoyez une fois par type de "
        "préjudice (par exemple aux personnes dont les enregistrements ont été envoyés, puis à "
        "la personne qui les a reçus).",
    ),
    "notify.who_recordings": Text(
        "{n} recordings",
        "{n} Aufnahmen",
        "{n} enregistrements",
    ),
    "notify.who_told": Text("already told", "bereits benachrichtigt", "déjà informé·e"),
    "notify.who_missing": Text(
        "Tick at least one person to tell.",
        "Kreuzen Sie mindestens eine Person an, die benachrichtigt werden soll.",
        "Cochez au moins une personne à informer.",
    ),
    "notify.note": Text(
        "A note of your own (optional)",
        "Eine eigene Anmerkung (freiwillig)",
        "Une remarque personnelle (facultative)",
    ),
    "notify.note_hint": Text(
        "Every person told now reads it. Do not name anyone.",
        "Jede jetzt benachrichtigte Person liest sie. Nennen Sie niemanden.",
        "Chaque personne informée maintenant la lira. Ne nommez personne.",
    ),
    "notify.confirm": Text(
        "I have checked the affected people and want each of them told now.",
        "Ich habe die betroffenen Personen geprüft und möchte jede jetzt benachrichtigen.",
        "J'ai vérifié les personnes concernées et je veux que chacune soit informée maintenant.",
    ),
    "notify.confirm_missing": Text(
        "Confirm that each affected person is to be told now.",
        "Bestätigen Sie, dass jede betroffene Person jetzt benachrichtigt werden soll.",
        "Confirmez que chaque personne concernée doit être informée maintenant.",
    ),
    "notify.what_missing": Text(
        "Choose what happened.",
        "Wählen Sie, was geschehen ist.",
        "Choisissez ce qui s'est passé.",
    ),
    "notify.submit": Text(
        "Send the notices",
        "Benachrichtigungen senden",
        "Envoyer les avis",
    ),
    "notify.done": Text(
        "The notices are written; each is mailed and shown in the person's portal.",
        "Die Benachrichtigungen sind verfasst; jede wird per E-Mail versandt und im Portal "
        "der Person angezeigt.",
        "Les avis sont rédigés ; chacun est envoyé par courriel et affiché dans le portail de "
        "la personne.",
    ),
    "notify.who_added": Text(
        "added by the DPO: {reason}",
        "von der/dem DSB hinzugefügt: {reason}",
        "ajouté·e par le DPD : {reason}",
    ),
    "notify.who_none": Text(
        "no recordings of theirs known to be involved",
        "keine Aufnahmen dieser Person bekannt",
        "aucun enregistrement de cette personne connu",
    ),
    "notify.who_not_told": Text(
        "not told (Art. 34(3)): {basis}",
        "nicht benachrichtigt (Art. 34 Abs. 3): {basis}",
        "non informé·e (art. 34, par. 3) : {basis}",
    ),
    "notify.who_erased": Text(
        "erased: nobody left to tell",
        "gelöscht: niemand mehr zu benachrichtigen",
        "effacé·e : plus personne à informer",
    ),
    "notify.pending": Text(
        "Still to be told before the incident counts as “people notified”: {names}.",
        "Noch zu benachrichtigen, bevor der Vorfall als „Personen benachrichtigt“ gilt: {names}.",
        "Encore à informer avant que l'incident compte comme « personnes informées » : {names}.",
    ),
    "notify.all_told": Text(
        "Everyone who must be told has been told, or why not is recorded.",
        "Alle, die benachrichtigt werden müssen, sind benachrichtigt, oder der Grund dafür "
        "ist festgehalten.",
        "Toutes les personnes à informer l'ont été, ou la raison est consignée.",
    ),
    "notify.not_told_title": Text(
        "Record why some people are not told",
        "Festhalten, warum Personen nicht benachrichtigt werden",
        "Consigner pourquoi certaines personnes ne sont pas informées",
    ),
    "notify.not_told_hint": Text(
        "Telling a person is not required when one of the cases of GDPR Art. 34(3) applies. "
        "The reason is kept with the incident.",
        "Eine Benachrichtigung ist nicht erforderlich, wenn einer der Fälle von Art. 34 "
        "Abs. 3 DSGVO vorliegt. Der Grund wird beim Vorfall aufbewahrt.",
        "Informer une personne n'est pas requis lorsqu'un des cas de l'article 34, "
        "paragraphe 3, du RGPD s'applique. La raison est conservée avec l'incident.",
    ),
    "notify.not_told_who": Text(
        "Who is not told",
        "Wer nicht benachrichtigt wird",
        "Qui n'est pas informé",
    ),
    "notify.not_told_basis": Text(
        "Why (GDPR Art. 34(3))",
        "Warum (Art. 34 Abs. 3 DSGVO)",
        "Pourquoi (article 34, paragraphe 3, du RGPD)",
    ),
    "notify.basis_unintelligible": Text(
        "(a) the data were unintelligible to anyone not authorised (for example encrypted)",
        "(a) die Daten waren für Unbefugte unzugänglich (etwa verschlüsselt)",
        "(a) les données étaient incompréhensibles pour toute personne non autorisée (par "
        "exemple chiffrées)",
    ),
    "notify.basis_risk_gone": Text(
        "(b) later measures ensure the high risk is no longer likely",
        "(b) nachfolgende Maßnahmen stellen sicher, dass das hohe Risiko aller "
        "Wahrscheinlichkeit nach nicht mehr besteht",
        "(b) des mesures ultérieures garantissent que le risque élevé n'est plus "
        "susceptible de se matérialiser",
    ),
    "notify.basis_public": Text(
        "(c) it would take disproportionate effort: a public communication informs them",
        "(c) es wäre mit unverhältnismäßigem Aufwand verbunden: eine öffentliche "
        "Bekanntmachung informiert sie",
        "(c) cela exigerait des efforts disproportionnés : une communication publique les informe",
    ),
    "notify.not_told_reason": Text(
        "The reason, in your words",
        "Der Grund, in Ihren Worten",
        "La raison, dans vos mots",
    ),
    "notify.not_told_submit": Text(
        "Record that they are not told",
        "Festhalten, dass sie nicht benachrichtigt werden",
        "Consigner qu'elles ne sont pas informées",
    ),
    "notify.not_told_done": Text(
        "Recorded: the people ticked are not told, with the reason.",
        "Festgehalten: Die angekreuzten Personen werden nicht benachrichtigt, mit dem Grund.",
        "Consigné : les personnes cochées ne sont pas informées, avec la raison.",
    ),
    "notify.not_told_who_missing": Text(
        "Tick at least one person who is not told.",
        "Kreuzen Sie mindestens eine Person an, die nicht benachrichtigt wird.",
        "Cochez au moins une personne qui n'est pas informée.",
    ),
    "notify.not_told_basis_missing": Text(
        "Choose the case of Art. 34(3) that applies.",
        "Wählen Sie den zutreffenden Fall von Art. 34 Abs. 3.",
        "Choisissez le cas de l'article 34, paragraphe 3, qui s'applique.",
    ),
    "incidents.step_notices_sent": Text(
        "Some of the people were told",
        "Ein Teil der Personen wurde benachrichtigt",
        "Une partie des personnes a été informée",
    ),
    "incidents.step_not_told": Text(
        "Recorded why some people are not told (Art. 34(3))",
        "Festgehalten, warum Personen nicht benachrichtigt werden (Art. 34 Abs. 3)",
        "Consigné pourquoi des personnes ne sont pas informées (art. 34, par. 3)",
    ),
    "incidents.affected_none": Text(
        "No affected person is listed.",
        "Keine betroffene Person erfasst.",
        "Aucune personne concernée n'est listée.",
    ),
    "incidents.audio_title": Text(
        "Whose audio the failed recordings held",
        "Wessen Audio die fehlgeschlagenen Aufnahmen enthielten",
        "À qui appartient l'audio des enregistrements en échec",
    ),
    "incidents.audio_hint": Text(
        "Found from the vault's own records, without opening anyone's audio with another "
        "person's key.",
        "Aus den eigenen Daten des Tresors ermittelt, ohne Audio mit dem Schlüssel einer "
        "anderen Person zu öffnen.",
        "Trouvé dans les propres données du coffre, sans ouvrir l'audio de quiconque avec la "
        "clé d'une autre personne.",
    ),
    "incidents.audio_recording": Text("Recording", "Aufnahme", "Enregistrement"),
    "incidents.audio_owner": Text(
        "Whose audio it holds", "Wessen Audio sie enthält", "À qui est l'audio"
    ),
    "incidents.audio_found_by": Text("Found by", "Ermittelt durch", "Trouvé par"),
    "incidents.audio_unknown": Text(
        "could not be determined",
        "nicht feststellbar",
        "n'a pas pu être déterminé",
    ),
    "incidents.audio_by_hash": Text(
        "its sealed SHA-256 is another recording's",
        "ihr versiegelter SHA-256 ist der einer anderen Aufnahme",
        "son SHA-256 scellé est celui d'un autre enregistrement",
    ),
    "incidents.audio_by_bytes": Text(
        "its stored bytes are another recording's",
        "ihre gespeicherten Bytes sind die einer anderen Aufnahme",
        "ses octets stockés sont ceux d'un autre enregistrement",
    ),
    "incidents.person": Text(
        "Person (pseudonym)",
        "Person (Pseudonym)",
        "Personne (pseudonyme)",
    ),
    "incidents.source": Text(
        "Found from",
        "Ermittelt aus",
        "Trouvée par",
    ),
    "incidents.source_manifest": Text(
        "the answer (not downloaded)",
        "der Antwort (nicht heruntergeladen)",
        "la réponse (non téléchargée)",
    ),
    "incidents.source_downloads": Text(
        "a downloaded answer",
        "einer heruntergeladenen Antwort",
        "une réponse téléchargée",
    ),
    "incidents.source_added": Text(
        "added by the DPO",
        "vom DSB hinzugefügt",
        "ajoutée par le DPD",
    ),
    "incidents.records": Text(
        "Recordings",
        "Aufnahmen",
        "Enregistrements",
    ),
    "incidents.period": Text(
        "Period",
        "Zeitraum",
        "Période",
    ),
    "incidents.devices": Text(
        "Devices (pseudonyms)",
        "Geräte (Pseudonyme)",
        "Appareils (pseudonymes)",
    ),
    "incidents.erased": Text(
        "account erased",
        "Konto gelöscht",
        "compte effacé",
    ),
    "incidents.derive_title": Text(
        "Work out the affected people again",
        "Betroffene erneut ermitteln",
        "Déterminer à nouveau les personnes concernées",
    ),
    "incidents.derive_submit": Text(
        "Work them out from the answer",
        "Aus der Antwort ermitteln",
        "Les déduire de la réponse",
    ),
    "incidents.affected_add_title": Text(
        "Add an affected person",
        "Betroffene Person hinzufügen",
        "Ajouter une personne concernée",
    ),
    "incidents.field_account": Text(
        "Account id",
        "Konto-ID",
        "Identifiant du compte",
    ),
    "incidents.field_account_hint": Text(
        "The operator's id of the person's account. Only its pseudonym is kept.",
        "Die ID des Kontos beim Betreiber. Gespeichert wird nur ihr Pseudonym.",
        "L'identifiant du compte chez l'opérateur. Seul son pseudonyme est conservé.",
    ),
    "incidents.affected_no_account": Text(
        "Enter the account id.",
        "Geben Sie die Konto-ID ein.",
        "Saisissez l'identifiant du compte.",
    ),
    "incidents.affected_add_submit": Text(
        "Add this person",
        "Person hinzufügen",
        "Ajouter cette personne",
    ),
    "incidents.download_log": Text(
        "Who downloaded the answer",
        "Wer die Antwort heruntergeladen hat",
        "Qui a téléchargé la réponse",
    ),
    "incidents.download_log_hint": Text(
        "Addresses and browsers are shown here only, never written to a log.",
        "Adressen und Browser werden nur hier gezeigt, nie protokolliert.",
        "Les adresses et navigateurs ne sont affichés qu'ici, jamais journalisés.",
    ),
    "incidents.when": Text(
        "When",
        "Wann",
        "Quand",
    ),
    "incidents.address": Text(
        "Address",
        "Adresse",
        "Adresse",
    ),
    "incidents.browser": Text(
        "Browser",
        "Browser",
        "Navigateur",
    ),
    "incidents.bytes": Text(
        "Bytes",
        "Bytes",
        "Octets",
    ),
    "incidents.timeline": Text(
        "What was done, by whom",
        "Was wer getan hat",
        "Ce qui a été fait, et par qui",
    ),
    "incidents.who": Text(
        "Who",
        "Wer",
        "Qui",
    ),
    "incidents.what": Text(
        "What",
        "Was",
        "Quoi",
    ),
    "incidents.note": Text(
        "Note",
        "Notiz",
        "Note",
    ),
    "incidents.step_opened": Text(
        "Opened",
        "Eröffnet",
        "Ouvert",
    ),
    "incidents.step_assessed": Text(
        "Risk assessed",
        "Risiko bewertet",
        "Risque évalué",
    ),
    "incidents.step_authority_notified": Text(
        "Authority notified",
        "Behörde benachrichtigt",
        "Autorité notifiée",
    ),
    "incidents.step_people_notified": Text(
        "People told",
        "Betroffene benachrichtigt",
        "Personnes informées",
    ),
    "incidents.step_closed": Text(
        "Closed",
        "Abgeschlossen",
        "Clôturé",
    ),
    "incidents.step_aware": Text(
        "Awareness time set",
        "Zeitpunkt der Kenntnis festgelegt",
        "Heure de prise de connaissance fixée",
    ),
    "incidents.step_affected_derived": Text(
        "Affected people worked out",
        "Betroffene ermittelt",
        "Personnes concernées déterminées",
    ),
    "incidents.step_affected_added": Text(
        "Affected person added",
        "Betroffene Person hinzugefügt",
        "Personne concernée ajoutée",
    ),
    "incidents.step_contained": Text(
        "Contained",
        "Eingedämmt",
        "Contenu",
    ),
    "incidents.step_follow_up": Text(
        "Follow-up to the authority",
        "Nachmeldung an die Behörde",
        "Complément à l'autorité",
    ),
    # What voxkeep says of a step it writes itself (incident_events.params), worded as shown.
    "incidents.said_assessed": Text(
        "Assessment: {risk}",
        "Bewertung: {risk}",
        "Évaluation : {risk}",
    ),
    "incidents.said_notices_sent": Text(
        "Told: {told}; still to tell: {pending}",
        "Benachrichtigt: {told}; noch zu benachrichtigen: {pending}",
        "Informées : {told} ; encore à informer : {pending}",
    ),
    "incidents.said_not_told": Text(
        "People not told: {people}. Case: {basis}",
        "Nicht benachrichtigte Personen: {people}. Fall: {basis}",
        "Personnes non informées : {people}. Cas : {basis}",
    ),
    "incidents.said_people_notified": Text(
        "Told: {told}; not told (Art. 34(3)): {not_told}; erased: {erased}",
        "Benachrichtigt: {told}; nicht benachrichtigt (Art. 34 Abs. 3): {not_told}; "
        "gelöscht: {erased}",
        "Informées : {told} ; non informées (art. 34, par. 3) : {not_told} ; effacées : {erased}",
    ),
    "incidents.said_revoked": Text(
        "Answers revoked: {count}",
        "Widerrufene Antworten: {count}",
        "Réponses révoquées : {count}",
    ),
    "incidents.said_suspended": Text(
        "Staff account suspended: {staff}",
        "Gesperrtes Personalkonto: {staff}",
        "Compte du personnel suspendu : {staff}",
    ),
    "incidents.said_reset": Text(
        "Sessions ended and a new password required: {account}",
        "Sitzungen beendet und neues Passwort verlangt: {account}",
        "Sessions terminées et nouveau mot de passe exigé : {account}",
    ),
    "incidents.said_reassigned": Text(
        "Recordings from {since} UTC on moved from {source} to {target}",
        "Aufnahmen ab {since} UTC von {source} zu {target} verschoben",
        "Enregistrements à partir du {since} UTC déplacés de {source} vers {target}",
    ),
    "incidents.close_title": Text(
        "Close the incident",
        "Vorfall abschließen",
        "Clôturer l'incident",
    ),
    "incidents.close_submit": Text(
        "Close the incident",
        "Vorfall abschließen",
        "Clôturer l'incident",
    ),
    "incidents.close_not_yet": Text(
        "It can be closed once assessed, and once the authority (a risk) and the people (a "
        "high risk) were notified.",
        "Er kann abgeschlossen werden, sobald er bewertet ist und die Behörde (Risiko) und die "
        "Betroffenen (hohes Risiko) benachrichtigt wurden.",
        "Il peut être clôturé une fois évalué, et une fois l'autorité (un risque) et les "
        "personnes (un risque élevé) notifiées.",
    ),
    "incidents.done_aware": Text(
        "The awareness time is set; the clock runs from it.",
        "Der Zeitpunkt ist festgelegt; die Frist läuft ab ihm.",
        "L'heure est enregistrée ; le délai court à partir d'elle.",
    ),
    "incidents.done_assess": Text(
        "The assessment is saved.",
        "Die Bewertung ist gespeichert.",
        "L'évaluation est enregistrée.",
    ),
    "incidents.done_derive": Text(
        "The affected people were worked out again.",
        "Die Betroffenen wurden erneut ermittelt.",
        "Les personnes concernées ont été déterminées à nouveau.",
    ),
    "incidents.done_affected": Text(
        "The person was added.",
        "Die Person wurde hinzugefügt.",
        "La personne a été ajoutée.",
    ),
    "incidents.closed_final": Text(
        "This incident is closed. Closed is final: nothing on it can be changed and it "
        "cannot be reopened. Record anything new about the breach as a new incident.",
        "Dieser Vorfall ist abgeschlossen. Das ist endgültig: Nichts daran lässt sich mehr "
        "ändern, und er kann nicht wieder geöffnet werden. Erfassen Sie Neues zu der "
        "Verletzung als neuen Vorfall.",
        "Cet incident est clôturé. C'est définitif : rien ne peut plus y être modifié et il "
        "ne peut pas être rouvert. Enregistrez tout élément nouveau sur la violation comme "
        "un nouvel incident.",
    ),
    "incidents.done_close": Text(
        "The incident is closed.",
        "Der Vorfall ist abgeschlossen.",
        "L'incident est clôturé.",
    ),
    # The incident page's contents, in the order the DPO works through it.
    "incidents.contents": Text("On this page", "Auf dieser Seite", "Sur cette page"),
    "incidents.facts": Text("Facts and evidence", "Sachverhalt und Belege", "Faits et éléments"),
    "incidents.not_recorded": Text("not yet recorded", "noch nicht erfasst", "pas encore saisi"),
    "authority.title": Text(
        "Authority notification",
        "Meldung an die Aufsichtsbehörde",
        "Notification à l'autorité de contrôle",
    ),
    "authority.intro": Text(
        "The notification to the supervisory authority (Art. 33 GDPR), filled from this "
        "incident's register: the assessment, the affected people and records, the contact point "
        "and the 72-hour clock.",
        "Die Meldung an die Aufsichtsbehörde (Art. 33 DSGVO), ausgefüllt aus dem Register dieses "
        "Vorfalls: Bewertung, betroffene Personen und Datensätze, Anlaufstelle und die "
        "72-Stunden-Frist.",
        "La notification à l'autorité de contrôle (art. 33 RGPD), remplie à partir du registre de"
        " cet incident : évaluation, personnes et enregistrements concernés, point de contact et "
        "délai de 72 heures.",
    ),
    "authority.notified": Text(
        "The authority was notified on {date} UTC.",
        "Die Aufsichtsbehörde wurde am {date} UTC benachrichtigt.",
        "L'autorité a été notifiée le {date} UTC.",
    ),
    "authority.phase_now": Text(
        "The current phase is {phase}.",
        "Aktuelle Phase: {phase}.",
        "Phase actuelle : {phase}.",
    ),
    "authority.draft": Text(
        "Not yet sent: the document is a draft dated now.",
        "Noch nicht gesendet: das Dokument ist ein Entwurf mit dem heutigen Datum.",
        "Pas encore envoyée : le document est un brouillon daté de maintenant.",
    ),
    "authority.late_hint": Text(
        "The 72 hours have passed: record the notification with the reasons for the delay first; "
        "the document is then made with them.",
        "Die 72 Stunden sind verstrichen: erfassen Sie zuerst die Meldung mit den Gründen für die"
        " Verzögerung; das Dokument enthält sie dann.",
        "Les 72 heures sont écoulées : enregistrez d'abord la notification avec les motifs du "
        "retard ; le document les contiendra.",
    ),
    "authority.download_pdf": Text(
        "Download the PDF ({name})",
        "PDF herunterladen ({name})",
        "Télécharger le PDF ({name})",
    ),
    "authority.download_json": Text(
        "Download the JSON",
        "JSON herunterladen",
        "Télécharger le JSON",
    ),
    "authority.earlier": Text(
        "Earlier phases:",
        "Frühere Phasen:",
        "Phases précédentes :",
    ),
    "authority.phase_link": Text(
        "phase {phase}",
        "Phase {phase}",
        "phase {phase}",
    ),
    "authority.record_title": Text(
        "Record that it was sent",
        "Versand erfassen",
        "Enregistrer l'envoi",
    ),
    "authority.record_hint": Text(
        "Once sent, record when, with the authority's reference. The document as recorded is kept"
        " by its SHA-256 on the timeline.",
        "Erfassen Sie nach dem Versand, wann er erfolgte, mit dem Aktenzeichen der Behörde. Das "
        "erfasste Dokument wird mit seinem SHA-256 im Verlauf festgehalten.",
        "Une fois envoyée, enregistrez quand, avec la référence de l'autorité. Le document "
        "enregistré est conservé par son SHA-256 dans l'historique.",
    ),
    "authority.field_notified_at": Text(
        "When it was sent",
        "Wann gesendet",
        "Date d'envoi",
    ),
    "authority.field_notified_at_hint": Text(
        "In UTC; leave empty for now. Never in the future.",
        "In UTC; leer lassen für jetzt. Nie in der Zukunft.",
        "En UTC ; laisser vide pour maintenant. Jamais dans le futur.",
    ),
    "authority.field_reference": Text(
        "The authority's reference",
        "Aktenzeichen der Behörde",
        "Référence de l'autorité",
    ),
    "authority.field_reference_hint": Text(
        "Optional; kept encrypted.",
        "Optional; wird verschlüsselt gespeichert.",
        "Facultatif ; conservée chiffrée.",
    ),
    "authority.field_late_reason": Text(
        "Reasons for the delay",
        "Gründe für die Verzögerung",
        "Motifs du retard",
    ),
    "authority.field_late_reason_hint": Text(
        "Required when later than 72 hours after awareness (Art. 33(1)); kept encrypted.",
        "Pflicht, wenn später als 72 Stunden nach Kenntnis (Art. 33 Abs. 1); wird verschlüsselt "
        "gespeichert.",
        "Obligatoires au-delà de 72 heures après la prise de connaissance (art. 33, par. 1) ; "
        "conservés chiffrés.",
    ),
    "authority.record_submit": Text(
        "Record the notification",
        "Meldung erfassen",
        "Enregistrer la notification",
    ),
    "authority.follow_up_title": Text(
        "Add a follow-up (phase {phase})",
        "Nachtrag hinzufügen (Phase {phase})",
        "Ajouter un complément (phase {phase})",
    ),
    "authority.follow_up_hint": Text(
        "Information not available at first may follow in phases (Art. 33(4)): say what is new.",
        "Zunächst fehlende Informationen können schrittweise nachgereicht werden (Art. 33 Abs. "
        "4): sagen Sie, was neu ist.",
        "Les informations non disponibles d'abord peuvent suivre par phases (art. 33, par. 4) : "
        "dites ce qui est nouveau.",
    ),
    "authority.field_what_is_new": Text(
        "What is new",
        "Was ist neu",
        "Ce qui est nouveau",
    ),
    "authority.follow_up_submit": Text(
        "Record the follow-up",
        "Nachtrag erfassen",
        "Enregistrer le complément",
    ),
    "authority.done_authority": Text(
        "The notification to the authority is recorded; its document's SHA-256 is on the timeline.",
        "Die Meldung an die Behörde ist erfasst; der SHA-256 ihres Dokuments steht im Verlauf.",
        "La notification à l'autorité est enregistrée ; le SHA-256 de son document figure "
        "dans l'historique.",
    ),
    "authority.done_follow_up": Text(
        "The follow-up is recorded as the next phase; download its document above.",
        "Der Nachtrag ist als nächste Phase erfasst; laden Sie sein Dokument oben herunter.",
        "Le complément est enregistré comme phase suivante ; téléchargez son document ci-dessus.",
    ),
    "incidents.deadlines": Text(
        "Incident deadlines",
        "Fristen bei Vorfällen",
        "Échéances des incidents",
    ),
    "incidents.deadlines_intro": Text(
        "The authority is still to be told about these incidents; nearest deadline first.",
        "Die Behörde ist über diese Vorfälle noch zu benachrichtigen; nächste Frist zuerst.",
        "L'autorité doit encore être notifiée de ces incidents ; échéance la plus proche d'abord.",
    ),
    "incidents.deadlines_none": Text(
        "No incident is waiting for the authority to be told.",
        "Kein Vorfall wartet auf eine Meldung an die Behörde.",
        "Aucun incident n'attend de notification à l'autorité.",
    ),
    "audit.title": Text("Audit log", "Prüfprotokoll", "Journal d'audit"),
    "audit.intro": Text(
        "Every access to personal data and every change is an event in a tamper-evident log. "
        "Events name people only by pseudonyms.",
        "Jeder Zugriff auf personenbezogene Daten und jede Änderung ist ein Ereignis in einem "
        "manipulationssicheren Protokoll. Ereignisse nennen Personen nur mit Pseudonymen.",
        "Chaque accès à des données personnelles et chaque modification est un événement d'un "
        "journal infalsifiable. Les événements ne désignent les personnes que par des pseudonymes.",
    ),
    "audit.verify_title": Text(
        "Latest check of the log",
        "Letzte Prüfung des Protokolls",
        "Dernière vérification du journal",
    ),
    "audit.verify_never": Text(
        "The log has not been checked yet.",
        "Das Protokoll wurde noch nicht geprüft.",
        "Le journal n'a pas encore été vérifié.",
    ),
    "audit.intact": Text("Intact", "Unversehrt", "Intact"),
    "audit.tampered": Text("Damaged", "Beschädigt", "Altéré"),
    "audit.verify_intact": Text(
        "Checked {at}: {events} events and {checkpoints} signed checkpoints.",
        "Geprüft {at}: {events} Ereignisse und {checkpoints} signierte Prüfpunkte.",
        "Vérifié le {at} : {events} événements et {checkpoints} points de contrôle signés.",
    ),
    "audit.verify_failed": Text(
        "The check of {at} found the log damaged.",
        "Die Prüfung vom {at} hat das Protokoll beschädigt vorgefunden.",
        "La vérification du {at} a trouvé le journal altéré.",
    ),
    "audit.first_bad": Text(
        "First bad event: {seq}.",
        "Erstes fehlerhaftes Ereignis: {seq}.",
        "Premier événement fautif : {seq}.",
    ),
    "audit.bad_checkpoint": Text(
        "Failed checkpoint: size {size}.",
        "Fehlgeschlagener Prüfpunkt: Größe {size}.",
        "Point de contrôle en échec : taille {size}.",
    ),
    "audit.verify_how": Text(
        "The check runs on the server with “voxkeep audit verify”; each run is recorded here.",
        "Die Prüfung läuft auf dem Server mit „voxkeep audit verify“; jeder Lauf wird hier "
        "vermerkt.",
        "La vérification s'exécute sur le serveur avec « voxkeep audit verify » ; chaque "
        "exécution est notée ici.",
    ),
    "audit.checkpoint_title": Text(
        "Latest signed checkpoint",
        "Letzter signierter Prüfpunkt",
        "Dernier point de contrôle signé",
    ),
    "audit.no_checkpoint": Text(
        "No checkpoint has been signed yet.",
        "Es wurde noch kein Prüfpunkt signiert.",
        "Aucun point de contrôle n'a encore été signé.",
    ),
    "audit.search_title": Text(
        "Search the events", "Ereignisse durchsuchen", "Rechercher des événements"
    ),
    "audit.action": Text("Action", "Aktion", "Action"),
    "audit.any_action": Text("Any action", "Jede Aktion", "Toute action"),
    "audit.object": Text("Object", "Objekt", "Objet"),
    "audit.object_hint": Text(
        "An id or pseudonym as the log writes it: a request, answer or incident id, staff:…, "
        "account:…, dev:…, rec:…",
        "Eine Kennung oder ein Pseudonym, wie das Protokoll sie schreibt: Antrags-, Antwort- oder "
        "Vorfallskennung, staff:…, account:…, dev:…, rec:…",
        "Un identifiant ou pseudonyme tel que le journal l'écrit : identifiant de demande, de "
        "réponse ou d'incident, staff:…, account:…, dev:…, rec:…",
    ),
    "audit.from": Text("From (day, UTC)", "Von (Tag, UTC)", "Du (jour, UTC)"),
    "audit.to": Text(
        "To (day, UTC, included)", "Bis (Tag, UTC, einschließlich)", "Au (jour, UTC, inclus)"
    ),
    "audit.search": Text("Search", "Suchen", "Rechercher"),
    "audit.clear": Text("Clear the search", "Suche zurücksetzen", "Effacer la recherche"),
    "audit.find_title": Text(
        "Find by the operator's id",
        "Nach Kennung des Betreibers suchen",
        "Rechercher par identifiant de l'opérateur",
    ),
    "audit.find_intro": Text(
        "The log never holds the ids the operator chose. Enter one here: it is turned into the "
        "pseudonyms the log uses and is not put in the address bar.",
        "Das Protokoll enthält nie die Kennungen, die der Betreiber gewählt hat. Geben Sie eine "
        "hier ein: Sie wird in die Pseudonyme des Protokolls umgerechnet und nicht in die "
        "Adresszeile geschrieben.",
        "Le journal ne contient jamais les identifiants choisis par l'opérateur. Saisissez-en un "
        "ici : il est converti en pseudonymes du journal et n'apparaît pas dans la barre "
        "d'adresse.",
    ),
    "audit.object_kind": Text("Kind of id", "Art der Kennung", "Type d'identifiant"),
    "audit.kind_account": Text(
        "Account (with its devices, members, recordings)",
        "Konto (mit Geräten, Mitgliedern, Aufnahmen)",
        "Compte (avec ses appareils, membres, enregistrements)",
    ),
    "audit.kind_device": Text("Device", "Gerät", "Appareil"),
    "audit.kind_member": Text("Household member", "Haushaltsmitglied", "Membre du foyer"),
    "audit.kind_recording": Text("Recording", "Aufnahme", "Enregistrement"),
    "audit.object_id": Text("Id", "Kennung", "Identifiant"),
    "audit.find": Text("Find events", "Ereignisse finden", "Trouver les événements"),
    "audit.results": Text(
        "Events, newest first", "Ereignisse, neueste zuerst", "Événements, les plus récents d'abord"
    ),
    "audit.none": Text(
        "No event matches.", "Kein Ereignis passt.", "Aucun événement ne correspond."
    ),
    "audit.older": Text("Older events", "Ältere Ereignisse", "Événements plus anciens"),
    "audit.seq": Text("No.", "Nr.", "N°"),
    "audit.at": Text("Time (UTC)", "Zeit (UTC)", "Heure (UTC)"),
    "audit.actor": Text("Who", "Wer", "Qui"),
    "audit.data": Text("Event data", "Ereignisdaten", "Données de l'événement"),
    "audit.bad_date": Text(
        "Enter a date like 2026-03-31.",
        "Geben Sie ein Datum wie 2026-03-31 ein.",
        "Saisissez une date comme 2026-03-31.",
    ),
    "audit.bad_range": Text(
        "The start must come before the end.",
        "Der Beginn muss vor dem Ende liegen.",
        "Le début doit précéder la fin.",
    ),
    "audit.enter_id": Text(
        "Enter an id.", "Geben Sie eine Kennung ein.", "Saisissez un identifiant."
    ),
    "audit.not_found": Text(
        "Nothing stored has this id. For an account's removed objects, search by the account.",
        "Nichts Gespeichertes hat diese Kennung. Für entfernte Objekte eines Kontos suchen Sie "
        "nach dem Konto.",
        "Rien d'enregistré n'a cet identifiant. Pour les objets supprimés d'un compte, recherchez "
        "par le compte.",
    ),
    "dashboard.title": Text("Dashboard", "Übersicht", "Tableau de bord"),
    "dashboard.intro": Text(
        "The last {months} calendar months (UTC). Each chart's numbers are in the table beside it.",
        "Die letzten {months} Kalendermonate (UTC). Die Zahlen jedes Diagramms stehen in der "
        "Tabelle daneben.",
        "Les {months} derniers mois civils (UTC). Les chiffres de chaque graphique figurent dans "
        "le tableau à côté.",
    ),
    "dashboard.month": Text("Month", "Monat", "Mois"),
    "dashboard.requests_title": Text(
        "Requests received per month", "Eingegangene Anträge pro Monat", "Demandes reçues par mois"
    ),
    "dashboard.requests_desc": Text(
        "Stacked bars: access, portability and erasure requests received in each month.",
        "Gestapelte Balken: in jedem Monat eingegangene Auskunfts-, Übertragbarkeits- und "
        "Löschanträge.",
        "Barres empilées : demandes d'accès, de portabilité et d'effacement reçues chaque mois.",
    ),
    "dashboard.requests_note": Text(
        "Counted in the month a request was received.",
        "Gezählt im Monat des Eingangs.",
        "Comptées dans le mois de réception.",
    ),
    "dashboard.kind_access": Text("Access", "Auskunft", "Accès"),
    "dashboard.kind_portability": Text("Portability", "Übertragbarkeit", "Portabilité"),
    "dashboard.kind_erasure": Text("Erasure", "Löschung", "Effacement"),
    "dashboard.on_time_title": Text(
        "Share answered on time",
        "Anteil fristgerecht beantwortet",
        "Part des réponses dans les délais",
    ),
    "dashboard.on_time_desc": Text(
        "A line: of the answers given in each month, the percentage given by the request's due "
        "date.",
        "Eine Linie: von den in jedem Monat gegebenen Antworten der Anteil in Prozent, der bis "
        "zur Frist des Antrags gegeben wurde.",
        "Une ligne : parmi les réponses données chaque mois, le pourcentage données avant "
        "l'échéance de la demande.",
    ),
    "dashboard.on_time_series": Text("On time", "Fristgerecht", "Dans les délais"),
    "dashboard.on_time_note": Text(
        "An answer is a ready copy or erasure receipt, or a refusal with reasons; extended due "
        "dates count.",
        "Eine Antwort ist eine bereitgestellte Kopie oder Löschbestätigung oder eine begründete "
        "Ablehnung; verlängerte Fristen zählen.",
        "Une réponse est une copie ou un reçu d'effacement prêt, ou un refus motivé ; les "
        "échéances prolongées comptent.",
    ),
    "dashboard.median_title": Text(
        "Median days to answer",
        "Median der Tage bis zur Antwort",
        "Délai médian de réponse en jours",
    ),
    "dashboard.median_desc": Text(
        "A line: the median number of days from receipt to answer, for the answers given in each "
        "month.",
        "Eine Linie: der Median der Tage vom Eingang bis zur Antwort, für die in jedem Monat "
        "gegebenen Antworten.",
        "Une ligne : le nombre médian de jours entre réception et réponse, pour les réponses "
        "données chaque mois.",
    ),
    "dashboard.median_series": Text("Median days", "Median Tage", "Jours (médiane)"),
    "dashboard.median_note": Text(
        "A month without answers has no value.",
        "Ein Monat ohne Antworten hat keinen Wert.",
        "Un mois sans réponse n'a pas de valeur.",
    ),
    "dashboard.recordings_title": Text(
        "Recordings stored and deleted by retention",
        "Gespeicherte und durch Aufbewahrungsfrist gelöschte Aufnahmen",
        "Enregistrements stockés et supprimés par la conservation",
    ),
    "dashboard.recordings_desc": Text(
        "Bars side by side: recordings stored in each month, and recordings deleted because their "
        "retention ended.",
        "Balken nebeneinander: in jedem Monat gespeicherte Aufnahmen und Aufnahmen, die nach "
        "Ablauf ihrer Aufbewahrungsfrist gelöscht wurden.",
        "Barres côte à côte : enregistrements stockés chaque mois, et enregistrements supprimés à "
        "la fin de leur conservation.",
    ),
    "dashboard.stored_series": Text("Stored", "Gespeichert", "Stockés"),
    "dashboard.swept_series": Text(
        "Deleted by retention", "Durch Frist gelöscht", "Supprimés par la conservation"
    ),
    "dashboard.recordings_note": Text(
        "Read from the audit log; deletions that people asked for are not counted here.",
        "Aus dem Prüfprotokoll gelesen; von Personen verlangte Löschungen sind hier nicht gezählt.",
        "Lu dans le journal d'audit ; les suppressions demandées par les personnes ne sont pas "
        "comptées ici.",
    ),
    "staff.title": Text("Staff", "Mitarbeitende", "Équipe"),
    "staff.intro": Text(
        "Who may use the console, with which roles. Four eyes: whoever enters or verifies a "
        "request cannot approve it.",
        "Wer die Konsole mit welchen Rollen nutzen darf. Vier Augen: Wer einen Antrag erfasst "
        "oder prüft, kann ihn nicht freigeben.",
        "Qui peut utiliser la console, avec quels rôles. Quatre yeux : qui saisit ou vérifie une "
        "demande ne peut pas l'approuver.",
    ),
    "staff.caption": Text("Staff members", "Mitarbeitende", "Membres de l'équipe"),
    "staff.name": Text("Login name", "Login-Name", "Identifiant"),
    "staff.name_hint": Text(
        "A work handle such as a.schmidt: letters, digits and . _ -",
        "Ein Arbeitskürzel wie a.schmidt: Buchstaben, Ziffern und . _ -",
        "Un identifiant de travail comme a.schmidt : lettres, chiffres et . _ -",
    ),
    "staff.roles": Text("Roles", "Rollen", "Rôles"),
    "staff.roles_hint": Text(
        "Choose at least one.", "Wählen Sie mindestens eine.", "Choisissez-en au moins un."
    ),
    "staff.role_agent": Text("Agent", "Sachbearbeitung", "Agent"),
    "staff.role_approver": Text("Approver", "Freigabe", "Approbateur"),
    "staff.role_dpo": Text(
        "Data protection officer",
        "Datenschutzbeauftragte(r)",
        "Délégué à la protection des données",
    ),
    "staff.role_admin": Text("Administrator", "Administration", "Administrateur"),
    "staff.status": Text("Status", "Status", "État"),
    "staff.active": Text("Active", "Aktiv", "Actif"),
    "staff.invited": Text(
        "Invited, no password yet", "Eingeladen, noch ohne Passwort", "Invité, sans mot de passe"
    ),
    "staff.no_totp": Text(
        "No code app yet", "Noch keine Code-App", "Pas encore d'application de codes"
    ),
    "staff.disabled": Text("Disabled", "Deaktiviert", "Désactivé"),
    "staff.added": Text("Added", "Hinzugefügt", "Ajouté"),
    "staff.add_title": Text("Add a staff member", "Mitarbeitende hinzufügen", "Ajouter un membre"),
    "staff.add_intro": Text(
        "They get an e-mail with a link to set their password, and set up a one-time code app at "
        "their first sign-in.",
        "Sie erhalten eine E-Mail mit einem Link zum Festlegen des Passworts und richten bei der "
        "ersten Anmeldung eine App für Einmalcodes ein.",
        "La personne reçoit un e-mail avec un lien pour choisir son mot de passe, et configure "
        "une application de codes à usage unique à sa première connexion.",
    ),
    "staff.email": Text(
        "Work e-mail address", "Dienstliche E-Mail-Adresse", "Adresse e-mail professionnelle"
    ),
    "staff.email_hint": Text(
        "Used for this one mail and not kept.",
        "Wird nur für diese E-Mail verwendet und nicht gespeichert.",
        "Utilisée pour ce seul message et non conservée.",
    ),
    "staff.invite": Text(
        "Add and send the invitation",
        "Hinzufügen und Einladung senden",
        "Ajouter et envoyer l'invitation",
    ),
    "staff.back": Text("All staff", "Alle Mitarbeitenden", "Toute l'équipe"),
    "staff.invited_title": Text("Invitation sent", "Einladung gesendet", "Invitation envoyée"),
    "staff.invited_body": Text(
        "{name} was added. The link to set a password works once, until {expires}.",
        "{name} wurde hinzugefügt. Der Link zum Festlegen des Passworts gilt einmal, bis "
        "{expires}.",
        "{name} a été ajouté. Le lien pour choisir le mot de passe ne sert qu'une fois, jusqu'au "
        "{expires}.",
    ),
    "staff.next_title": Text("What happens next", "Wie es weitergeht", "Et ensuite"),
    "staff.invited_next": Text(
        "Once they set a password, they sign in at /console and set up a code app. If the link "
        "expires, send a new one from their page.",
        "Sobald das Passwort festgelegt ist, melden sie sich unter /console an und richten eine "
        "Code-App ein. Läuft der Link ab, senden Sie von ihrer Seite einen neuen.",
        "Une fois le mot de passe choisi, la personne se connecte sur /console et configure une "
        "application de codes. Si le lien expire, envoyez-en un nouveau depuis sa page.",
    ),
    "staff.to_member": Text("Their page", "Ihre Seite", "Sa page"),
    "staff.member_title": Text("Staff member", "Mitarbeitende Person", "Membre de l'équipe"),
    "staff.change_roles": Text("Roles", "Rollen", "Rôles"),
    "staff.save_roles": Text("Save the roles", "Rollen speichern", "Enregistrer les rôles"),
    "staff.password_title": Text("Password", "Passwort", "Mot de passe"),
    "staff.password_intro": Text(
        "Send a new single-use link to set the password. The current password works until it is "
        "used.",
        "Einen neuen einmaligen Link zum Festlegen des Passworts senden. Das bisherige Passwort "
        "gilt, bis er benutzt wird.",
        "Envoyer un nouveau lien à usage unique pour choisir le mot de passe. Le mot de passe "
        "actuel reste valable jusqu'à son utilisation.",
    ),
    "staff.send_link": Text(
        "Send a password link", "Passwort-Link senden", "Envoyer un lien de mot de passe"
    ),
    "staff.totp_title": Text(
        "One-time code app", "App für Einmalcodes", "Application de codes à usage unique"
    ),
    "staff.totp_intro": Text(
        "For a lost phone: forget the code app. Their sessions end, and they set up a new app at "
        "the next sign-in.",
        "Bei verlorenem Telefon: die Code-App vergessen. Ihre Sitzungen enden, und bei der "
        "nächsten Anmeldung richten sie eine neue App ein.",
        "En cas de téléphone perdu : oublier l'application de codes. Ses sessions prennent fin, "
        "et une nouvelle application est configurée à la prochaine connexion.",
    ),
    "staff.reset_totp": Text(
        "Reset the code app", "Code-App zurücksetzen", "Réinitialiser l'application de codes"
    ),
    "staff.access_title": Text("Access", "Zugang", "Accès"),
    "staff.disable_intro": Text(
        "Disabling ends their sessions at once and stops them signing in.",
        "Deaktivieren beendet sofort ihre Sitzungen und verhindert die Anmeldung.",
        "La désactivation met fin immédiatement à ses sessions et empêche la connexion.",
    ),
    "staff.enable_intro": Text(
        "This account is disabled. Enabling lets them sign in again.",
        "Dieses Konto ist deaktiviert. Aktivieren erlaubt wieder die Anmeldung.",
        "Ce compte est désactivé. L'activer permet de se connecter à nouveau.",
    ),
    "staff.disable": Text("Disable", "Deaktivieren", "Désactiver"),
    "staff.enable": Text("Enable", "Aktivieren", "Activer"),
    "staff.done_roles": Text(
        "The roles were saved; they apply from the next page.",
        "Die Rollen wurden gespeichert; sie gelten ab der nächsten Seite.",
        "Les rôles ont été enregistrés ; ils s'appliquent dès la page suivante.",
    ),
    "staff.done_password": Text(
        "A new password link was sent.",
        "Ein neuer Passwort-Link wurde gesendet.",
        "Un nouveau lien de mot de passe a été envoyé.",
    ),
    "staff.done_totp": Text(
        "The code app was reset; their sessions ended.",
        "Die Code-App wurde zurückgesetzt; ihre Sitzungen wurden beendet.",
        "L'application de codes a été réinitialisée ; ses sessions ont pris fin.",
    ),
    "staff.done_disable": Text(
        "The account was disabled; its sessions ended.",
        "Das Konto wurde deaktiviert; seine Sitzungen wurden beendet.",
        "Le compte a été désactivé ; ses sessions ont pris fin.",
    ),
    "staff.done_enable": Text(
        "The account was enabled.", "Das Konto wurde aktiviert.", "Le compte a été activé."
    ),
    "staff.bad_name": Text(
        "Enter a login name of letters, digits and . _ -",
        "Geben Sie einen Login-Namen aus Buchstaben, Ziffern und . _ - ein.",
        "Saisissez un identifiant composé de lettres, chiffres et . _ -",
    ),
    "staff.name_taken": Text(
        "A staff member with this name exists already.",
        "Es gibt bereits eine Person mit diesem Namen.",
        "Un membre porte déjà ce nom.",
    ),
    "staff.bad_email": Text(
        "Enter an e-mail address like name@example.org.",
        "Geben Sie eine E-Mail-Adresse wie name@example.org ein.",
        "Saisissez une adresse e-mail comme nom@example.org.",
    ),
    "staff.no_roles": Text(
        "Choose at least one role.",
        "Wählen Sie mindestens eine Rolle.",
        "Choisissez au moins un rôle.",
    ),
    "staff.own_admin": Text(
        "You cannot remove your own admin role.",
        "Sie können Ihre eigene Administrationsrolle nicht entfernen.",
        "Vous ne pouvez pas retirer votre propre rôle d'administrateur.",
    ),
    "error.prefix": Text("Error:", "Fehler:", "Erreur :"),
    "error.summary": Text("There is a problem", "Es gibt ein Problem", "Il y a un problème"),
    "error.title": Text(
        "Something went wrong", "Etwas ist schiefgegangen", "Une erreur est survenue"
    ),
    "error.back": Text("Go to the start page", "Zur Startseite", "Aller à la page d'accueil"),
    "fault.storage": Text(
        "The vault cannot store anything just now: its storage is full or failing.",
        "Der Tresor kann gerade nichts speichern: Sein Speicher ist voll oder gestört.",
        "Le coffre ne peut rien enregistrer pour le moment : son stockage est plein ou en panne.",
    ),
    "fault.storage_hint": Text(
        "Nothing of what you sent was kept. Please try again later; the operators have been "
        "told what is wrong.",
        "Nichts von dem, was Sie gesendet haben, wurde gespeichert. Bitte versuchen Sie es "
        "später noch einmal; der Betrieb ist über die Ursache informiert.",
        "Rien de ce que vous avez envoyé n'a été conservé. Veuillez réessayer plus tard ; "
        "l'équipe d'exploitation connaît la cause.",
    ),
    "fault.database": Text(
        "The vault is not available just now.",
        "Der Tresor ist gerade nicht erreichbar.",
        "Le coffre n'est pas disponible pour le moment.",
    ),
    "fault.database_hint": Text(
        "Please try again in a few seconds. If you were sending a form, send it again: "
        "sending it twice does no harm.",
        "Bitte versuchen Sie es in einigen Sekunden noch einmal. Wenn Sie ein Formular "
        "gesendet haben, senden Sie es erneut: Doppeltes Senden schadet nicht.",
        "Veuillez réessayer dans quelques secondes. Si vous envoyiez un formulaire, "
        "envoyez-le à nouveau : l'envoyer deux fois ne pose aucun problème.",
    ),
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
    "reauth.title": Text(
        "Confirm your password", "Passwort bestätigen", "Confirmez votre mot de passe"
    ),
    "reauth.intro": Text(
        "For your safety, enter your password again before you go on. Afterwards you "
        "return to where you were.",
        "Zu Ihrer Sicherheit geben Sie Ihr Passwort noch einmal ein, bevor es weitergeht. "
        "Danach kehren Sie dorthin zurück, wo Sie waren.",
        "Pour votre sécurité, saisissez à nouveau votre mot de passe avant de continuer. "
        "Vous revenez ensuite là où vous étiez.",
    ),
    "reauth.submit": Text("Confirm", "Bestätigen", "Confirmer"),
    "reauth.wrong": Text(
        "The password is wrong", "Das Passwort ist falsch", "Le mot de passe est incorrect"
    ),
    "reauth.throttled": Text(
        "Too many wrong passwords. Wait {minutes} minutes, then try again.",
        "Zu viele falsche Passwörter. Warten Sie {minutes} Minuten und versuchen Sie es dann "
        "noch einmal.",
        "Trop de mots de passe incorrects. Attendez {minutes} minutes, puis réessayez.",
    ),
    "kind.access": Text(
        "A copy of your data", "Eine Kopie Ihrer Daten", "Une copie de vos données"
    ),
    "kind.portability": Text(
        "Your data in a machine-readable form",
        "Ihre Daten in maschinenlesbarer Form",
        "Vos données dans un format lisible par machine",
    ),
    "kind.erasure": Text(
        "Erasure of your data", "Löschung Ihrer Daten", "Effacement de vos données"
    ),
    "status.received": Text("Received", "Eingegangen", "Reçue"),
    "status.verifying": Text(
        "Checking that it is you", "Wir prüfen, ob Sie es sind", "Vérification de votre identité"
    ),
    "status.paused": Text(
        "Waiting for your code", "Wartet auf Ihren Code", "En attente de votre code"
    ),
    "status.verified": Text("Confirmed as yours", "Als Ihre bestätigt", "Confirmée"),
    "status.building": Text("Being worked on", "In Bearbeitung", "En cours de traitement"),
    "status.checking": Text("Being checked", "Wird geprüft", "En cours de vérification"),
    "status.ready": Text("Ready", "Fertig", "Prête"),
    "status.delivered": Text("Answered", "Beantwortet", "Traitée"),
    "status.closed": Text("Closed", "Abgeschlossen", "Clôturée"),
    "status.refused": Text("Refused", "Abgelehnt", "Refusée"),
    "status.cancelled": Text("Cancelled", "Storniert", "Annulée"),
    "status.blocked": Text("Held back", "Zurückgehalten", "Retenue"),
    "step.received": Text(
        "We received your request.",
        "Wir haben Ihre Anfrage erhalten.",
        "Nous avons reçu votre demande.",
    ),
    "step.verifying": Text(
        "We sent a code to your e-mail address, to check that the request is yours.",
        "Wir haben einen Code an Ihre E-Mail-Adresse geschickt, um zu prüfen, ob die Anfrage "
        "von Ihnen ist.",
        "Nous avons envoyé un code à votre adresse e-mail pour vérifier que la demande vient "
        "de vous.",
    ),
    "step.paused": Text(
        "We are waiting for you to give us the code. Until then the deadline waits too.",
        "Wir warten darauf, dass Sie uns den Code nennen. Bis dahin ruht auch die Frist.",
        "Nous attendons que vous nous communiquiez le code. D'ici là, le délai est suspendu.",
    ),
    "step.verified": Text(
        "We confirmed that the request is yours.",
        "Wir haben bestätigt, dass die Anfrage von Ihnen ist.",
        "Nous avons confirmé que la demande vient de vous.",
    ),
    "step.building": Text(
        "We started putting your data together.",
        "Wir haben begonnen, Ihre Daten zusammenzustellen.",
        "Nous avons commencé à rassembler vos données.",
    ),
    "step.erasing": Text(
        "We started erasing your data.",
        "Wir haben begonnen, Ihre Daten zu löschen.",
        "Nous avons commencé à effacer vos données.",
    ),
    "step.checking": Text(
        "A separate check is making sure that the answer holds only your data.",
        "Eine eigene Prüfung stellt sicher, dass die Antwort nur Ihre Daten enthält.",
        "Une vérification distincte s'assure que la réponse ne contient que vos données.",
    ),
    "step.ready": Text(
        "Your answer is ready to download.",
        "Ihre Antwort liegt zum Herunterladen bereit.",
        "Votre réponse est prête à être téléchargée.",
    ),
    "step.erased": Text(
        "Your data has been erased.", "Ihre Daten wurden gelöscht.", "Vos données ont été effacées."
    ),
    "step.delivered": Text(
        "You downloaded your answer.",
        "Sie haben Ihre Antwort heruntergeladen.",
        "Vous avez téléchargé votre réponse.",
    ),
    "step.receipt_sent": Text(
        "We mailed you the signed receipt of the erasure.",
        "Wir haben Ihnen die signierte Löschquittung gemailt.",
        "Nous vous avons envoyé le reçu d'effacement signé.",
    ),
    "step.closed": Text(
        "The request is closed.", "Die Anfrage ist abgeschlossen.", "La demande est clôturée."
    ),
    "step.refused": Text(
        "We refused the request. The reasons are below.",
        "Wir haben die Anfrage abgelehnt. Die Gründe stehen unten.",
        "Nous avons refusé la demande. Les motifs figurent ci-dessous.",
    ),
    "step.cancelled": Text(
        "The request was cancelled.", "Die Anfrage wurde storniert.", "La demande a été annulée."
    ),
    "step.blocked": Text(
        "The answer was held back: a check found a problem, or you told us it is not your "
        "data. Our privacy team is looking into it.",
        "Die Antwort wurde zurückgehalten: Eine Prüfung hat ein Problem gefunden, oder Sie "
        "haben uns gesagt, dass es nicht Ihre Daten sind. Unser Datenschutzteam kümmert sich "
        "darum.",
        "La réponse a été retenue : une vérification a trouvé un problème, ou vous nous avez "
        "signalé que ce ne sont pas vos données. Notre équipe chargée de la protection des "
        "données s'en occupe.",
    ),
    "step.address_changed": Text(
        "The e-mail address of your account was changed. Before we send a code to the new "
        "address, our staff confirm it.",
        "Die E-Mail-Adresse Ihres Kontos wurde geändert. Bevor wir einen Code an die neue "
        "Adresse senden, bestätigen unsere Mitarbeitenden sie.",
        "L'adresse e-mail de votre compte a été modifiée. Avant d'envoyer un code à la "
        "nouvelle adresse, notre équipe la confirme.",
    ),
    "step.address_confirmed": Text(
        "Our staff confirmed the new e-mail address for this request.",
        "Unsere Mitarbeitenden haben die neue E-Mail-Adresse für diese Anfrage bestätigt.",
        "Notre équipe a confirmé la nouvelle adresse e-mail pour cette demande.",
    ),
    "requests.title": Text("Your requests", "Ihre Anfragen", "Vos demandes"),
    "requests.intro": Text(
        "Ask for a copy of your data, for your data in a machine-readable form, or for its "
        "erasure, and follow each request step by step.",
        "Verlangen Sie eine Kopie Ihrer Daten, Ihre Daten in maschinenlesbarer Form oder "
        "ihre Löschung, und verfolgen Sie jede Anfrage Schritt für Schritt.",
        "Demandez une copie de vos données, vos données dans un format lisible par machine "
        "ou leur effacement, et suivez chaque demande pas à pas.",
    ),
    "requests.ask": Text("Make a request", "Eine Anfrage stellen", "Faire une demande"),
    "requests.list": Text(
        "Your requests so far", "Ihre bisherigen Anfragen", "Vos demandes jusqu'ici"
    ),
    "requests.none": Text(
        "You have not made any requests yet.",
        "Sie haben noch keine Anfragen gestellt.",
        "Vous n'avez encore fait aucune demande.",
    ),
    "requests.kind": Text("Request", "Anfrage", "Demande"),
    "requests.received": Text("Received", "Eingegangen", "Reçue le"),
    "requests.status": Text("Status", "Stand", "État"),
    "requests.due": Text("Answer due by", "Antwort fällig bis", "Réponse due le"),
    "requests.overdue": Text("Overdue", "Überfällig", "En retard"),
    "requests.paused": Text(
        "the deadline waits for your code",
        "die Frist wartet auf Ihren Code",
        "le délai attend votre code",
    ),
    "requests.back": Text(
        "Back to your requests", "Zurück zu Ihren Anfragen", "Retour à vos demandes"
    ),
    "ask.access_title": Text(
        "Ask for a copy of your data",
        "Eine Kopie Ihrer Daten verlangen",
        "Demander une copie de vos données",
    ),
    "ask.access_short": Text(
        "Everything we keep about you, with an explanation.",
        "Alles, was wir über Sie speichern, mit Erläuterungen.",
        "Tout ce que nous conservons à votre sujet, avec des explications.",
    ),
    "ask.access_body": Text(
        "You get a copy of everything we keep about you: your recordings with their "
        "transcripts, your devices and household members, and a cover sheet that says why we "
        "keep it, for how long and with whom we share it (GDPR Art. 15).",
        "Sie erhalten eine Kopie von allem, was wir über Sie speichern: Ihre Aufnahmen mit "
        "ihren Transkripten, Ihre Geräte und Haushaltsmitglieder und ein Deckblatt, das sagt, "
        "warum wir die Daten speichern, wie lange und an wen wir sie weitergeben (Art. 15 "
        "DSGVO).",
        "Vous recevez une copie de tout ce que nous conservons à votre sujet : vos "
        "enregistrements et leurs transcriptions, vos appareils et les membres de votre foyer, "
        "et une page de garde qui explique pourquoi nous les conservons, combien de temps et "
        "avec qui nous les partageons (article 15 du RGPD).",
    ),
    "ask.portability_title": Text(
        "Ask for your data in a machine-readable form",
        "Ihre Daten in maschinenlesbarer Form verlangen",
        "Demander vos données dans un format lisible par machine",
    ),
    "ask.portability_short": Text(
        "To keep, or to take to another service.",
        "Zum Aufbewahren oder für einen anderen Dienst.",
        "Pour les garder ou les emporter vers un autre service.",
    ),
    "ask.portability_body": Text(
        "You get the data you gave us (your recordings and transcripts, devices and household "
        "members) in common machine-readable formats (JSON, CSV and WAV), to keep or to take "
        "to another service (GDPR Art. 20).",
        "Sie erhalten die Daten, die Sie uns gegeben haben (Ihre Aufnahmen und Transkripte, "
        "Geräte und Haushaltsmitglieder), in gängigen maschinenlesbaren Formaten (JSON, CSV "
        "und WAV), zum Aufbewahren oder für einen anderen Dienst (Art. 20 DSGVO).",
        "Vous recevez les données que vous nous avez fournies (vos enregistrements et "
        "transcriptions, appareils et membres du foyer) dans des formats courants lisibles par "
        "machine (JSON, CSV et WAV), pour les garder ou les transmettre à un autre service "
        "(article 20 du RGPD).",
    ),
    "ask.erasure_title": Text(
        "Ask us to erase your data",
        "Die Löschung Ihrer Daten verlangen",
        "Demander l'effacement de vos données",
    ),
    "ask.erasure_short": Text(
        "Your account and everything in it, for good.",
        "Ihr Konto und alles darin, endgültig.",
        "Votre compte et tout ce qu'il contient, définitivement.",
    ),
    "ask.erasure_body": Text(
        "We erase your account and everything it holds: every recording, transcript, device "
        "and household member. We mail you a signed receipt that proves the erasure "
        "(GDPR Art. 17).",
        "Wir löschen Ihr Konto und alles, was es enthält: jede Aufnahme, jedes Transkript, "
        "jedes Gerät und jedes Haushaltsmitglied. Wir mailen Ihnen eine signierte Quittung, "
        "die die Löschung belegt (Art. 17 DSGVO).",
        "Nous effaçons votre compte et tout ce qu'il contient : chaque enregistrement, "
        "transcription, appareil et membre du foyer. Nous vous envoyons un reçu signé qui "
        "prouve l'effacement (article 17 du RGPD).",
    ),
    "ask.erasure_warning": Text(
        "This cannot be undone, and afterwards you can no longer sign in.",
        "Das lässt sich nicht rückgängig machen, und danach können Sie sich nicht mehr anmelden.",
        "C'est irréversible, et vous ne pourrez plus vous connecter ensuite.",
    ),
    "ask.next_title": Text("What happens next", "Wie es weitergeht", "Et ensuite"),
    "ask.next": Text(
        "We start at once. The law gives us one month to answer. We send you an e-mail when "
        "it is done, and your requests page shows every step.",
        "Wir beginnen sofort. Das Gesetz gibt uns einen Monat für die Antwort. Wir schicken "
        "Ihnen eine E-Mail, wenn sie fertig ist, und die Seite Ihrer Anfragen zeigt jeden "
        "Schritt.",
        "Nous commençons tout de suite. La loi nous donne un mois pour répondre. Nous vous "
        "envoyons un e-mail quand c'est fait, et la page de vos demandes montre chaque étape.",
    ),
    "ask.send": Text("Send the request", "Anfrage senden", "Envoyer la demande"),
    "ask.erase": Text("Yes, erase my data", "Ja, meine Daten löschen", "Oui, effacer mes données"),
    "request.title": Text("Your request", "Ihre Anfrage", "Votre demande"),
    "request.sent": Text(
        "Your request has been sent",
        "Ihre Anfrage wurde gesendet",
        "Votre demande a été envoyée",
    ),
    "request.sent_next": Text(
        "We have started on it. We send you an e-mail when it is done; this page shows every step.",
        "Wir haben damit begonnen. Wir schicken Ihnen eine E-Mail, wenn sie erledigt ist; "
        "diese Seite zeigt jeden Schritt.",
        "Nous avons commencé. Nous vous envoyons un e-mail quand c'est fait ; cette page "
        "montre chaque étape.",
    ),
    "request.withdrawn": Text(
        "You withdrew this request. We will not work on it any more.",
        "Sie haben diese Anfrage zurückgezogen. Wir bearbeiten sie nicht weiter.",
        "Vous avez retiré cette demande. Nous ne la traiterons plus.",
    ),
    "request.reference": Text("Reference", "Aktenzeichen", "Référence"),
    "request.due_rule": Text(
        "The law gives us one month from receipt to answer; we may extend it by up to two "
        "months if we tell you why within the first month (GDPR Art. 12(3)).",
        "Das Gesetz gibt uns ab Eingang einen Monat für die Antwort; wir dürfen die Frist um "
        "bis zu zwei Monate verlängern, wenn wir Ihnen die Gründe im ersten Monat nennen "
        "(Art. 12 Abs. 3 DSGVO).",
        "La loi nous donne un mois à compter de la réception pour répondre ; nous pouvons "
        "prolonger ce délai de deux mois au plus si nous vous en donnons les raisons dans le "
        "premier mois (article 12, paragraphe 3, du RGPD).",
    ),
    "request.extended": Text(
        "Why we need more time",
        "Warum wir mehr Zeit brauchen",
        "Pourquoi il nous faut plus de temps",
    ),
    "request.refused": Text(
        "Why we refused", "Warum wir abgelehnt haben", "Pourquoi nous avons refusé"
    ),
    "request.complain": Text(
        "You have the right to complain to a data protection authority and to go to court "
        "(GDPR Art. 77 and 79).",
        "Sie haben das Recht, sich bei einer Datenschutzaufsichtsbehörde zu beschweren und "
        "ein Gericht anzurufen (Art. 77 und 79 DSGVO).",
        "Vous avez le droit d'introduire une réclamation auprès d'une autorité de protection "
        "des données et de saisir la justice (articles 77 et 79 du RGPD).",
    ),
    "request.answer": Text("Go to your answer", "Zu Ihrer Antwort", "Voir votre réponse"),
    "request.timeline": Text("What has happened", "Was bisher geschah", "Ce qui s'est passé"),
    "request.withdraw": Text(
        "Withdraw this request", "Diese Anfrage zurückziehen", "Retirer cette demande"
    ),
    "withdraw.title": Text(
        "Withdraw your request", "Anfrage zurückziehen", "Retirer votre demande"
    ),
    "withdraw.back": Text("Back to the request", "Zurück zur Anfrage", "Retour à la demande"),
    "withdraw.body": Text(
        "If you withdraw it, we stop and will not answer it. You can make a new request at "
        "any time.",
        "Wenn Sie sie zurückziehen, hören wir auf und beantworten sie nicht. Sie können "
        "jederzeit eine neue Anfrage stellen.",
        "Si vous la retirez, nous arrêtons et n'y répondrons pas. Vous pouvez faire une "
        "nouvelle demande à tout moment.",
    ),
    "withdraw.submit": Text("Withdraw the request", "Anfrage zurückziehen", "Retirer la demande"),
    "withdraw.too_late": Text(
        "This request can no longer be withdrawn: work on the answer has started, or it is "
        "finished.",
        "Diese Anfrage kann nicht mehr zurückgezogen werden: Die Arbeit an der Antwort hat "
        "begonnen, oder sie ist abgeschlossen.",
        "Cette demande ne peut plus être retirée : le travail sur la réponse a commencé, ou "
        "il est terminé.",
    ),
    "answer.title": Text("Your answer", "Ihre Antwort", "Votre réponse"),
    "answer.back": Text("Back to the request", "Zurück zur Anfrage", "Retour à la demande"),
    "answer.not_mine_title": Text(
        "Is this not your data?", "Sind das nicht Ihre Daten?", "Ce ne sont pas vos données ?"
    ),
    "answer.not_mine_body": Text(
        "If anything in this answer is about someone else (recordings you do not know, "
        "devices you never had), tell us at once. Nobody can download it after that, and our "
        "privacy team looks into it straight away.",
        "Wenn etwas in dieser Antwort jemand anderen betrifft (Aufnahmen, die Sie nicht "
        "kennen, Geräte, die Sie nie hatten), sagen Sie es uns sofort. Danach kann niemand "
        "sie mehr herunterladen, und unser Datenschutzteam kümmert sich sofort darum.",
        "Si quelque chose dans cette réponse concerne quelqu'un d'autre (des enregistrements "
        "que vous ne connaissez pas, des appareils que vous n'avez jamais eus), dites-le-nous "
        "tout de suite. Plus personne ne pourra la télécharger, et notre équipe chargée de la "
        "protection des données s'en occupe immédiatement.",
    ),
    "answer.not_mine_button": Text(
        "This is not my data", "Das sind nicht meine Daten", "Ce ne sont pas mes données"
    ),
    "answer.download_title": Text("Download", "Herunterladen", "Téléchargement"),
    "answer.download_rule": Text(
        "You can download it until {expires} (UTC), {left} more times. For your safety we "
        "ask for your password first.",
        "Sie können sie bis {expires} (UTC) noch {left}-mal herunterladen. Zu Ihrer "
        "Sicherheit fragen wir vorher nach Ihrem Passwort.",
        "Vous pouvez la télécharger jusqu'au {expires} (UTC), encore {left} fois. Pour votre "
        "sécurité, nous vous demandons d'abord votre mot de passe.",
    ),
    "answer.download": Text(
        "Download the answer (zip, {megabytes} MB)",
        "Antwort herunterladen (ZIP, {megabytes} MB)",
        "Télécharger la réponse (zip, {megabytes} Mo)",
    ),
    "answer.not_ready": Text(
        "Not ready yet: a separate check is making sure that the answer holds only your data.",
        "Noch nicht fertig: Eine eigene Prüfung stellt sicher, dass die Antwort nur Ihre "
        "Daten enthält.",
        "Pas encore prête : une vérification distincte s'assure que la réponse ne contient "
        "que vos données.",
    ),
    "answer.blocked": Text(
        "This answer was held back: a check found something wrong. Our privacy team is "
        "looking into it.",
        "Diese Antwort wurde zurückgehalten: Eine Prüfung hat einen Fehler gefunden. Unser "
        "Datenschutzteam kümmert sich darum.",
        "Cette réponse a été retenue : une vérification a trouvé une erreur. Notre équipe "
        "chargée de la protection des données s'en occupe.",
    ),
    "answer.withdrawn": Text(
        "This answer was withdrawn; nobody can download it any more.",
        "Diese Antwort wurde zurückgezogen; niemand kann sie mehr herunterladen.",
        "Cette réponse a été retirée ; plus personne ne peut la télécharger.",
    ),
    "answer.revoked": Text(
        "You told us that this is not your data. The answer was withdrawn: nobody can "
        "download it any more.",
        "Sie haben uns gesagt, dass das nicht Ihre Daten sind. Die Antwort wurde "
        "zurückgezogen: Niemand kann sie mehr herunterladen.",
        "Vous nous avez signalé que ce ne sont pas vos données. La réponse a été retirée : "
        "plus personne ne peut la télécharger.",
    ),
    "answer.expired": Text(
        "This answer can no longer be downloaded: its time or its downloads are used up, and "
        "its files were destroyed. For another copy, make a new request.",
        "Diese Antwort kann nicht mehr heruntergeladen werden: Ihre Zeit oder ihre Downloads "
        "sind aufgebraucht, und ihre Dateien wurden vernichtet. Für eine weitere Kopie stellen "
        "Sie eine neue Anfrage.",
        "Cette réponse ne peut plus être téléchargée : son délai ou ses téléchargements sont "
        "épuisés, et ses fichiers ont été détruits. Pour une autre copie, faites une nouvelle "
        "demande.",
    ),
    "answer.contents": Text("What it holds", "Was sie enthält", "Ce qu'elle contient"),
    "answer.files": Text("Files", "Dateien", "Fichiers"),
    "answer.recordings": Text("Recordings", "Aufnahmen", "Enregistrements"),
    "answer.withheld": Text(
        "Recordings of other household members left out",
        "Ausgelassene Aufnahmen anderer Haushaltsmitglieder",
        "Enregistrements d'autres membres du foyer omis",
    ),
    "answer.made": Text("Put together", "Zusammengestellt", "Préparée le"),
    "answer.downloads": Text(
        "Every download of this answer",
        "Jeder Download dieser Antwort",
        "Chaque téléchargement de cette réponse",
    ),
    "answer.no_downloads": Text(
        "It has not been downloaded yet.",
        "Sie wurde noch nicht heruntergeladen.",
        "Elle n'a pas encore été téléchargée.",
    ),
    "answer.when": Text("Time (UTC)", "Zeit (UTC)", "Heure (UTC)"),
    "answer.address": Text("Network address", "Netzwerkadresse", "Adresse réseau"),
    "answer.browser": Text("Browser", "Browser", "Navigateur"),
    "answer.part": Text("Part", "Teil", "Partie"),
    "answer.whole": Text("The whole answer", "Die ganze Antwort", "La réponse entière"),
    "answer.bytes": Text(
        "Bytes {start} to {end}", "Bytes {start} bis {end}", "Octets {start} à {end}"
    ),
    "notmine.title": Text(
        "Tell us that this is not your data",
        "Melden, dass das nicht Ihre Daten sind",
        "Signaler que ce ne sont pas vos données",
    ),
    "notmine.back": Text("Back to the answer", "Zurück zur Antwort", "Retour à la réponse"),
    "notmine.intro": Text("When you confirm:", "Wenn Sie bestätigen:", "Quand vous confirmez :"),
    "notmine.withdrawn": Text(
        "the answer is withdrawn at once: nobody can download it again, not even you;",
        "wird die Antwort sofort zurückgezogen: Niemand kann sie mehr herunterladen, auch "
        "Sie nicht;",
        "la réponse est retirée immédiatement : plus personne ne peut la télécharger, pas "
        "même vous ;",
    ),
    "notmine.team": Text(
        "our privacy team is told at once and opens an incident; where the law requires, "
        "they report it to the data protection authority within 72 hours;",
        "wird unser Datenschutzteam sofort benachrichtigt und eröffnet einen Vorfall; wo das "
        "Gesetz es verlangt, meldet es ihn binnen 72 Stunden der Datenschutzbehörde;",
        "notre équipe chargée de la protection des données est prévenue immédiatement et "
        "ouvre un incident ; lorsque la loi l'exige, elle le notifie à l'autorité de "
        "protection des données dans les 72 heures ;",
    ),
    "notmine.contact": Text(
        "our privacy team may write to you at your e-mail address about what they found.",
        "kann unser Datenschutzteam Ihnen an Ihre E-Mail-Adresse schreiben, was es "
        "herausgefunden hat.",
        "notre équipe chargée de la protection des données peut vous écrire à votre adresse "
        "e-mail pour vous dire ce qu'elle a trouvé.",
    ),
    "notmine.submit": Text(
        "Yes, this is not my data",
        "Ja, das sind nicht meine Daten",
        "Oui, ce ne sont pas mes données",
    ),
    "reported.title": Text(
        "Thank you for telling us", "Danke für Ihre Meldung", "Merci de nous avoir prévenus"
    ),
    "reported.done": Text(
        "The answer was withdrawn. Nobody can download it any more.",
        "Die Antwort wurde zurückgezogen. Niemand kann sie mehr herunterladen.",
        "La réponse a été retirée. Plus personne ne peut la télécharger.",
    ),
    "reported.reference": Text(
        "Incident reference: {incident}",
        "Aktenzeichen des Vorfalls: {incident}",
        "Référence de l'incident : {incident}",
    ),
    "reported.next_title": Text("What happens next", "Wie es weitergeht", "Et ensuite"),
    "reported.next_team": Text(
        "Our privacy team looks into it now. Where the law requires, they report it to the "
        "data protection authority within 72 hours.",
        "Unser Datenschutzteam kümmert sich jetzt darum. Wo das Gesetz es verlangt, meldet es "
        "den Vorfall binnen 72 Stunden der Datenschutzbehörde.",
        "Notre équipe chargée de la protection des données s'en occupe maintenant. Lorsque la "
        "loi l'exige, elle notifie l'incident à l'autorité de protection des données dans les "
        "72 heures.",
    ),
    "reported.next_contact": Text(
        "They may write to you at your e-mail address about what they found.",
        "Es kann Ihnen an Ihre E-Mail-Adresse schreiben, was es herausgefunden hat.",
        "Elle peut vous écrire à votre adresse e-mail pour vous dire ce qu'elle a trouvé.",
    ),
    "reported.next_copies": Text(
        "If you downloaded the answer, please delete every copy and do not pass it on.",
        "Wenn Sie die Antwort heruntergeladen haben, löschen Sie bitte jede Kopie und geben "
        "Sie sie nicht weiter.",
        "Si vous avez téléchargé la réponse, supprimez-en toute copie et ne la transmettez pas.",
    ),
    # The console (staff) and two-step sign-in -------------------------------
    "console.tagline": Text(
        "Console for the privacy team",
        "Konsole für das Datenschutzteam",
        "Console de l'équipe chargée de la protection des données",
    ),
    "console.nav_label": Text("Console", "Konsole", "Console"),
    "console.nav_requests": Text("Requests", "Anfragen", "Demandes"),
    "console.nav_incidents": Text("Incidents", "Vorfälle", "Incidents"),
    "console.nav_audit": Text("Audit", "Prüfprotokoll", "Journal d'audit"),
    "console.nav_dashboard": Text("Dashboard", "Übersicht", "Tableau de bord"),
    "console.nav_staff": Text("Staff", "Mitarbeitende", "Personnel"),
    "console.nav_records": Text(
        "Record of processing", "Verarbeitungsverzeichnis", "Registre des traitements"
    ),
    "records.pdf": Text(
        "Download this record as PDF:",
        "Dieses Verzeichnis als PDF herunterladen:",
        "Télécharger ce registre en PDF :",
    ),
    "console.signed_in_as": Text(
        "Signed in as {name}", "Angemeldet als {name}", "Connecté en tant que {name}"
    ),
    "console.role_agent": Text("agent", "Sachbearbeitung", "agent"),
    "console.role_approver": Text("approver", "Freigabe", "approbateur"),
    "console.role_dpo": Text(
        "data-protection officer",
        "Datenschutzbeauftragte(r)",
        "délégué à la protection des données",
    ),
    "console.role_admin": Text("admin", "Verwaltung", "administrateur"),
    "console.signin_title": Text(
        "Sign in to the console", "Bei der Konsole anmelden", "Se connecter à la console"
    ),
    "console.signin_intro": Text(
        "For the privacy team. You need your login name, your password and the "
        "authenticator app on your phone.",
        "Für das Datenschutzteam. Sie brauchen Ihren Anmeldenamen, Ihr Passwort und die "
        "Authenticator-App auf Ihrem Telefon.",
        "Pour l'équipe chargée de la protection des données. Il vous faut votre identifiant, "
        "votre mot de passe et l'application d'authentification de votre téléphone.",
    ),
    "console.signin_name": Text("Login name", "Anmeldename", "Identifiant"),
    "console.signin_name_missing": Text(
        "Enter your login name", "Geben Sie Ihren Anmeldenamen ein", "Saisissez votre identifiant"
    ),
    "console.signin_wrong": Text(
        "The login name or the password is wrong. Check both and try again.",
        "Anmeldename oder Passwort ist falsch. Prüfen Sie beides und versuchen Sie es erneut.",
        "L'identifiant ou le mot de passe est incorrect. Vérifiez les deux et réessayez.",
    ),
    "console.signin_continue": Text("Continue", "Weiter", "Continuer"),
    "console.signin_submit": Text("Sign in", "Anmelden", "Se connecter"),
    "console.signin_expired": Text(
        "That sign-in took too long or was finished already. Start again with your name "
        "and password.",
        "Diese Anmeldung hat zu lange gedauert oder war schon abgeschlossen. Beginnen Sie "
        "noch einmal mit Name und Passwort.",
        "Cette connexion a pris trop de temps ou était déjà terminée. Recommencez avec votre "
        "identifiant et votre mot de passe.",
    ),
    "console.code_title": Text(
        "Enter the code from your app",
        "Code aus Ihrer App eingeben",
        "Saisissez le code de votre application",
    ),
    "console.code_intro": Text(
        "Open the authenticator app on your phone and enter the 6-digit code it shows for voxkeep.",
        "Öffnen Sie die Authenticator-App auf Ihrem Telefon und geben Sie den 6-stelligen "
        "Code ein, den sie für voxkeep zeigt.",
        "Ouvrez l'application d'authentification de votre téléphone et saisissez le code à "
        "6 chiffres qu'elle affiche pour voxkeep.",
    ),
    "console.code_label": Text("6-digit code", "6-stelliger Code", "Code à 6 chiffres"),
    "console.code_missing": Text(
        "Enter the 6-digit code from your app",
        "Geben Sie den 6-stelligen Code aus Ihrer App ein",
        "Saisissez le code à 6 chiffres de votre application",
    ),
    "console.code_wrong": Text(
        "The code is wrong or was used already. Enter the code your app shows now.",
        "Der Code ist falsch oder wurde schon verwendet. Geben Sie den Code ein, den Ihre "
        "App jetzt zeigt.",
        "Le code est incorrect ou a déjà servi. Saisissez le code que votre application "
        "affiche maintenant.",
    ),
    "console.code_restart": Text(
        "Start again with your name and password",
        "Noch einmal mit Name und Passwort beginnen",
        "Recommencer avec l'identifiant et le mot de passe",
    ),
    "console.enrol_title": Text(
        "Set up your authenticator app",
        "Authenticator-App einrichten",
        "Configurez votre application d'authentification",
    ),
    "console.enrol_intro": Text(
        "Staff sign in with a code from an authenticator app as well as the password. "
        "You have none set up yet; it takes a minute.",
        "Mitarbeitende melden sich zusätzlich zum Passwort mit einem Code aus einer "
        "Authenticator-App an. Sie haben noch keine eingerichtet; das dauert eine Minute.",
        "Le personnel se connecte avec un code d'application d'authentification en plus du "
        "mot de passe. Vous n'en avez pas encore configuré ; cela prend une minute.",
    ),
    "console.enrol_scan": Text(
        "Scan this QR code with the app,",
        "Scannen Sie diesen QR-Code mit der App,",
        "Scannez ce code QR avec l'application,",
    ),
    "console.enrol_qr_label": Text(
        "QR code of your authenticator secret",
        "QR-Code Ihres Authenticator-Schlüssels",
        "Code QR de votre clé d'authentification",
    ),
    "console.enrol_type": Text(
        "or type this key into it:",
        "oder tippen Sie diesen Schlüssel ein:",
        "ou saisissez-y cette clé :",
    ),
    "console.enrol_uri": Text(
        "The same as a link (otpauth)",
        "Dasselbe als Link (otpauth)",
        "La même chose sous forme de lien (otpauth)",
    ),
    "console.enrol_confirm": Text(
        "Enter the code the app now shows: that confirms the app and signs you in.",
        "Geben Sie den Code ein, den die App jetzt zeigt: Das bestätigt die App und meldet Sie an.",
        "Saisissez le code que l'application affiche maintenant : cela confirme "
        "l'application et vous connecte.",
    ),
    "console.queue_title": Text("Requests", "Anfragen", "Demandes"),
    "console.queue_intro": Text(
        "Soonest due first. Overdue requests and those due within {days} days are marked.",
        "Die am frühesten fälligen zuerst. Überfällige und in {days} Tagen fällige Anfragen "
        "sind markiert.",
        "Les plus urgentes d'abord. Les demandes en retard et celles dues dans les {days} "
        "jours sont signalées.",
    ),
    "console.queue_filters": Text("Filters", "Filter", "Filtres"),
    "console.queue_caption": Text(
        "Requests by due date", "Anfragen nach Fälligkeit", "Demandes par échéance"
    ),
    "console.queue_csv": Text(
        "Download this list (CSV)",
        "Diese Liste herunterladen (CSV)",
        "Télécharger cette liste (CSV)",
    ),
    "console.queue_empty": Text(
        "No request matches these filters.",
        "Keine Anfrage entspricht diesen Filtern.",
        "Aucune demande ne correspond à ces filtres.",
    ),
    "console.field_request": Text("Request", "Anfrage", "Demande"),
    "console.field_state": Text("State", "Status", "État"),
    "console.field_blocked": Text("Blocked because", "Gesperrt, weil", "Bloquée car"),
    "console.field_waiting": Text(
        "Held up by a fault", "Durch eine Störung aufgehalten", "Retardée par une panne"
    ),
    "console.fault_storage": Text(
        "storage full or failing", "Speicher voll oder gestört", "stockage plein ou défaillant"
    ),
    "console.fault_database": Text(
        "database unavailable", "Datenbank nicht erreichbar", "base de données indisponible"
    ),
    "console.fault_mail": Text(
        "mail server unavailable", "Mailserver nicht erreichbar", "serveur de courrier indisponible"
    ),
    "console.job_waiting": Text(
        "Waiting: {cause} since {since} UTC, retrying",
        "Wartet: {cause} seit {since} UTC, neuer Versuch folgt",
        "En attente : {cause} depuis {since} UTC, nouvel essai prévu",
    ),
    "console.notice_late": Text(
        "Notice to the person late: {cause} since {since} UTC, retrying",
        "Mitteilung an die Person verspätet: {cause} seit {since} UTC, neuer Versuch folgt",
        "Avis à la personne en retard : {cause} depuis {since} UTC, nouvel essai prévu",
    ),
    "console.notice_gave_up": Text(
        "Notice to the person not sent: {cause} since {since} UTC; retry the failed job",
        "Mitteilung an die Person nicht gesendet: {cause} seit {since} UTC; "
        "fehlgeschlagenen Auftrag erneut starten",
        "Avis à la personne non envoyé : {cause} depuis {since} UTC ; relancer la tâche échouée",
    ),
    "console.job_gave_up": Text(
        "Job gave up: {cause} since {since} UTC; retry the failed job",
        "Auftrag aufgegeben: {cause} seit {since} UTC; fehlgeschlagenen Auftrag erneut starten",
        "Tâche abandonnée : {cause} depuis {since} UTC ; relancer la tâche échouée",
    ),
    "console.tag_waiting": Text("Held up", "Aufgehalten", "Retardée"),
    "console.tag_notice_late": Text("Notice late", "Mitteilung verspätet", "Avis en retard"),
    "console.blocked_incident": Text(
        "See incident {id}", "Siehe Vorfall {id}", "Voir l'incident {id}"
    ),
    "console.field_kind": Text("Kind", "Art", "Type"),
    "console.field_channel": Text("Channel", "Eingangsweg", "Canal"),
    "console.field_received": Text("Received", "Eingegangen", "Reçue"),
    "console.field_due": Text("Due", "Fällig", "Échéance"),
    "console.field_days_left": Text("Days left", "Tage übrig", "Jours restants"),
    "console.state_owed": Text(
        "Answer still owed", "Antwort noch geschuldet", "Réponse encore due"
    ),
    "console.state_all": Text("All", "Alle", "Toutes"),
    # A request's state in the console's words (requests.models.RequestState).
    "console.state_received": Text("Received", "Eingegangen", "Reçue"),
    "console.state_verifying": Text(
        "Verifying identity", "Identität wird geprüft", "Vérification de l'identité"
    ),
    "console.state_paused": Text(
        "Waiting for the person", "Wartet auf die Person", "En attente de la personne"
    ),
    "console.state_verified": Text("Identity verified", "Identität bestätigt", "Identité vérifiée"),
    "console.state_building": Text("Being carried out", "In Ausführung", "En cours d'exécution"),
    "console.state_checking": Text(
        "In the release check", "In der Freigabeprüfung", "En contrôle avant remise"
    ),
    "console.state_ready": Text("Ready to deliver", "Bereit zur Übergabe", "Prête à remettre"),
    "console.state_delivered": Text("Delivered", "Übergeben", "Remise"),
    "console.state_closed": Text("Closed", "Abgeschlossen", "Clôturée"),
    "console.state_refused": Text("Refused", "Abgelehnt", "Refusée"),
    "console.state_cancelled": Text("Cancelled", "Storniert", "Annulée"),
    # Blocked: by the release gate, a job that gave up, "not my data" or a containment;
    # the page says which beside it.
    "console.state_blocked": Text("Blocked", "Angehalten", "Bloquée"),
    # What voxkeep says of a request's step it writes itself (request_events.params,
    # requests.models.Said), worded as shown.
    "console.said_reauthenticated": Text(
        "The person re-entered their password in the portal",
        "Die Person hat im Portal ihr Passwort erneut eingegeben",
        "La personne a ressaisi son mot de passe dans le portail",
    ),
    "console.said_code_by_mail": Text(
        "Verification by a code mailed to the account's address",
        "Prüfung mit einem Code an die Adresse des Kontos",
        "Vérification par un code envoyé à l'adresse du compte",
    ),
    "console.said_code_sent_again": Text(
        "A new code sent; the earlier one is void",
        "Neuer Code gesendet; der frühere ist ungültig",
        "Nouveau code envoyé ; le précédent n'est plus valable",
    ),
    "console.said_code_awaited": Text(
        "Waiting for the person to give back the code (valid until {until} UTC); clock paused",
        "Warten, bis die Person den Code nennt (gültig bis {until} UTC); Frist angehalten",
        "En attente du code de la personne (valable jusqu'au {until} UTC) ; délai suspendu",
    ),
    "console.said_code_mail_failed": Text(
        "The code mail could not be sent; clock running again",
        "Die Mail mit dem Code konnte nicht gesendet werden; die Frist läuft wieder",
        "Le courriel du code n'a pas pu être envoyé ; le délai court de nouveau",
    ),
    "console.said_code_expired": Text(
        "Code expired",
        "Code abgelaufen",
        "Code expiré",
    ),
    "console.said_code_wrong": Text(
        "Wrong code entered ({attempt} of {attempts})",
        "Falscher Code eingegeben ({attempt} von {attempts})",
        "Code erroné saisi ({attempt} sur {attempts})",
    ),
    "console.said_code_void": Text(
        "Wrong code entered ({attempt} of {attempts}); the code is void",
        "Falscher Code eingegeben ({attempt} von {attempts}); der Code ist ungültig",
        "Code erroné saisi ({attempt} sur {attempts}) ; le code n'est plus valable",
    ),
    "console.said_code_confirmed": Text(
        "Code confirmed",
        "Code bestätigt",
        "Code confirmé",
    ),
    "console.said_address_changed": Text(
        "The account's e-mail address was changed by the operator",
        "Die E-Mail-Adresse des Kontos wurde vom Betreiber geändert",
        "L'adresse e-mail du compte a été modifiée par l'exploitant",
    ),
    "console.said_address_confirmed": Text(
        "The account's changed e-mail address was confirmed for this request",
        "Die geänderte E-Mail-Adresse des Kontos wurde für diese Anfrage bestätigt",
        "La nouvelle adresse e-mail du compte a été confirmée pour cette demande",
    ),
    "console.said_extended": Text(
        "Deadline extended by {months} month(s)",
        "Frist um {months} Monat(e) verlängert",
        "Délai prolongé de {months} mois",
    ),
    "console.said_notice_mailed": Text(
        "Notice mailed to the account's verified address: {notice}",
        "Mitteilung an die bestätigte Adresse des Kontos gemailt: {notice}",
        "Avis envoyé à l'adresse vérifiée du compte : {notice}",
    ),
    "console.said_notice_extended": Text(
        "deadline extended",
        "Frist verlängert",
        "délai prolongé",
    ),
    "console.said_notice_refused": Text(
        "request refused",
        "Anfrage abgelehnt",
        "demande refusée",
    ),
    "console.said_withdrawn": Text(
        "Withdrawn by the person in the portal",
        "Von der Person im Portal zurückgezogen",
        "Retirée par la personne dans le portail",
    ),
    "console.said_account_erased": Text(
        "The account was erased (receipt {receipt})",
        "Das Konto wurde gelöscht (Quittung {receipt})",
        "Le compte a été effacé (reçu {receipt})",
    ),
    "console.said_account_erased_by": Text(
        "The account was erased by request {request}",
        "Das Konto wurde durch die Anfrage {request} gelöscht",
        "Le compte a été effacé par la demande {request}",
    ),
    "console.said_erased": Text(
        "Erased; receipt {receipt}",
        "Gelöscht; Quittung {receipt}",
        "Effacé ; reçu {receipt}",
    ),
    "console.said_receipt_mailed": Text(
        "Signed receipt and its salt mailed to the address the account had",
        "Signierte Quittung und ihr Salt an die Adresse des Kontos gemailt",
        "Reçu signé et son sel envoyés à l'adresse qu'avait le compte",
    ),
    "console.said_receipt_not_mailed": Text(
        "The receipt could not be mailed (no verified address, or the mail failed)",
        "Die Quittung konnte nicht gemailt werden (keine bestätigte Adresse, oder die Mail "
        "scheiterte)",
        "Le reçu n'a pas pu être envoyé (pas d'adresse vérifiée, ou l'envoi a échoué)",
    ),
    "console.said_expired": Text(
        "The answer expired",
        "Die Antwort ist abgelaufen",
        "La réponse a expiré",
    ),
    "console.said_not_mine": Text(
        "The person said the answer holds someone else's data",
        "Die Person gab an, die Antwort enthalte Daten anderer",
        "La personne a signalé que la réponse contient les données de quelqu'un d'autre",
    ),
    "console.said_contained": Text(
        "The answer was revoked to contain an incident",
        "Die Antwort wurde widerrufen, um einen Vorfall einzudämmen",
        "La réponse a été révoquée pour contenir un incident",
    ),
    "console.said_check_failed": Text(
        "Stopped: {failure}, check {check}",
        "Gestoppt: {failure}, Prüfung {check}",
        "Arrêtée : {failure}, contrôle {check}",
    ),
    "console.said_job_failed": Text(
        "its job gave up",
        "ihr Auftrag gab auf",
        "sa tâche a abandonné",
    ),
    "console.any": Text("Any", "Alle", "Tous"),
    "console.filter": Text("Show", "Anzeigen", "Afficher"),
    "console.paused": Text("clock paused", "Frist angehalten", "délai suspendu"),
    "console.overdue": Text("Overdue", "Überfällig", "En retard"),
    "console.at_risk": Text("Due soon", "Bald fällig", "Bientôt due"),
    "console.new_title": Text(
        "Enter a request received by e-mail, post or phone",
        "Per E-Mail, Post oder Telefon erhaltene Anfrage erfassen",
        "Saisir une demande reçue par e-mail, courrier ou téléphone",
    ),
    "console.new_intro": Text(
        "For a request that reached you by e-mail, letter or phone. The deadline runs from the "
        "day it arrived. A code then goes to the account's own e-mail address to verify it.",
        "Für eine Anfrage, die Sie per E-Mail, Brief oder Telefon erreicht hat. Die Frist läuft "
        "ab dem Eingangstag. Zur Prüfung geht danach ein Code an die eigene E-Mail-Adresse des "
        "Kontos.",
        "Pour une demande reçue par e-mail, courrier ou téléphone. Le délai court à partir du "
        "jour de réception. Un code est ensuite envoyé à l'adresse e-mail du compte pour la "
        "vérifier.",
    ),
    "console.new_account": Text(
        "Account id",
        "Konto-ID",
        "Identifiant du compte",
    ),
    "console.new_account_hint": Text(
        "The operator's id of the account the request is about (not a name or an e-mail address).",
        "Die ID des Betreibers für das Konto, um das es geht (kein Name, keine E-Mail-Adresse).",
        "L'identifiant, chez l'opérateur, du compte concerné (ni un nom ni une adresse e-mail).",
    ),
    "console.new_account_missing": Text(
        "Enter the account id",
        "Geben Sie die Konto-ID ein",
        "Saisissez l'identifiant du compte",
    ),
    "console.new_kind_missing": Text(
        "Choose the kind of request",
        "Wählen Sie die Art der Anfrage",
        "Choisissez le type de demande",
    ),
    "console.new_channel_missing": Text(
        "Choose how the request came in",
        "Wählen Sie, wie die Anfrage einging",
        "Choisissez comment la demande est arrivée",
    ),
    "console.new_received": Text(
        "Day it arrived (optional)",
        "Eingangstag (optional)",
        "Jour de réception (facultatif)",
    ),
    "console.new_received_hint": Text(
        "Year-month-day, UTC. Leave empty for today.",
        "Jahr-Monat-Tag, UTC. Leer lassen für heute.",
        "Année-mois-jour, UTC. Laissez vide pour aujourd'hui.",
    ),
    "console.new_note": Text(
        "Internal note (optional, stored encrypted)",
        "Interne Notiz (optional, verschlüsselt gespeichert)",
        "Note interne (facultative, conservée chiffrée)",
    ),
    "console.new_submit": Text(
        "Enter the request",
        "Anfrage erfassen",
        "Saisir la demande",
    ),
    "console.request_title": Text(
        "Request",
        "Anfrage",
        "Demande",
    ),
    "console.days_left": Text(
        "{days} days left",
        "noch {days} Tage",
        "{days} jours restants",
    ),
    "console.extended_by": Text(
        "extended by {months} months",
        "um {months} Monate verlängert",
        "prolongée de {months} mois",
    ),
    "console.field_account": Text(
        "Account",
        "Konto",
        "Compte",
    ),
    "console.erased": Text(
        "(erased)",
        "(gelöscht)",
        "(effacé)",
    ),
    "console.unreadable": Text(
        "(unreadable: the account was erased)",
        "(nicht lesbar: das Konto wurde gelöscht)",
        "(illisible : le compte a été effacé)",
    ),
    # A request's kind, channel and verification method (requests.models), worded as shown.
    "console.kind_access": Text("Access (Art. 15)", "Auskunft (Art. 15)", "Accès (art. 15)"),
    "console.kind_portability": Text(
        "Portability (Art. 20)", "Datenübertragbarkeit (Art. 20)", "Portabilité (art. 20)"
    ),
    "console.kind_erasure": Text("Erasure (Art. 17)", "Löschung (Art. 17)", "Effacement (art. 17)"),
    "console.channel_portal": Text("Portal", "Portal", "Portail"),
    "console.channel_email": Text("E-mail", "E-Mail", "Courriel"),
    "console.channel_post": Text("Post", "Brief", "Courrier postal"),
    "console.channel_phone": Text("Phone", "Telefon", "Téléphone"),
    "console.method_reauth": Text(
        "Password re-entered in the portal",
        "Passwort im Portal erneut eingegeben",
        "Mot de passe ressaisi dans le portail",
    ),
    "console.method_email_code": Text(
        "Code mailed to the account's address",
        "Code an die Adresse des Kontos gemailt",
        "Code envoyé à l'adresse du compte",
    ),
    # A request's background jobs (their kinds and jobs.models.JobState), worded as shown.
    "console.job_kind_export_build": Text(
        "Build the answer", "Antwort erstellen", "Préparer la réponse"
    ),
    "console.job_kind_erasure_run": Text("Erase the account", "Konto löschen", "Effacer le compte"),
    "console.job_kind_request_notify": Text(
        "Mail a notice to the person",
        "Mitteilung an die Person mailen",
        "Envoyer un avis à la personne",
    ),
    "console.job_kind_export_notify_ready": Text(
        "Mail the person that the answer is ready",
        "Der Person mailen, dass die Antwort bereitliegt",
        "Prévenir la personne que la réponse est prête",
    ),
    "console.job_kind_export_expire": Text(
        "Expire the answer", "Antwort ablaufen lassen", "Faire expirer la réponse"
    ),
    "console.job_kind_erasure_receipt_mail": Text(
        "Mail the erasure receipt", "Löschbestätigung mailen", "Envoyer le reçu d'effacement"
    ),
    "console.job_state_queued": Text("Waiting its turn", "Wartet", "En attente"),
    "console.job_state_running": Text("Running", "Läuft", "En cours"),
    "console.job_state_done": Text("Done", "Erledigt", "Terminée"),
    "console.job_state_failed": Text(
        "Failed: needs a person",
        "Fehlgeschlagen: braucht einen Menschen",
        "Échouée : demande une intervention",
    ),
    "console.last_error": Text(
        "last error: {error}", "letzter Fehler: {error}", "dernière erreur : {error}"
    ),
    # Why a request is blocked (requests.views.Blocked), worded as shown.
    "console.blocked_fault": Text(
        "The job “{job}” gave up after a fault: {cause} since {since} UTC",
        "Der Auftrag „{job}“ gab nach einer Störung auf: {cause} seit {since} UTC",
        "La tâche « {job} » a abandonné après une panne : {cause} depuis {since} UTC",
    ),
    "console.blocked_failed": Text(
        "The job “{job}” failed after {attempts} attempts",
        "Der Auftrag „{job}“ schlug nach {attempts} Versuchen fehl",
        "La tâche « {job} » a échoué après {attempts} tentatives",
    ),
    "console.blocked_check": Text(
        "{failure}, check {check}", "{failure}, Prüfung {check}", "{failure}, contrôle {check}"
    ),
    "console.blocked_unknown": Text(
        "No cause recorded", "Keine Ursache verzeichnet", "Aucune cause enregistrée"
    ),
    "console.field_entered_by": Text(
        "Entered by",
        "Erfasst von",
        "Saisie par",
    ),
    "console.field_approved_by": Text(
        "Approved by",
        "Freigegeben von",
        "Approuvée par",
    ),
    "console.evidence_title": Text(
        "Verification",
        "Prüfung",
        "Vérification",
    ),
    "console.field_verified_by": Text(
        "Verified by",
        "Geprüft von",
        "Vérifiée par",
    ),
    "console.field_method": Text(
        "Method",
        "Verfahren",
        "Méthode",
    ),
    "console.field_evidence": Text(
        "Evidence",
        "Nachweis",
        "Preuve",
    ),
    "console.field_code_expires": Text(
        "Code valid until",
        "Code gültig bis",
        "Code valable jusqu'au",
    ),
    "console.field_address": Text(
        "E-mail address",
        "E-Mail-Adresse",
        "Adresse e-mail",
    ),
    "console.address_pending": Text(
        "Changed after the request came in: confirm the change before a code is sent.",
        "Nach Eingang der Anfrage geändert: Bestätigen Sie die Änderung, bevor ein Code "
        "gesendet wird.",
        "Modifiée après l'arrivée de la demande : confirmez la modification avant d'envoyer un "
        "code.",
    ),
    "console.address_confirmed": Text(
        "Change confirmed by {who}",
        "Änderung bestätigt von {who}",
        "Modification confirmée par {who}",
    ),
    "console.field_extension_reason": Text(
        "Reason for the extension",
        "Grund der Verlängerung",
        "Motif de la prolongation",
    ),
    "console.field_refusal_reason": Text(
        "Reason for the refusal",
        "Grund der Ablehnung",
        "Motif du refus",
    ),
    "console.actions_title": Text(
        "What you can do",
        "Was Sie tun können",
        "Ce que vous pouvez faire",
    ),
    "console.actions_none": Text(
        "Nothing for you to do on this request now.",
        "Für Sie gibt es bei dieser Anfrage jetzt nichts zu tun.",
        "Rien à faire pour vous sur cette demande pour l'instant.",
    ),
    "console.action_send_code": Text(
        "Send the verification code",
        "Prüfcode senden",
        "Envoyer le code de vérification",
    ),
    "console.action_send_code_hint": Text(
        "A code goes to the account's own e-mail address; the clock pauses until the person "
        "gives it back.",
        "Ein Code geht an die eigene E-Mail-Adresse des Kontos; die Frist ruht, bis die Person "
        "ihn zurückgibt.",
        "Un code est envoyé à l'adresse e-mail du compte ; le délai est suspendu jusqu'à ce que "
        "la personne le communique.",
    ),
    "console.action_confirm_address": Text(
        "Confirm the changed address",
        "Geänderte Adresse bestätigen",
        "Confirmer l'adresse modifiée",
    ),
    "console.action_confirm_address_hint": Text(
        "First make sure, through a channel you already know, that the new address is the "
        "person's.",
        "Stellen Sie zuerst über einen bekannten Weg sicher, dass die neue Adresse der Person "
        "gehört.",
        "Assurez-vous d'abord, par un canal déjà connu, que la nouvelle adresse est celle de la "
        "personne.",
    ),
    "console.action_check_code": Text(
        "Enter the code the person gave back",
        "Von der Person zurückgegebenen Code eingeben",
        "Saisir le code communiqué par la personne",
    ),
    "console.field_code": Text(
        "Code (8 digits)",
        "Code (8 Ziffern)",
        "Code (8 chiffres)",
    ),
    "console.field_evidence_how": Text(
        "How the person gave it",
        "Wie die Person ihn übermittelt hat",
        "Comment la personne l'a communiqué",
    ),
    "console.action_approve": Text(
        "Approve",
        "Freigeben",
        "Approuver",
    ),
    "console.action_approve_hint": Text(
        "The second pair of eyes: work on the answer (or the erasure) starts.",
        "Das zweite Augenpaar: Die Arbeit an der Antwort (oder der Löschung) beginnt.",
        "Le second regard : le travail sur la réponse (ou l'effacement) commence.",
    ),
    "console.action_extend": Text(
        "Extend the deadline",
        "Frist verlängern",
        "Prolonger le délai",
    ),
    "console.field_months": Text(
        "By how many months",
        "Um wie viele Monate",
        "De combien de mois",
    ),
    "console.field_reason_person": Text(
        "Reason (sent to the person; no personal data)",
        "Grund (geht an die Person; keine personenbezogenen Daten)",
        "Motif (envoyé à la personne ; sans données personnelles)",
    ),
    "console.action_refuse": Text(
        "Refuse the request",
        "Anfrage ablehnen",
        "Refuser la demande",
    ),
    "console.action_cancel": Text(
        "Cancel the request",
        "Anfrage abbrechen",
        "Annuler la demande",
    ),
    "console.field_reason": Text(
        "Reason",
        "Grund",
        "Motif",
    ),
    "console.jobs_title": Text(
        "Background work",
        "Hintergrundarbeit",
        "Travail en arrière-plan",
    ),
    "console.field_job": Text(
        "Job",
        "Aufgabe",
        "Tâche",
    ),
    "console.field_attempts": Text(
        "Attempts",
        "Versuche",
        "Tentatives",
    ),
    "console.field_error": Text(
        "Last error",
        "Letzter Fehler",
        "Dernière erreur",
    ),
    "console.timeline_title": Text(
        "Timeline",
        "Verlauf",
        "Historique",
    ),
    "console.field_when": Text(
        "When (UTC)",
        "Wann (UTC)",
        "Quand (UTC)",
    ),
    "console.field_step": Text(
        "Step",
        "Schritt",
        "Étape",
    ),
    "console.field_who": Text(
        "Who",
        "Wer",
        "Qui",
    ),
    "console.field_note": Text(
        "Note",
        "Notiz",
        "Note",
    ),
    "console.back_to_queue": Text(
        "Back to the requests",
        "Zurück zu den Anfragen",
        "Retour aux demandes",
    ),
    "console.done_entered": Text(
        "The request is entered. Next: send the verification code to the account's address.",
        "Die Anfrage ist erfasst. Als Nächstes: den Prüfcode an die Adresse des Kontos senden.",
        "La demande est saisie. Ensuite : envoyer le code de vérification à l'adresse du compte.",
    ),
    "console.done_send_code": Text(
        "The code is sent and the clock is paused. Next: enter the code when the person gives "
        "it back.",
        "Der Code ist gesendet und die Frist ruht. Als Nächstes: den Code eingeben, sobald die "
        "Person ihn zurückgibt.",
        "Le code est envoyé et le délai suspendu. Ensuite : saisir le code dès que la personne "
        "le communique.",
    ),
    "console.done_confirm_address": Text(
        "The changed address is confirmed for this request. Next: send the code.",
        "Die geänderte Adresse ist für diese Anfrage bestätigt. Als Nächstes: den Code senden.",
        "L'adresse modifiée est confirmée pour cette demande. Ensuite : envoyer le code.",
    ),
    "console.done_check_code": Text(
        "The request is verified. Next: someone else with the approver role approves it.",
        "Die Anfrage ist geprüft. Als Nächstes: Eine andere Person mit der Freigaberolle gibt "
        "sie frei.",
        "La demande est vérifiée. Ensuite : une autre personne ayant le rôle d'approbateur "
        "l'approuve.",
    ),
    "console.done_approve": Text(
        "Approved. The answer is being prepared; the person is told by e-mail when it is ready.",
        "Freigegeben. Die Antwort wird vorbereitet; die Person erfährt per E-Mail, wenn sie "
        "bereit ist.",
        "Approuvée. La réponse est en préparation ; la personne sera prévenue par e-mail "
        "lorsqu'elle sera prête.",
    ),
    "console.done_extend": Text(
        "The deadline is extended. The person is told the reasons by e-mail.",
        "Die Frist ist verlängert. Die Person erhält die Gründe per E-Mail.",
        "Le délai est prolongé. La personne reçoit les motifs par e-mail.",
    ),
    "console.done_refuse": Text(
        "The request is refused. The person is told the reasons and their right to complain by "
        "e-mail.",
        "Die Anfrage ist abgelehnt. Die Person erhält per E-Mail die Gründe und ihr "
        "Beschwerderecht.",
        "La demande est refusée. La personne reçoit par e-mail les motifs et son droit de "
        "réclamation.",
    ),
    "console.done_cancel": Text(
        "The request is cancelled.",
        "Die Anfrage ist abgebrochen.",
        "La demande est annulée.",
    ),
    "nav.two_step": Text(
        "Two-step sign-in",
        "Anmeldung in zwei Schritten",
        "Connexion en deux étapes",
    ),
    "signin.code": Text(
        "Code from your authenticator app",
        "Code aus Ihrer Authenticator-App",
        "Code de votre application d'authentification",
    ),
    "signin.code_hint": Text(
        "Only if you turned on two-step sign-in.",
        "Nur, wenn Sie die Anmeldung in zwei Schritten eingeschaltet haben.",
        "Seulement si vous avez activé la connexion en deux étapes.",
    ),
    "signin.code_needed": Text(
        "Two-step sign-in is on: enter your password again and the code your app shows",
        "Die Anmeldung in zwei Schritten ist eingeschaltet: Geben Sie Ihr Passwort noch einmal "
        "und den Code aus Ihrer App ein",
        "La connexion en deux étapes est activée : saisissez à nouveau votre mot de passe et le "
        "code affiché par votre application",
    ),
    "signin.code_wrong": Text(
        "The code is wrong or was used already: enter the code your app shows now",
        "Der Code ist falsch oder wurde schon verwendet: Geben Sie den Code ein, den Ihre App "
        "jetzt zeigt",
        "Le code est incorrect ou a déjà servi : saisissez le code que votre application "
        "affiche maintenant",
    ),
    "two_step.title": Text(
        "Two-step sign-in",
        "Anmeldung in zwei Schritten",
        "Connexion en deux étapes",
    ),
    "two_step.is_off": Text(
        "Two-step sign-in is off. When it is on, signing in asks for a code from an "
        "authenticator app on your phone as well as your password, so a stolen password alone "
        "is not enough.",
        "Die Anmeldung in zwei Schritten ist ausgeschaltet. Eingeschaltet fragt die Anmeldung "
        "außer nach Ihrem Passwort nach einem Code aus einer Authenticator-App auf Ihrem "
        "Telefon; ein gestohlenes Passwort allein reicht dann nicht.",
        "La connexion en deux étapes est désactivée. Activée, la connexion demande, en plus du "
        "mot de passe, un code d'une application d'authentification sur votre téléphone : un "
        "mot de passe volé ne suffit alors plus.",
    ),
    "two_step.is_on": Text(
        "Two-step sign-in is on: signing in asks for a code from your authenticator app.",
        "Die Anmeldung in zwei Schritten ist eingeschaltet: Die Anmeldung fragt nach einem Code "
        "aus Ihrer Authenticator-App.",
        "La connexion en deux étapes est activée : la connexion demande un code de votre "
        "application d'authentification.",
    ),
    "two_step.start": Text(
        "Set up an authenticator app",
        "Authenticator-App einrichten",
        "Configurer une application d'authentification",
    ),
    "two_step.setting_up": Text(
        "Scan this QR code with your authenticator app, then enter the code it shows.",
        "Scannen Sie diesen QR-Code mit Ihrer Authenticator-App und geben Sie dann den Code "
        "ein, den sie zeigt.",
        "Scannez ce code QR avec votre application d'authentification, puis saisissez le code "
        "qu'elle affiche.",
    ),
    "two_step.code": Text(
        "6-digit code from your app",
        "6-stelliger Code aus Ihrer App",
        "Code à 6 chiffres de votre application",
    ),
    "two_step.throttled": Text(
        "Too many wrong codes or passwords were tried for your account. Wait {minutes} "
        "minutes, then try again.",
        "Für Ihr Konto wurden zu viele falsche Codes oder Passwörter versucht. Warten Sie "
        "{minutes} Minuten und versuchen Sie es dann noch einmal.",
        "Trop de codes ou de mots de passe erronés ont été essayés pour votre compte. "
        "Attendez {minutes} minutes, puis réessayez.",
    ),
    "two_step.code_missing": Text(
        "Enter the 6-digit code from your app",
        "Geben Sie den 6-stelligen Code aus Ihrer App ein",
        "Saisissez le code à 6 chiffres de votre application",
    ),
    "two_step.turn_on": Text(
        "Turn on two-step sign-in",
        "Anmeldung in zwei Schritten einschalten",
        "Activer la connexion en deux étapes",
    ),
    "two_step.turn_off": Text(
        "Turn off two-step sign-in",
        "Anmeldung in zwei Schritten ausschalten",
        "Désactiver la connexion en deux étapes",
    ),
    "two_step.done_on": Text(
        "Two-step sign-in is on. From now on, signing in asks for a code from your app.",
        "Die Anmeldung in zwei Schritten ist eingeschaltet. Ab jetzt fragt die Anmeldung nach "
        "einem Code aus Ihrer App.",
        "La connexion en deux étapes est activée. Désormais, la connexion demande un code de "
        "votre application.",
    ),
    "two_step.done_off": Text(
        "Two-step sign-in is off. Signing in asks only for your password.",
        "Die Anmeldung in zwei Schritten ist ausgeschaltet. Die Anmeldung fragt nur nach Ihrem "
        "Passwort.",
        "La connexion en deux étapes est désactivée. La connexion ne demande que votre mot de "
        "passe.",
    ),
    # Containment from the incident page (incidents/containment.py; console/incident_contain*.html).
    "contain.title": Text(
        "Contain the breach", "Die Verletzung eindämmen", "Contenir la violation"
    ),
    "contain.intro": Text(
        "Each action takes effect at once and is recorded with this incident. The next page "
        "asks for your password again and for your confirmation.",
        "Jede Maßnahme wirkt sofort und wird bei diesem Vorfall festgehalten. Die nächste Seite "
        "fragt noch einmal nach Ihrem Passwort und nach Ihrer Bestätigung.",
        "Chaque mesure prend effet immédiatement et est consignée avec cet incident. La page "
        "suivante vous redemande votre mot de passe et votre confirmation.",
    ),
    "contain.revoke_title": Text(
        "Revoke every download of the answer",
        "Jeden Download der Antwort widerrufen",
        "Révoquer tout téléchargement de la réponse",
    ),
    "contain.revoke_hint": Text(
        "Every answer of this incident's request that can still be downloaded is withdrawn: "
        "its key is destroyed and its archive deleted. The request is blocked.",
        "Jede Antwort auf den Antrag dieses Vorfalls, die noch heruntergeladen werden kann, wird "
        "zurückgezogen: ihr Schlüssel wird vernichtet und ihr Archiv gelöscht. Der Antrag wird "
        "gesperrt.",
        "Toute réponse à la demande de cet incident encore téléchargeable est retirée : sa clé "
        "est détruite et son archive supprimée. La demande est bloquée.",
    ),
    "contain.suspend_title": Text(
        "Suspend a staff account", "Ein Personalkonto sperren", "Suspendre un compte du personnel"
    ),
    "contain.suspend_hint": Text(
        "The account is disabled and every session of it ends at once.",
        "Das Konto wird deaktiviert, und jede seiner Sitzungen endet sofort.",
        "Le compte est désactivé et chacune de ses sessions prend fin immédiatement.",
    ),
    "contain.field_staff": Text(
        "Staff member's name", "Name des Mitarbeiters", "Nom du membre du personnel"
    ),
    "contain.reset_title": Text(
        "End a person's sessions and require a new password",
        "Sitzungen einer Person beenden und ein neues Passwort verlangen",
        "Mettre fin aux sessions d'une personne et exiger un nouveau mot de passe",
    ),
    "contain.reset_hint": Text(
        "Every session of the person ends and their password stops working; a mail tells them "
        "to choose a new one with a code sent to their own address.",
        "Jede Sitzung der Person endet, und ihr Passwort gilt nicht mehr; eine E-Mail bittet sie, "
        "mit einem an ihre eigene Adresse gesandten Code ein neues zu wählen.",
        "Chaque session de la personne prend fin et son mot de passe ne fonctionne plus ; un "
        "e-mail l'invite à en choisir un nouveau avec un code envoyé à sa propre adresse.",
    ),
    "contain.field_account": Text(
        "The operator's id of the account",
        "Die Kennung des Kontos beim Betreiber",
        "L'identifiant du compte chez l'opérateur",
    ),
    "contain.reassign_title": Text(
        "Move recordings to the account they belong to",
        "Aufnahmen dem richtigen Konto zuordnen",
        "Rattacher des enregistrements au bon compte",
    ),
    "contain.reassign_hint": Text(
        "For a device the operator left on the wrong account (a resold speaker): each of its "
        "recordings from the given time on moves to the right account, re-encrypted for it; "
        "that account gets the device from then on.",
        "Für ein Gerät, das der Betreiber beim falschen Konto ließ (ein weiterverkaufter "
        "Lautsprecher): Jede seiner Aufnahmen ab dem angegebenen Zeitpunkt geht, für es neu "
        "verschlüsselt, an das richtige Konto; dieses erhält das Gerät ab dann.",
        "Pour un appareil que l'opérateur a laissé sur le mauvais compte (une enceinte revendue) "
        ": chacun de ses enregistrements à partir du moment indiqué passe au bon compte, "
        "rechiffré pour lui ; ce compte reçoit l'appareil à partir de là.",
    ),
    "contain.field_device": Text(
        "Device (its id, or its pseudonym in the events above)",
        "Gerät (seine Kennung oder sein Pseudonym in den Ereignissen oben)",
        "Appareil (son identifiant, ou son pseudonyme dans les événements ci-dessus)",
    ),
    "contain.field_since": Text("From", "Ab", "À partir de"),
    "contain.field_since_hint": Text(
        "In UTC, as YYYY-MM-DD HH:MM, e.g. 2026-03-05 07:00.",
        "In UTC, als JJJJ-MM-TT HH:MM, z. B. 2026-03-05 07:00.",
        "En UTC, sous la forme AAAA-MM-JJ HH:MM, par ex. 2026-03-05 07:00.",
    ),
    "contain.field_to_account": Text(
        "The operator's id of the right account",
        "Die Kennung des richtigen Kontos beim Betreiber",
        "L'identifiant du bon compte chez l'opérateur",
    ),
    "contain.field_same_as": Text(
        "His own id for the same device (optional)",
        "Seine eigene Kennung für dasselbe Gerät (optional)",
        "Son propre identifiant pour le même appareil (facultatif)",
    ),
    "contain.field_same_as_hint": Text(
        "If the operator registered the device for him too, the moved recordings take his "
        "name for it. Left empty, the device is named by its kind, never by the first "
        "owner's label.",
        "Hat der Betreiber das Gerät auch für ihn angelegt, tragen die verschobenen Aufnahmen "
        "seinen Namen dafür. Leer gelassen, heißt das Gerät nach seiner Art, nie nach der "
        "Bezeichnung des ersten Besitzers.",
        "Si l'opérateur a aussi enregistré l'appareil pour lui, les enregistrements déplacés "
        "prennent le nom qu'il lui a donné. Laissé vide, l'appareil est nommé par son type, "
        "jamais par le libellé du premier propriétaire.",
    ),
    "contain.continue": Text("Continue", "Weiter", "Continuer"),
    "contain.back": Text("Back to the incident", "Zurück zum Vorfall", "Retour à l'incident"),
    "contain.confirm_title": Text(
        "Check before you confirm", "Vor dem Bestätigen prüfen", "Vérifiez avant de confirmer"
    ),
    "contain.confirm_intro": Text(
        "This takes effect at once and cannot be undone from here.",
        "Das wirkt sofort und lässt sich hier nicht rückgängig machen.",
        "Cela prend effet immédiatement et ne peut pas être annulé d'ici.",
    ),
    "contain.confirm": Text("Confirm", "Bestätigen", "Confirmer"),
    "contain.cancel": Text("Cancel", "Abbrechen", "Annuler"),
    "contain.reauth_title": Text(
        "Confirm it is you", "Bestätigen Sie, dass Sie es sind", "Confirmez que c'est vous"
    ),
    "contain.reauth_intro": Text(
        "Re-enter your password. It stays confirmed for 10 minutes.",
        "Geben Sie Ihr Passwort noch einmal ein. Es bleibt 10 Minuten lang bestätigt.",
        "Saisissez à nouveau votre mot de passe. Il reste confirmé pendant 10 minutes.",
    ),
    "contain.password": Text("Your password", "Ihr Passwort", "Votre mot de passe"),
    "contain.reauth_submit": Text(
        "Confirm my password", "Passwort bestätigen", "Confirmer mon mot de passe"
    ),
    "contain.done_title": Text("Done", "Erledigt", "C'est fait"),
    "contain.done_revoke": Text(
        "Answers revoked now: {count}. Nothing of them can be downloaded any more.",
        "Jetzt widerrufene Antworten: {count}. Nichts davon kann mehr heruntergeladen werden.",
        "Réponses révoquées maintenant : {count}. Plus rien ne peut en être téléchargé.",
    ),
    "contain.done_suspend": Text(
        "The staff account {name} is suspended; its sessions have ended.",
        "Das Personalkonto {name} ist gesperrt; seine Sitzungen sind beendet.",
        "Le compte du personnel {name} est suspendu ; ses sessions ont pris fin.",
    ),
    "contain.done_reset": Text(
        "Sessions ended: {count}. The password no longer works; a mail tells the person how to "
        "choose a new one.",
        "Beendete Sitzungen: {count}. Das Passwort gilt nicht mehr; eine E-Mail sagt der Person, "
        "wie sie ein neues wählt.",
        "Sessions terminées : {count}. Le mot de passe ne fonctionne plus ; un e-mail indique à "
        "la personne comment en choisir un nouveau.",
    ),
    "contain.done_reassign": Text(
        "Recordings moved to {account}: {count}. They now name the device {device}.",
        "Zu {account} verschobene Aufnahmen: {count}. Sie nennen nun das Gerät {device}.",
        "Enregistrements déplacés vers {account} : {count}. Ils désignent maintenant l'appareil "
        "{device}.",
    ),
    "contain.done_next": Text(
        "The incident's events show what was done, by whom and when.",
        "Die Ereignisse des Vorfalls zeigen, was wann von wem getan wurde.",
        "Les événements de l'incident montrent ce qui a été fait, par qui et quand.",
    ),
    # Incident notices (Art. 34): the portal's page and the banner on every page.
    # The page's title is the notices' own: the mail names the page by it.
    "nav.notices": Text(PAGE_TITLE["en"], PAGE_TITLE["de"], PAGE_TITLE["fr"]),
    "notices.banner": Text(
        "We have an important notice for you about your data: read it now",
        "Wir haben eine wichtige Mitteilung zu Ihren Daten für Sie: Lesen Sie sie jetzt",
        "Nous avons un avis important pour vous concernant vos données : lisez-le maintenant",
    ),
    "notices.intro": Text(
        "When something goes wrong with your data, we tell you here and by e-mail (GDPR Art. 34).",
        "Wenn mit Ihren Daten etwas schiefgeht, sagen wir es Ihnen hier und per E-Mail "
        "(Art. 34 DSGVO).",
        "Si un problème touche vos données, nous vous le disons ici et par e-mail "
        "(article 34 du RGPD).",
    ),
    "notices.none": Text(
        "There are no notices for you.",
        "Es gibt keine Mitteilungen für Sie.",
        "Il n'y a aucun avis pour vous.",
    ),
    "notices.new": Text("New", "Neu", "Nouveau"),
    "notices.written": Text("Written on", "Verfasst am", "Rédigé le"),
    "notices.mailed": Text(
        "Sent by e-mail on {when} (UTC).",
        "Per E-Mail gesendet am {when} (UTC).",
        "Envoyé par e-mail le {when} (UTC).",
    ),
    "notices.not_mailed": Text(
        "Not yet sent by e-mail.",
        "Noch nicht per E-Mail gesendet.",
        "Pas encore envoyé par e-mail.",
    ),
}


def language_or_default(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT


def translate(language: str, key: str, **values: object) -> str:
    """The text for key in language (KeyError for an unknown key: a bug, found by the tests)."""
    text: str = getattr(CATALOGUE[key], language_or_default(language))
    return text.format(**values) if values else text
