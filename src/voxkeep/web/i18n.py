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
        "If you choose this, your stored recordings that are already older are deleted "
        "within minutes: {count}.",
        "Wenn Sie das wählen, werden Ihre gespeicherten Aufnahmen, die schon älter sind, "
        "innerhalb von Minuten gelöscht: {count}.",
        "Si vous choisissez ceci, vos enregistrements conservés déjà plus anciens seront "
        "supprimés dans les minutes qui suivent : {count}.",
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
