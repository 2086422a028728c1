"""The words of the notification to the supervisory authority, in English, German and French.

One catalogue per language; tests/incidents/test_authority_texts.py checks that
the three have the same keys and placeholders, and a text for every incident
kind and category. The headings follow Art. 33(3)(a)–(d) in each language's
official text of the GDPR.
"""

from __future__ import annotations

from typing import Final

_EN: Final = {
    "title": "Notification of a personal data breach to the supervisory authority",
    "subtitle_initial": "Art. 33 GDPR. Phase 1: initial notification.",
    "subtitle_follow_up": "Art. 33 GDPR. Phase {phase}: follow-up to the notification of "
    "{date} (Art. 33(4)).",
    "footer": "voxkeep · incident {incident} · phase {phase} · all times UTC",
    "page": "Page {page} of {pages}",
    "about": "The notification",
    "authority": "To (supervisory authority)",
    "controller": "Controller",
    "incident": "Incident",
    "phase": "Phase (document version)",
    "phase_initial": "1: initial notification",
    "phase_follow_up": "{phase}: follow-up (Art. 33(4))",
    "aware_at": "Aware since (Art. 33(1))",
    "deadline": "Deadline (72 hours after awareness)",
    "notified_at": "Notified",
    "timeliness": "Within 72 hours",
    "on_time": "Yes",
    "late": "No: {hours} hours after the deadline",
    "late_one": "No: 1 hour after the deadline",
    "a": "(a) Nature of the breach (Art. 33(3)(a))",
    "a_law": "The nature of the personal data breach including, where possible, the categories "
    "and approximate number of data subjects concerned and the categories and approximate "
    "number of personal data records concerned.",
    "detected": "What voxkeep detected",
    "description": "Description",
    "people_categories": "Categories of data subjects",
    "people_number": "Approximate number of data subjects",
    "data_categories": "Categories of personal data records",
    "records_number": "Approximate number of personal data records",
    "b": "(b) Data protection officer or contact point (Art. 33(3)(b))",
    "b_law": "The name and contact details of the data protection officer or other contact "
    "point where more information can be obtained.",
    "name": "Name",
    "contact": "Contact details",
    "c": "(c) Likely consequences (Art. 33(3)(c))",
    "c_law": "The likely consequences of the personal data breach.",
    "consequences": "Likely consequences",
    "d": "(d) Measures taken or proposed (Art. 33(3)(d))",
    "d_law": "The measures taken or proposed to be taken by the controller to address the "
    "personal data breach, including, where appropriate, measures to mitigate its possible "
    "adverse effects.",
    "measures_taken": "Measures taken",
    "measures_proposed": "Measures proposed, including to mitigate adverse effects",
    "delay": "Reasons for the delay (Art. 33(1))",
    "delay_reasons": "Reasons",
    "delay_none": "Not applicable: notified within 72 hours of becoming aware.",
    "phases": "Phased notification (Art. 33(4))",
    "phase_entry": "Phase {phase}, {date}",
    "phase_one_news": "Initial notification.",
    "pending": "Not yet known: will be provided in a later phase (Art. 33(4)).",
    "not_configured": "Not configured (set {setting}).",
    "kind_release_gate_failed": "An answer to a data-subject request failed its independent "
    "release check before it could be downloaded; its release was blocked.",
    "kind_not_my_data": "A person reported that an answer delivered to them held another "
    "person's data; the download was revoked at once.",
    "kind_build_failed": "A recording failed to decrypt or to match its hash while an answer "
    "was being built; the answer was blocked.",
    "kind_key_failed": "The sealed key of an answer did not open; the answer was blocked.",
    "kind_delivery_failed": "The bytes of an answer failed a check while being sent; the "
    "delivery was stopped.",
    "kind_audit_verify_failed": "The tamper-evident audit log failed its verification.",
    "kind_foreign_download": "Someone asked to download an answer that belongs to another "
    "account; it was refused.",
    "kind_four_eyes_refused": "A staff action was refused by the four-eyes rule in a way that "
    "looks like an attempt.",
    "kind_reported": "Staff recorded a breach found outside voxkeep.",
    "data_voice_recordings": "Voice recordings (audio)",
    "data_transcripts": "Transcripts of the recordings",
    "data_device_and_member_names": "Names of devices and household members",
    "data_timestamps": "Timestamps (when each recording was made)",
    "people_account_holders": "Account holders",
    "people_household_members": "Household members",
    "people_accidental_speakers": "Accidental speakers (people heard in the background)",
}

