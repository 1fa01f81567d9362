"""Invitations and fragments written for the importer's tests, each with the facts a person
reading it would agree on (read with today = 2026-11-26, a Thursday). Keys left out are not
checked by the case; other tests look at them."""

CASES = {
    "sv-iso-labels-whole-hours": (
        """Frukostseminarium: Ny i chefsrollen

Datum: 2027-02-10
Tid: kl. 8–10
Plats: Folkets hus, Nygatan 5, 702 11 Örebro
Anmälan senast 2027-02-01 till malin.ek@example.se
""",
        {
            "title": "Frukostseminarium: Ny i chefsrollen",
            "starts_at": "2027-02-10T08:00:00+01:00",
            "ends_at": "2027-02-10T10:00:00+01:00",
            "doors_at": None,
            "venue_name": "Folkets hus",
            "street_address": "Nygatan 5",
            "postal_code": "702 11",
            "city": "Örebro",
            "online": False,
            "registration_deadline": "2027-02-01",
            "contact_email": "malin.ek@example.se",
            "contact_name": None,
        },
    ),
    "sv-weekday-no-year-two-times-on-one-line": (
        """Chefsfrukost: Att leda på distans

Torsdagen den 4 februari
08.30-10.00 (kaffe och smörgås från 08.00)

Plats
Clarion Hotel Sense, Skeppsbron 3, Luleå

Anmäl dig senast den 28 januari.
""",
        {
            "starts_at": "2027-02-04T08:30:00+01:00",
            "ends_at": "2027-02-04T10:00:00+01:00",
            "doors_at": "2027-02-04T08:00:00+01:00",
            "venue_name": "Clarion Hotel Sense",
            "street_address": "Skeppsbron 3",
            "city": "Luleå",
            "registration_deadline": "2027-01-28",
        },
    ),
    "en-12-hour-am-range": (
        """Leadership Breakfast: Leading Through Change

Thursday 14 January 2027
7:30-9:00 am

Venue: Elite Hotel Mimer, Kungsgatan 22, 903 26 Umeå

Register by 5 January. Questions? Contact Karin Ek, karin.ek@example.org
""",
        {
            "title": "Leadership Breakfast: Leading Through Change",
            "starts_at": "2027-01-14T07:30:00+01:00",
            "ends_at": "2027-01-14T09:00:00+01:00",
            "venue_name": "Elite Hotel Mimer",
            "street_address": "Kungsgatan 22",
            "postal_code": "903 26",
            "city": "Umeå",
            "registration_deadline": "2027-01-05",
            "contact_name": "Karin Ek",
            "contact_email": "karin.ek@example.org",
        },
    ),
    "en-pm-lunch-doors": (
        """Lunch seminar: Negotiating your salary

Wednesday 14 April 2027, 12:00-1:30 pm. Light lunch is served from 11:45 am.
Location: Scandic Park, Karlavägen 43, Stockholm

Please register no later than 7 April 2027.
""",
        {
            "starts_at": "2027-04-14T12:00:00+02:00",
            "ends_at": "2027-04-14T13:30:00+02:00",
            "doors_at": "2027-04-14T11:45:00+02:00",
            "street_address": "Karlavägen 43",
            "city": "Stockholm",
            "registration_deadline": "2027-04-07",
        },
    ),
    "online-zoom-with-link": (
        """Webinar: Pensions explained

Online on Zoom: https://zoom.us/j/123456789
Wednesday 15 September 2027, 12.00-12.45

Sign up by 13 September. Contact Sara Lind, sara.lind@example.se
""",
        {
            "starts_at": "2027-09-15T12:00:00+02:00",
            "ends_at": "2027-09-15T12:45:00+02:00",
            "online": True,
            "venue_name": None,
            "street_address": None,
            "registration_deadline": "2027-09-13",
            "contact_name": "Sara Lind",
        },
    ),
    "online-teams-place-label": (
        """Digital chefsfrukost: Svåra samtal

Datum: onsdag 9 juni 2027
Tid: 08.00–09.00
Plats: Digitalt via Teams, länk skickas ut dagen innan.

Sista anmälningsdag: 2027-06-07
Kontaktperson: Olle Ström, olle.strom@example.se, 070-987 65 43
""",
        {
            "starts_at": "2027-06-09T08:00:00+02:00",
            "ends_at": "2027-06-09T09:00:00+02:00",
            "online": True,
            "venue_name": None,
            "street_address": None,
            "city": None,
            "registration_deadline": "2027-06-07",
            "contact_name": "Olle Ström",
            "contact_email": "olle.strom@example.se",
            "contact_phone": "070-987 65 43",
        },
    ),
    "online-webbinarium-in-text": (
        """Webbinarium om nya arbetstidslagen

Vi går igenom vad som ändras och vad det betyder för dig som chef. Webbinariet hålls i Teams.

Onsdag 17 mars 2027 kl. 12.15–13.00
""",
        {"online": True, "starts_at": "2027-03-17T12:15:00+01:00", "registration_deadline": None},
    ),
    "deadline-after-event": (
        """Frukostmöte: Rehabilitering

Datum: 11 mars 2027
Tid: 07.30–09.00
Plats: Hotell Borgen, Stora torget 1, 791 30 Falun
Sista anmälningsdag: 20 mars 2027
""",
        {
            "starts_at": "2027-03-11T07:30:00+01:00",
            "registration_deadline": "2027-03-20",
            "street_address": "Stora torget 1",
            "postal_code": "791 30",
            "city": "Falun",
        },
    ),
    "no-deadline-at-all": (
        """Frukost med förbundsordföranden

Tisdag 26 januari kl. 7.30–8.30
Plats: Kontoret, Drottninggatan 12, Stockholm
""",
        {"starts_at": "2027-01-26T07:30:00+01:00", "registration_deadline": None, "city": "Stockholm"},
    ),
    "senast-dagen-innan": (
        """Chefsfrukost i Göteborg

Onsdag 16 maj 2029 kl. 7:30-9
Clarion Hotel Post, Drottningtorget 10, Göteborg

Anmäl dig senast dagen innan.
Varmt välkommen!
""",
        {
            "starts_at": "2029-05-16T07:30:00+02:00",
            "ends_at": "2029-05-16T09:00:00+02:00",
            "venue_name": "Clarion Hotel Post",
            "street_address": "Drottningtorget 10",
            "city": "Göteborg",
            "registration_deadline": "2029-05-15",
        },
    ),
    "osa-numeric-deadline": (
        """Frukostträff för nya medlemmar

Onsdag 3 februari, 8–9.30
Plats: Kulturhuset, Sergels torg 3, Stockholm

OSA senast 25/1 till anmalan@example.se
""",
        {
            "starts_at": "2027-02-03T08:00:00+01:00",
            "ends_at": "2027-02-03T09:30:00+01:00",
            "registration_deadline": "2027-01-25",
            "contact_email": "anmalan@example.se",
        },
    ),
    "numeric-event-date-without-weekday": (
        """Frukostsamtal om lönekriterier

Datum: 16/5 kl. 8.00–9.30
Plats: Förbundets kontor, Olof Palmes gata 17, Stockholm
""",
        {"starts_at": "2027-05-16T08:00:00+02:00", "ends_at": "2027-05-16T09:30:00+02:00"},
    ),
    "dst-last-friday-before-summer-time": (
        "Chefsfrukost\n\nFredag 26 mars 2027 kl. 8–9\nPlats: Stadshotellet, Kungsgatan 1, Eskilstuna\n",
        {"starts_at": "2027-03-26T08:00:00+01:00", "ends_at": "2027-03-26T09:00:00+01:00"},
    ),
    "dst-first-monday-of-summer-time": (
        "Chefsfrukost\n\nMåndag 29 mars 2027 kl. 8–9\nPlats: Stadshotellet, Kungsgatan 1, Eskilstuna\n",
        {"starts_at": "2027-03-29T08:00:00+02:00", "ends_at": "2027-03-29T09:00:00+02:00"},
    ),
    "dst-last-saturday-of-summer-time": (
        "Frukostmöte\n\nLördag 30 oktober 2027, 09.00–10.30\nPlats: Biblioteket, Odengatan 63, Stockholm\n",
        {"starts_at": "2027-10-30T09:00:00+02:00", "ends_at": "2027-10-30T10:30:00+02:00"},
    ),
    "dst-day-summer-time-ends": (
        "Frukostmöte\n\nSöndag 31 oktober 2027, 09.00–10.30\nPlats: Biblioteket, Odengatan 63, Stockholm\n",
        {"starts_at": "2027-10-31T09:00:00+01:00", "ends_at": "2027-10-31T10:30:00+01:00"},
    ),
    "weekday-contradicts-explicit-date": (
        """Chefsfrukost: Leda med tillit

Måndag 16 maj 2029
Kl. 08:00-09:30
Plats: Scandic Sundsvall City, Trädgårdsgatan 31-33
""",
        {"starts_at": "2029-05-16T08:00:00+02:00"},
    ),
    "weekday-contradicts-iso-date": (
        "Frukostmöte om arbetsmiljö\n\nDatum: fredag 2027-05-20\nTid: 08:00-09:30\n",
        {"starts_at": "2027-05-20T08:00:00+02:00", "ends_at": "2027-05-20T09:30:00+02:00"},
    ),
    "en-weekday-no-year": (
        """Breakfast: Trust-based leadership

Wednesday 16 May, 8:00-9:30. Breakfast is served from 7:30.
Venue: Scandic Sundsvall City, Trädgårdsgatan 31-33, 852 30 Sundsvall
""",
        {
            "starts_at": "2029-05-16T08:00:00+02:00",
            "ends_at": "2029-05-16T09:30:00+02:00",
            "doors_at": "2029-05-16T07:30:00+02:00",
            "postal_code": "852 30",
            "city": "Sundsvall",
        },
    ),
    "en-us-date-order": (
        "Leadership breakfast\n\nWhen: Wednesday, May 16, 2029, 8:00-9:30 am\n"
        "Where: Hotel Kramer, Stortorget 7, Malmö\n",
        {"starts_at": "2029-05-16T08:00:00+02:00", "ends_at": "2029-05-16T09:30:00+02:00", "city": "Malmö"},
    ),
    "en-register-by-yearless": (
        """Breakfast seminar: Burnout prevention

Thursday 21 January, 08:00-09:30, breakfast from 07:30
Venue: Quality Hotel Winn, Kungsgatan 34, Gothenburg

Register by 14 January.
""",
        {
            "starts_at": "2027-01-21T08:00:00+01:00",
            "doors_at": "2027-01-21T07:30:00+01:00",
            "registration_deadline": "2027-01-14",
            "city": "Gothenburg",
        },
    ),
    "sv-frukost-serveras-fran-kl": (
        """Frukostseminarium: Arbetsmiljöansvar

Onsdag 10 mars 2027
Seminariet pågår kl. 07.45–09.00, frukost serveras från kl. 07.15
Plats: Hotel Gästis, Storgatan 15, 302 43 Halmstad
""",
        {
            "starts_at": "2027-03-10T07:45:00+01:00",
            "ends_at": "2027-03-10T09:00:00+01:00",
            "doors_at": "2027-03-10T07:15:00+01:00",
        },
    ),
    "sv-lunch-doors": (
        """Lunchseminarium: Arbetsrätt i praktiken

Lätt lunch serveras från 11.45. Seminariet pågår 12.15–13.30.
Plats: Elite Hotel Marina Plaza, Kungstorget 6, 252 78 Helsingborg
Datum: 6 november
Anmälan: senast 30 oktober till kansliet@example.se
""",
        {
            "starts_at": "2027-11-06T12:15:00+01:00",
            "ends_at": "2027-11-06T13:30:00+01:00",
            "doors_at": "2027-11-06T11:45:00+01:00",
            "registration_deadline": "2027-10-30",
            "postal_code": "252 78",
            "city": "Helsingborg",
        },
    ),
    "contact-with-phone-and-host-label": (
        """Chefsfrukost: Löneprocessen

Moderator: Johan Berg, journalist och författare

Datum: torsdag 11 mars 2027, kl. 8.00–9.30
Plats: Scandic Ferrum, Lars Janssonsgatan 15, Kiruna

Frågor? Kontakta Eva Nord, tel. 060-12 34 56, eva.nord@example.se
""",
        {
            "host_name": "Johan Berg",
            "host_role": "journalist och författare",
            "contact_name": "Eva Nord",
            "contact_email": "eva.nord@example.se",
            "contact_phone": "060-12 34 56",
            "street_address": "Lars Janssonsgatan 15",
        },
    ),
    "address-on-several-lines": (
        """Frukostmöte: Arbetsrätt för chefer

Datum och tid
Torsdag 20 maj 2027, kl. 07.30–09.00

Plats
Hotell Tornet
Storgatan 40
852 30 Sundsvall
""",
        {
            "venue_name": "Hotell Tornet",
            "street_address": "Storgatan 40",
            "postal_code": "852 30",
            "city": "Sundsvall",
            "starts_at": "2027-05-20T07:30:00+02:00",
        },
    ),
    "address-in-running-text": (
        """Chefsfrukost i Umeå

Välkommen till Elite Hotel Stora Hotellet, Storgatan 46 i Umeå, tisdagen den 9 mars kl. 7.30–9.00.
Anmäl dig senast 1 mars till hanna.ek@example.se.
""",
        {
            "venue_name": "Elite Hotel Stora Hotellet",
            "street_address": "Storgatan 46",
            "city": "Umeå",
            "starts_at": "2027-03-09T07:30:00+01:00",
            "ends_at": "2027-03-09T09:00:00+01:00",
            "registration_deadline": "2027-03-01",
        },
    ),
    "register-before-is-exclusive": (
        """Breakfast meeting

Wednesday 10 March 2027, 8-9.30
Venue: Hotel Kramer, Stortorget 7, Malmö
Please register before 1 March 2027.
""",
        {"registration_deadline": "2027-02-28", "ends_at": "2027-03-10T09:30:00+01:00"},
    ),
    "agenda-with-clock-times": (
        """Chefsfrukost: Rekrytering

Datum: torsdag 11 mars 2027
Plats: Stadshotellet, Nygatan 2, Västerås

Program
07.30 Frukost
08.00 Föreläsning
09.15 Frågor och samtal
09.30 Avslutning
""",
        {
            "doors_at": "2027-03-11T07:30:00+01:00",
            "starts_at": "2027-03-11T08:00:00+01:00",
            "ends_at": "2027-03-11T09:30:00+01:00",
        },
    ),
    "deadline-a-week-before": (
        "Chefsfrukost\n\nOnsdag 7 april 2027 kl. 8–9.30\nAnmälan senast en vecka innan.\n",
        {"registration_deadline": "2027-03-31"},
    ),
    "single-start-time-only": (
        "Frukostmöte\n\nDatum: 2027-04-07\nKl. 8\nPlats: Kontoret, Storgatan 1, Luleå\n",
        {"starts_at": "2027-04-07T08:00:00+02:00", "ends_at": None},
    ),
    "markdown-heading-crlf-and-nbsp": (
        "# Chefsfrukost: Modigt ledarskap\r\n\r\n"
        "Onsdag\u00a017\u00a0mars\u00a02027, kl.\u00a08.00\u201309.30\r\n"
        "Plats: Scandic Grand, Kungsgatan 70, 111\u00a022 Stockholm\r\n",
        {
            "title": "Chefsfrukost: Modigt ledarskap",
            "starts_at": "2027-03-17T08:00:00+01:00",
            "ends_at": "2027-03-17T09:30:00+01:00",
            "postal_code": "111 22",
            "city": "Stockholm",
        },
    ),
    "sv-opener-line-then-topic": (
        """Välkommen på chefsfrukost!

Tema: Stress och återhämtning

Hur skapar du hållbara arbetsplatser där både du och dina medarbetare mår bra?
Föreläsare är Anna Berglund, leg. psykolog och författare till boken "Återhämtning på riktigt".

När: Tisdag 9 februari kl. 07.30–09.00
Var: Quality Hotel Grand, Kungsgatan 10, Borås

Frukost serveras från kl. 07.00.

Anmäl dig senast 2 februari via länken nedan.
https://example.se/anmalan

Frågor? Mejla info@vision.example.se

Välkomna!
Vision Borås
""",
        {
            "title": "Stress och återhämtning",
            "host_name": "Anna Berglund",
            "host_role": 'leg. psykolog och författare till boken "Återhämtning på riktigt"',
            "starts_at": "2027-02-09T07:30:00+01:00",
            "ends_at": "2027-02-09T09:00:00+01:00",
            "doors_at": "2027-02-09T07:00:00+01:00",
            "venue_name": "Quality Hotel Grand",
            "street_address": "Kungsgatan 10",
            "city": "Borås",
            "registration_deadline": "2027-02-02",
            "contact_name": None,
            "contact_email": "info@vision.example.se",
        },
    ),
    "sv-capitals-opener-and-phone-on-deadline-line": (
        """INBJUDAN TILL FRUKOSTSEMINARIUM

Ledarskap i förändring – vad säger forskningen?

Torsdag den 22 april 2027
Kl. 08.00–09.30 (frukost från 07.30)
Lokal: Aulan, Västra Hamngatan 25, 411 17 Göteborg

Medverkande: professor Lars Holm, Göteborgs universitet

Seminariet är kostnadsfritt för medlemmar. Antalet platser är begränsat.

Anmälan senast 15 april till Petra Nilsson, petra.nilsson@example.se, 031-123 45 67.
""",
        {
            "title": "Ledarskap i förändring – vad säger forskningen?",
            "host_name": "Lars Holm",
            "starts_at": "2027-04-22T08:00:00+02:00",
            "doors_at": "2027-04-22T07:30:00+02:00",
            "venue_name": "Aulan",
            "street_address": "Västra Hamngatan 25",
            "postal_code": "411 17",
            "city": "Göteborg",
            "registration_deadline": "2027-04-15",
            "contact_name": "Petra Nilsson",
            "contact_email": "petra.nilsson@example.se",
            "contact_phone": "031-123 45 67",
        },
    ),
    "en-online-teams-speaker": (
        """Breakfast webinar: Managing hybrid teams

Date: Thursday 3 June 2027
Time: 8.30–9.15 a.m.
Where: Online (Microsoft Teams). You'll receive the link by e-mail.

Our speaker Emma Carlsson, HR director at Northvolt, shares lessons from three years of hybrid work.

Sign up by 1 June. Questions: emma.support@example.com
""",
        {
            "host_name": "Emma Carlsson",
            "host_role": "HR director at Northvolt",
            "online": True,
            "starts_at": "2027-06-03T08:30:00+02:00",
            "ends_at": "2027-06-03T09:15:00+02:00",
            "registration_deadline": "2027-06-01",
            "contact_email": "emma.support@example.com",
        },
    ),
    "sv-everything-in-running-text": (
        """Frukostmöte: Nya regler för visselblåsare

Välkommen till ett frukostmöte den 12 oktober kl 7.45-9.00 på Elite Hotel Knaust, Storgatan 13 i Sundsvall.
Förbundsjurist Maja Ek berättar om vad den nya lagen innebär för dig som chef.

Vi bjuder på frukost från kl 7.15.

OSA senast 5 oktober till Kalle Nyström, kalle.nystrom@example.se eller 060-55 44 33.
""",
        {
            "host_name": "Maja Ek",
            "host_role": "Förbundsjurist",
            "starts_at": "2027-10-12T07:45:00+02:00",
            "ends_at": "2027-10-12T09:00:00+02:00",
            "doors_at": "2027-10-12T07:15:00+02:00",
            "venue_name": "Elite Hotel Knaust",
            "street_address": "Storgatan 13",
            "city": "Sundsvall",
            "registration_deadline": "2027-10-05",
            "contact_name": "Kalle Nyström",
            "contact_phone": "060-55 44 33",
        },
    ),
    "sv-network-speaker-label-phone-only": (
        """Chefsnätverket Norr bjuder in till frukostträff

Datum: Fredagen den 14 maj 2027
Tid: 07:30-09:00
Plats: Stadshotellet, Storgatan 2, 931 31 Skellefteå
Talare: Karin Lund, vd Skellefteå Kraft

Program:
• Frukost och mingel
• Karin Lund om ledarskap i en växande stad
• Frågor

Sista dag för anmälan: 7 maj
Kontakt: Olof Berg, 070-111 22 33
""",
        {
            "host_name": "Karin Lund",
            "host_role": "vd Skellefteå Kraft",
            "starts_at": "2027-05-14T07:30:00+02:00",
            "ends_at": "2027-05-14T09:00:00+02:00",
            "postal_code": "931 31",
            "city": "Skellefteå",
            "registration_deadline": "2027-05-07",
            "contact_name": "Olof Berg",
            "contact_email": None,
            "contact_phone": "070-111 22 33",
        },
    ),
    "nothing-to-find": (
        "Hej!\n\nTack för senast.\n",
        {
            "starts_at": None,
            "ends_at": None,
            "venue_name": None,
            "registration_deadline": None,
            "contact_email": None,
            "online": False,
        },
    ),
}
