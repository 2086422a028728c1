"""The words of an answer in the person's language (en, de, fr), and localized dates.

Dates are written out (5 March 2024 / 5. März 2024 / 5 mars 2024) and times are
UTC, said so on every page: voxkeep does not know the person's time zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

MONTHS: Final = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "de": (
        "Januar", "Februar", "März", "April", "Mai", "Juni",
        "Juli", "August", "September", "Oktober", "November", "Dezember",
    ),
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ),
}  # fmt: skip


def long_date(when: datetime, lang: str) -> str:
    month = MONTHS[lang][when.month - 1]
    if lang == "de":
        return f"{when.day}. {month} {when.year}"
    if lang == "fr":
        day = "1er" if when.day == 1 else str(when.day)
        return f"{day} {month} {when.year}"
    return f"{when.day} {month} {when.year}"


def clock(when: datetime) -> str:
    return when.strftime("%H:%M:%S")


def duration(ms: int) -> str:
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


_EN: Final = {
    "title": "Your voice recordings: a copy of your data",
    "pdf_title": "Transcripts of your voice recordings",
    "generated": "Prepared on {date}. All times are UTC.",
    "page": "Page {page}",
    "device": "Device",
    "continued": "continued",
    "date": "Date",
    "time": "Time (UTC)",
    "duration": "Length",
    "speaker": "Speaker",
    "transcript": "Transcript",
    "recording": "Recording",
    "no_transcript": "(no transcript)",
    "no_recordings": "There are no recordings in your account.",
    "withheld": "(withheld: another person's voice, Art. 15(4) GDPR)",
    "other_voice": "voice of {name}",
    "removed": "removed {date}",
    "kind_speaker": "smart speaker",
    "kind_tv": "TV",
    "kind_phone": "phone app",
    "kind_car": "car",
    "kind_other": "other device",
    "count_recordings": "{n} recordings",
    "contents": "What this archive contains",
    "file_recordings": "recordings/ — every recording, as the original audio file (WAV), "
    "in folders by year and month",
    "file_pdf": "transcripts.pdf — all transcripts, by device and time",
    "file_json": "transcripts.json and transcripts.csv — the same rows for computers",
    "file_account": "account.json — your profile, devices, household members and settings",
    "file_requests": "requests.json — your requests to us and what we did",
    "file_manifest": "manifest.json and manifest.sig — a signed list of every file "
    "(to check that nothing was changed)",
    "list": "Your recordings",
    "art15_heading": "Information about the processing (Art. 15(1) GDPR)",
    "a": "Purposes",
    "a_text": "We process your voice recordings and their transcripts to carry out your voice "
    "requests and to let you see, play and delete your voice history.",
    "b": "Categories of personal data",
    "b_text": "Voice recordings ({recordings}), their transcripts, times and devices; your "
    "account data (e-mail address, language, retention choice); your devices ({devices}) and "
    "household voice profiles ({members}); the history of your requests.",
    "c": "Recipients",
    "c_text": "The recordings are stored by the operator of the voice service in an encrypted "
    "vault; they are not disclosed to other recipients.",
    "d": "How long we keep your data",
    "d_text": "Your retention choice is: {retention}. Recordings are deleted automatically "
    "when this period ends, or when you delete them.",
    "e": "Your rights",
    "e_text": "You may ask us to correct (Art. 16), erase (Art. 17) or restrict (Art. 18) your "
    "data, object to its processing (Art. 21), and receive it in a machine-readable form "
    "(Art. 20).",
    "f": "Complaints",
    "f_text": "You have the right to lodge a complaint with a data protection supervisory "
    "authority (Art. 77), in particular in the country where you live or work.",
    "g": "Source of the data",
    "g_text": "The recordings come from the devices registered to your account; your account "
    "data comes from you.",
    "h": "Automated decision-making",
    "h_text": "Speaker recognition suggests which household member spoke; it is not used for "
    "decisions with legal or similarly significant effects on you (Art. 22).",
    "others_heading": "Other people's voices (Art. 15(4) GDPR)",
    "others_include": "Some recordings were attributed to other members of your household. "
    "They are included because they were made by your own devices, and each is marked with "
    "the speaker. Please respect these people's privacy when you share this archive.",
    "others_withhold": "{n} recordings were attributed to other members of your household. "
    "To protect them, their audio and transcripts are not included; they are listed with "
    "their date, device and speaker.",
    "retention_dont_save": "do not save",
    "retention_3_months": "3 months",
    "retention_18_months": "18 months",
    "retention_until_deleted": "until you delete them",
}

_DE: Final = {
    "title": "Ihre Sprachaufnahmen: eine Kopie Ihrer Daten",
    "pdf_title": "Transkripte Ihrer Sprachaufnahmen",
    "generated": "Erstellt am {date}. Alle Zeiten in UTC.",
    "page": "Seite {page}",
    "device": "Gerät",
    "continued": "Fortsetzung",
    "date": "Datum",
    "time": "Uhrzeit (UTC)",
    "duration": "Länge",
    "speaker": "Sprecher",
    "transcript": "Transkript",
    "recording": "Aufnahme",
    "no_transcript": "(kein Transkript)",
    "no_recordings": "In Ihrem Konto gibt es keine Aufnahmen.",
    "withheld": "(zurückgehalten: Stimme einer anderen Person, Art. 15 Abs. 4 DSGVO)",
    "other_voice": "Stimme von {name}",
    "removed": "entfernt am {date}",
    "kind_speaker": "Lautsprecher",
    "kind_tv": "Fernseher",
    "kind_phone": "Handy-App",
    "kind_car": "Auto",
    "kind_other": "anderes Gerät",
    "count_recordings": "{n} Aufnahmen",
    "contents": "Was dieses Archiv enthält",
    "file_recordings": "recordings/ — jede Aufnahme als Original-Audiodatei (WAV), in Ordnern "
    "nach Jahr und Monat",
    "file_pdf": "transcripts.pdf — alle Transkripte, nach Gerät und Zeit",
    "file_json": "transcripts.json und transcripts.csv — dieselben Zeilen für Computer",
    "file_account": "account.json — Ihr Profil, Ihre Geräte, Haushaltsmitglieder und Einstellungen",
    "file_requests": "requests.json — Ihre Anfragen an uns und was wir getan haben",
    "file_manifest": "manifest.json und manifest.sig — eine signierte Liste aller Dateien "
    "(zur Prüfung, dass nichts verändert wurde)",
    "list": "Ihre Aufnahmen",
    "art15_heading": "Informationen zur Verarbeitung (Art. 15 Abs. 1 DSGVO)",
    "a": "Zwecke",
    "a_text": "Wir verarbeiten Ihre Sprachaufnahmen und deren Transkripte, um Ihre "
    "Sprachbefehle auszuführen und Ihnen Ihren Sprachverlauf zum Ansehen, Anhören und "
    "Löschen bereitzustellen.",
    "b": "Kategorien personenbezogener Daten",
    "b_text": "Sprachaufnahmen ({recordings}), deren Transkripte, Zeiten und Geräte; Ihre "
    "Kontodaten (E-Mail-Adresse, Sprache, Speicherdauer); Ihre Geräte ({devices}) und "
    "Stimmprofile Ihres Haushalts ({members}); der Verlauf Ihrer Anfragen.",
    "c": "Empfänger",
    "c_text": "Die Aufnahmen werden vom Betreiber des Sprachdienstes in einem verschlüsselten "
    "Speicher aufbewahrt; sie werden keinen anderen Empfängern offengelegt.",
    "d": "Speicherdauer",
    "d_text": "Ihre gewählte Speicherdauer: {retention}. Aufnahmen werden nach Ablauf dieser "
    "Frist automatisch gelöscht, oder wenn Sie sie löschen.",
    "e": "Ihre Rechte",
    "e_text": "Sie können Berichtigung (Art. 16), Löschung (Art. 17) oder Einschränkung "
    "(Art. 18) verlangen, der Verarbeitung widersprechen (Art. 21) und Ihre Daten in einem "
    "maschinenlesbaren Format erhalten (Art. 20).",
    "f": "Beschwerderecht",
    "f_text": "Sie haben das Recht, sich bei einer Datenschutz-Aufsichtsbehörde zu beschweren "
    "(Art. 77), insbesondere in dem Land, in dem Sie wohnen oder arbeiten.",
    "g": "Herkunft der Daten",
    "g_text": "Die Aufnahmen stammen von den Geräten, die für Ihr Konto registriert sind; Ihre "
    "Kontodaten stammen von Ihnen.",
    "h": "Automatisierte Entscheidungen",
    "h_text": "Eine Sprechererkennung schlägt vor, welches Haushaltsmitglied gesprochen hat; "
    "sie wird nicht für Entscheidungen mit rechtlicher oder ähnlich erheblicher Wirkung "
    "verwendet (Art. 22).",
    "others_heading": "Stimmen anderer Personen (Art. 15 Abs. 4 DSGVO)",
    "others_include": "Einige Aufnahmen wurden anderen Mitgliedern Ihres Haushalts "
    "zugeordnet. Sie sind enthalten, weil sie von Ihren eigenen Geräten stammen, und jeweils "
    "mit dem Sprecher gekennzeichnet. Bitte achten Sie die Privatsphäre dieser Personen, "
    "wenn Sie das Archiv weitergeben.",
    "others_withhold": "{n} Aufnahmen wurden anderen Mitgliedern Ihres Haushalts zugeordnet. "
    "Zu deren Schutz sind Audio und Transkript nicht enthalten; sie sind mit Datum, Gerät und "
    "Sprecher aufgeführt.",
    "retention_dont_save": "nicht speichern",
    "retention_3_months": "3 Monate",
    "retention_18_months": "18 Monate",
    "retention_until_deleted": "bis Sie sie löschen",
}

_FR: Final = {
    "title": "Vos enregistrements vocaux : une copie de vos données",
    "pdf_title": "Transcriptions de vos enregistrements vocaux",
    "generated": "Établi le {date}. Toutes les heures sont en UTC.",
    "page": "Page {page}",
    "device": "Appareil",
    "continued": "suite",
    "date": "Date",
    "time": "Heure (UTC)",
    "duration": "Durée",
    "speaker": "Locuteur",
    "transcript": "Transcription",
    "recording": "Enregistrement",
    "no_transcript": "(pas de transcription)",
    "no_recordings": "Votre compte ne contient aucun enregistrement.",
    "withheld": "(retenu : voix d'une autre personne, art. 15, par. 4, RGPD)",
    "other_voice": "voix de {name}",
    "removed": "retiré le {date}",
    "kind_speaker": "enceinte connectée",
    "kind_tv": "télévision",
    "kind_phone": "application mobile",
    "kind_car": "voiture",
    "kind_other": "autre appareil",
    "count_recordings": "{n} enregistrements",
    "contents": "Contenu de cette archive",
    "file_recordings": "recordings/ — chaque enregistrement, fichier audio d'origine (WAV), "
    "rangé par année et par mois",
    "file_pdf": "transcripts.pdf — toutes les transcriptions, par appareil et par heure",
    "file_json": "transcripts.json et transcripts.csv — les mêmes lignes pour les ordinateurs",
    "file_account": "account.json — votre profil, vos appareils, les membres du foyer et vos "
    "réglages",
    "file_requests": "requests.json — vos demandes et ce que nous avons fait",
    "file_manifest": "manifest.json et manifest.sig — la liste signée de tous les fichiers "
    "(pour vérifier que rien n'a été modifié)",
    "list": "Vos enregistrements",
    "art15_heading": "Informations sur le traitement (art. 15, par. 1, RGPD)",
    "a": "Finalités",
    "a_text": "Nous traitons vos enregistrements vocaux et leurs transcriptions pour exécuter "
    "vos demandes vocales et vous permettre de consulter, d'écouter et de supprimer votre "
    "historique vocal.",
    "b": "Catégories de données personnelles",
    "b_text": "Enregistrements vocaux ({recordings}), leurs transcriptions, heures et "
    "appareils ; les données de votre compte (adresse e-mail, langue, durée de conservation) ; "
    "vos appareils ({devices}) et les profils vocaux de votre foyer ({members}) ; "
    "l'historique de vos demandes.",
    "c": "Destinataires",
    "c_text": "Les enregistrements sont conservés par l'exploitant du service vocal dans un "
    "coffre chiffré ; ils ne sont communiqués à aucun autre destinataire.",
    "d": "Durée de conservation",
    "d_text": "Votre choix de conservation : {retention}. Les enregistrements sont supprimés "
    "automatiquement à la fin de cette durée, ou lorsque vous les supprimez.",
    "e": "Vos droits",
    "e_text": "Vous pouvez demander la rectification (art. 16), l'effacement (art. 17) ou la "
    "limitation (art. 18) de vos données, vous opposer au traitement (art. 21) et les "
    "recevoir dans un format lisible par machine (art. 20).",
    "f": "Réclamation",
    "f_text": "Vous avez le droit d'introduire une réclamation auprès d'une autorité de "
    "contrôle de la protection des données (art. 77), notamment dans le pays où vous vivez "
    "ou travaillez.",
    "g": "Source des données",
    "g_text": "Les enregistrements proviennent des appareils enregistrés sur votre compte ; "
    "les données du compte proviennent de vous.",
    "h": "Décision automatisée",
    "h_text": "La reconnaissance du locuteur suggère quel membre du foyer a parlé ; elle "
    "n'est pas utilisée pour des décisions produisant des effets juridiques ou vous "
    "affectant de manière significative (art. 22).",
    "others_heading": "Voix d'autres personnes (art. 15, par. 4, RGPD)",
    "others_include": "Certains enregistrements ont été attribués à d'autres membres de votre "
    "foyer. Ils sont inclus parce qu'ils proviennent de vos propres appareils, et chacun "
    "indique le locuteur. Merci de respecter la vie privée de ces personnes si vous "
    "partagez cette archive.",
    "others_withhold": "{n} enregistrements ont été attribués à d'autres membres de votre "
    "foyer. Pour les protéger, leur audio et leur transcription ne sont pas inclus ; ils "
    "sont listés avec leur date, leur appareil et leur locuteur.",
    "retention_dont_save": "ne pas enregistrer",
    "retention_3_months": "3 mois",
    "retention_18_months": "18 mois",
    "retention_until_deleted": "jusqu'à ce que vous les supprimiez",
}

STRINGS: Final = {"en": _EN, "de": _DE, "fr": _FR}


def strings(lang: str) -> dict[str, str]:
    return STRINGS.get(lang, _EN)