_DE: Final = {
    "title": "Meldung einer Verletzung des Schutzes personenbezogener Daten an die "
    "Aufsichtsbehörde",
    "subtitle_initial": "Art. 33 DSGVO. Phase 1: Erstmeldung.",
    "subtitle_follow_up": "Art. 33 DSGVO. Phase {phase}: Nachtrag zur Meldung vom {date} "
    "(Art. 33 Abs. 4).",
    "footer": "voxkeep · Vorfall {incident} · Phase {phase} · alle Zeiten in UTC",
    "page": "Seite {page} von {pages}",
    "about": "Die Meldung",
    "authority": "An (Aufsichtsbehörde)",
    "controller": "Verantwortlicher",
    "incident": "Vorfall",
    "phase": "Phase (Fassung des Dokuments)",
    "phase_initial": "1: Erstmeldung",
    "phase_follow_up": "{phase}: Nachtrag (Art. 33 Abs. 4)",
    "aware_at": "Bekannt seit (Art. 33 Abs. 1)",
    "deadline": "Frist (72 Stunden nach Bekanntwerden)",
    "notified_at": "Gemeldet",
    "timeliness": "Innerhalb von 72 Stunden",
    "on_time": "Ja",
    "late": "Nein: {hours} Stunden nach Fristablauf",
    "late_one": "Nein: 1 Stunde nach Fristablauf",
    "a": "a) Art der Verletzung (Art. 33 Abs. 3 lit. a)",
    "a_law": "Eine Beschreibung der Art der Verletzung des Schutzes personenbezogener Daten, "
    "soweit möglich mit Angabe der Kategorien und der ungefähren Zahl der betroffenen "
    "Personen, der betroffenen Kategorien und der ungefähren Zahl der betroffenen "
    "personenbezogenen Datensätze.",
    "detected": "Was voxkeep festgestellt hat",
    "description": "Beschreibung",
    "people_categories": "Kategorien betroffener Personen",
    "people_number": "Ungefähre Zahl betroffener Personen",
    "data_categories": "Kategorien betroffener Datensätze",
    "records_number": "Ungefähre Zahl betroffener Datensätze",
    "b": "b) Datenschutzbeauftragter oder Anlaufstelle (Art. 33 Abs. 3 lit. b)",
    "b_law": "Der Name und die Kontaktdaten des Datenschutzbeauftragten oder einer sonstigen "
    "Anlaufstelle für weitere Informationen.",
    "name": "Name",
    "contact": "Kontaktdaten",
    "c": "c) Wahrscheinliche Folgen (Art. 33 Abs. 3 lit. c)",
    "c_law": "Eine Beschreibung der wahrscheinlichen Folgen der Verletzung des Schutzes "
    "personenbezogener Daten.",
    "consequences": "Wahrscheinliche Folgen",
    "d": "d) Ergriffene oder vorgeschlagene Maßnahmen (Art. 33 Abs. 3 lit. d)",
    "d_law": "Eine Beschreibung der von dem Verantwortlichen ergriffenen oder vorgeschlagenen "
    "Maßnahmen zur Behebung der Verletzung und gegebenenfalls Maßnahmen zur Abmilderung "
    "ihrer möglichen nachteiligen Auswirkungen.",
    "measures_taken": "Ergriffene Maßnahmen",
    "measures_proposed": "Vorgeschlagene Maßnahmen, auch zur Abmilderung nachteiliger Auswirkungen",
    "delay": "Begründung der Verzögerung (Art. 33 Abs. 1)",
    "delay_reasons": "Gründe",
    "delay_none": "Entfällt: innerhalb von 72 Stunden nach Bekanntwerden gemeldet.",
    "phases": "Schrittweise Meldung (Art. 33 Abs. 4)",
    "phase_entry": "Phase {phase}, {date}",
    "phase_one_news": "Erstmeldung.",
    "pending": "Noch nicht bekannt: wird in einer späteren Phase nachgereicht (Art. 33 Abs. 4).",
    "not_configured": "Nicht eingerichtet ({setting} setzen).",
    "kind_release_gate_failed": "Eine Antwort auf einen Antrag einer betroffenen Person hat "
    "ihre unabhängige Freigabeprüfung nicht bestanden, bevor sie heruntergeladen werden "
    "konnte; ihre Freigabe wurde gesperrt.",
    "kind_not_my_data": "Eine Person hat gemeldet, dass eine ihr zugestellte Antwort Daten "
    "einer anderen Person enthielt; der Download wurde sofort widerrufen.",
    "kind_build_failed": "Beim Erstellen einer Antwort ließ sich eine Aufnahme nicht "
    "entschlüsseln oder ihr Hashwert stimmte nicht; die Antwort wurde gesperrt.",
    "kind_key_failed": "Der versiegelte Schlüssel einer Antwort ließ sich nicht öffnen; die "
    "Antwort wurde gesperrt.",
    "kind_delivery_failed": "Die Bytes einer Antwort haben beim Senden eine Prüfung nicht "
    "bestanden; die Zustellung wurde abgebrochen.",
    "kind_audit_verify_failed": "Das manipulationssichere Prüfprotokoll hat seine Prüfung "
    "nicht bestanden.",
    "kind_foreign_download": "Jemand wollte eine Antwort herunterladen, die zu einem anderen "
    "Konto gehört; das wurde abgelehnt.",
    "kind_four_eyes_refused": "Eine Aktion von Mitarbeitenden wurde nach dem "
    "Vier-Augen-Prinzip abgelehnt, und es sieht nach einem Versuch aus.",
    "kind_reported": "Mitarbeitende haben eine außerhalb von voxkeep festgestellte Verletzung "
    "erfasst.",
    "data_voice_recordings": "Sprachaufnahmen (Audio)",
    "data_transcripts": "Transkripte der Aufnahmen",
    "data_device_and_member_names": "Namen von Geräten und Haushaltsmitgliedern",
    "data_timestamps": "Zeitstempel (wann jede Aufnahme entstand)",
    "people_account_holders": "Kontoinhaber",
    "people_household_members": "Haushaltsmitglieder",
    "people_accidental_speakers": "Zufällig aufgenommene Sprecher (Personen im Hintergrund)",
}

