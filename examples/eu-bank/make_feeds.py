#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write the eu-bank example feeds as a German bank exports them: Windows-1252
bytes, ';' delimiter, DD.MM.YYYY dates, 1.234,56 amounts (a trailing minus on
one row), German product codes, a USD account beside EUR ones in one
household.  The CSVs are committed; run this only to regenerate them."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, rows):
    text = "\r\n".join(";".join(r) for r in rows) + "\r\n"
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(text.encode("windows-1252"))


write("kunden.csv", [
    ["Kundennr", "Haushalt", "Vorname", "Nachname", "Geburtsdatum", "Strasse", "PLZ", "Ort", "Land"],
    ["K1001", "H1", "Jürgen", "Müller", "14.07.1961", "Weißdornstraße 12", "80331", "München", "DE"],
    ["K1002", "H1", "Renée", "Müller", "02.11.1964", "Weißdornstraße 12", "80331", "München", "DE"],
    ["K2001", "H2", "Zoë", "Öztürk-Groß", "30.01.1988", "Äußere Bayreuther Straße 7", "90409", "Nürnberg", "DE"],
])

write("konten.csv", [
    ["Kontonr", "Kundennr", "Produkt", "Bezeichnung", "Anfangssaldo", "Endsaldo", "Waehrung"],
    ["DE4410001", "K1001", "girokonto", "Girokonto Plus", "1.234,56", "2.961,06", "EUR"],
    ["DE4410002", "K1001", "tagesgeld", "Tagesgeld", "10.000,00", "10.012,50", "EUR"],
    ["US7710003", "K1002", "girokonto", "Fremdwährungskonto USD", "5.000,00", "4.750,25", "USD"],
    ["DE4410004", "K1002", "kreditkarte", "Kreditkarte Gold", "0,00", "389,90", "EUR"],
    ["DE4420001", "K2001", "girokonto", "Girokonto", "780,00", "1.512,34", "EUR"],
])

write("umsaetze.csv", [
    ["Kontonr", "Buchungstag", "Verwendungszweck", "Betrag"],
    ["DE4410001", "01.03.2024", "Gehalt März", "3.250,00"],
    ["DE4410001", "04.03.2024", "Miete Weißdornstraße", "1.100,00-"],
    ["DE4410001", "11.03.2024", "Bäckerei Größ, München", "-23,50"],
    ["DE4410001", "28.03.2024", "Überweisung an Tagesgeld", "-400,00"],
    ["DE4410002", "31.03.2024", "Zinsen", "12,50"],
    ["US7710003", "15.03.2024", "Wire transfer fee", "-249,75"],
    ["DE4410004", "09.03.2024", "Café Zürich", "-39,90"],
    ["DE4410004", "20.03.2024", "Reisebüro Köln", "-350,00"],
    ["DE4420001", "01.03.2024", "Gehalt", "1.820,00"],
    ["DE4420001", "05.03.2024", "Straßenbahn-Abo", "-87,66"],
    ["DE4420001", "19.03.2024", "Möbelhaus (Anzahlung 1.000 €)", "-1.000,00"],
])