_FR: Final = {
    "title": "Notification d'une violation de données à caractère personnel à l'autorité "
    "de contrôle",
    "subtitle_initial": "Article 33 du RGPD. Phase 1 : notification initiale.",
    "subtitle_follow_up": "Article 33 du RGPD. Phase {phase} : complément à la notification "
    "du {date} (art. 33, par. 4).",
    "footer": "voxkeep · incident {incident} · phase {phase} · heures en UTC",
    "page": "Page {page} sur {pages}",
    "about": "La notification",
    "authority": "Destinataire (autorité de contrôle)",
    "controller": "Responsable du traitement",
    "incident": "Incident",
    "phase": "Phase (version du document)",
    "phase_initial": "1 : notification initiale",
    "phase_follow_up": "{phase} : complément (art. 33, par. 4)",
    "aware_at": "Connu depuis (art. 33, par. 1)",
    "deadline": "Délai (72 heures après la prise de connaissance)",
    "notified_at": "Notifié le",
    "timeliness": "Dans les 72 heures",
    "on_time": "Oui",
    "late": "Non : {hours} heures après l'échéance",
    "late_one": "Non : 1 heure après l'échéance",
    "a": "a) Nature de la violation (art. 33, par. 3, point a)",
    "a_law": "La nature de la violation de données à caractère personnel y compris, si "
    "possible, les catégories et le nombre approximatif de personnes concernées par la "
    "violation et les catégories et le nombre approximatif d'enregistrements de données à "
    "caractère personnel concernés.",
    "detected": "Ce que voxkeep a détecté",
    "description": "Description",
    "people_categories": "Catégories de personnes concernées",
    "people_number": "Nombre approximatif de personnes concernées",
    "data_categories": "Catégories d'enregistrements concernés",
    "records_number": "Nombre approximatif d'enregistrements concernés",
    "b": "b) Délégué à la protection des données ou point de contact (art. 33, par. 3, point b)",
    "b_law": "Le nom et les coordonnées du délégué à la protection des données ou d'un autre "
    "point de contact auprès duquel des informations supplémentaires peuvent être obtenues.",
    "name": "Nom",
    "contact": "Coordonnées",
    "c": "c) Conséquences probables (art. 33, par. 3, point c)",
    "c_law": "Les conséquences probables de la violation de données à caractère personnel.",
    "consequences": "Conséquences probables",
    "d": "d) Mesures prises ou proposées (art. 33, par. 3, point d)",
    "d_law": "Les mesures prises ou que le responsable du traitement propose de prendre pour "
    "remédier à la violation, y compris, le cas échéant, les mesures pour en atténuer les "
    "éventuelles conséquences négatives.",
    "measures_taken": "Mesures prises",
    "measures_proposed": "Mesures proposées, y compris pour atténuer les conséquences négatives",
    "delay": "Motifs du retard (art. 33, par. 1)",
    "delay_reasons": "Motifs",
    "delay_none": "Sans objet : notifiée dans les 72 heures après en avoir pris connaissance.",
    "phases": "Notification échelonnée (art. 33, par. 4)",
    "phase_entry": "Phase {phase}, {date}",
    "phase_one_news": "Notification initiale.",
    "pending": "Pas encore connu : sera communiqué dans une phase ultérieure (art. 33, par. 4).",
    "not_configured": "Non configuré (définir {setting}).",
    "kind_release_gate_failed": "La réponse à une demande d'une personne concernée a échoué "
    "à son contrôle indépendant avant de pouvoir être téléchargée ; sa mise à disposition a "
    "été bloquée.",
    "kind_not_my_data": "Une personne a signalé qu'une réponse qui lui a été remise contenait "
    "les données d'une autre personne ; le téléchargement a été révoqué aussitôt.",
    "kind_build_failed": "Lors de la préparation d'une réponse, un enregistrement n'a pas pu "
    "être déchiffré ou son empreinte ne correspondait pas ; la réponse a été bloquée.",
    "kind_key_failed": "La clé scellée d'une réponse ne s'est pas ouverte ; la réponse a été "
    "bloquée.",
    "kind_delivery_failed": "Les octets d'une réponse ont échoué à un contrôle pendant "
    "l'envoi ; la remise a été arrêtée.",
    "kind_audit_verify_failed": "Le journal d'audit infalsifiable a échoué à sa vérification.",
    "kind_foreign_download": "Quelqu'un a demandé à télécharger une réponse appartenant à un "
    "autre compte ; cela a été refusé.",
    "kind_four_eyes_refused": "Une action du personnel a été refusée par la règle des quatre "
    "yeux d'une manière qui ressemble à une tentative.",
    "kind_reported": "Le personnel a enregistré une violation constatée en dehors de voxkeep.",
    "data_voice_recordings": "Enregistrements vocaux (audio)",
    "data_transcripts": "Transcriptions des enregistrements",
    "data_device_and_member_names": "Noms des appareils et des membres du foyer",
    "data_timestamps": "Horodatages (moment de chaque enregistrement)",
    "people_account_holders": "Titulaires de compte",
    "people_household_members": "Membres du foyer",
    "people_accidental_speakers": "Locuteurs accidentels (personnes entendues en arrière-plan)",
}

STRINGS: Final = {"en": _EN, "de": _DE, "fr": _FR}
