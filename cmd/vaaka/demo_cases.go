package main

import (
	"fmt"
	"time"

	"vaaka/cooperation"
	"vaaka/db"
)

// The demo's co-operation cases, written through the CaseService along the
// simulated timeline: the dialogue that preceded the queue recordings
// (information 10 days before the meeting, requested minutes signed by both
// sides with one dissent, the employer's conclusion), and the dialogue on
// the sales calls still open, with the written information not yet
// delivered (a pending R-COOP-2 deadline), a comment and an initiative.

// demoCaseTitles are the titles of the demo cases (tests find them by title).
const (
	demoCaseConcluded = "Asiakaspalvelujonon puhelujen tallentaminen – jatkuva vuoropuhelu"
	demoCaseOpen      = "Myynnin lähtevien puhelujen tallentaminen – vuoropuhelu"
)

// planCases schedules the demo cases; it runs after planActivities so that
// the activities exist when the events run.
func (s *seeder) planCases(setup time.Time) {
	cases := db.NewCaseService(s.d)
	var concluded, open int64
	var meetingID int64
	repName := "Riikka Rantanen"

	// 1. The concluded dialogue of the queue recordings (activity "service").
	opened := setup.AddDate(0, 0, 6).Add(time.Hour)
	deliver := time.Date(opened.Year(), opened.Month(), opened.Day()+1, 10, 0, 0, 0, s.loc)
	meeting := deliver.AddDate(0, 0, 10).Add(3 * time.Hour) // 10 days' notice (R-COOP-2)
	s.on(opened, func() error {
		c := &cooperation.Case{Title: demoCaseConcluded, Procedure: cooperation.Dialogue, ActivityIDs: []int64{s.acts["service"]},
			Proposed: cooperation.Proposal{Procedure: cooperation.Dialogue, Key: "at_or_above", Threshold: cooperation.DefaultThresholds()[1]},
			Units:    []string{unitService, unitSupport}, Representatives: []string{demoRep}}
		if err := cases.CreateCase(s.ctx, demoHR, c); err != nil {
			return fmt.Errorf("case %q: %w", c.Title, err)
		}
		concluded = c.ID
		return cases.SetStaffSide(s.ctx, demoHR, c.ID, []cooperation.StaffGroup{
			{Name: "Asiakaspalvelun ja teknisen tuen toimihenkilöt", Units: []string{unitService, unitSupport},
				Representatives: []cooperation.Representative{{Email: demoRep, Name: repName, Type: cooperation.ShopSteward}}},
		})
	})
	s.on(deliver, func() error {
		return cases.AddInformation(s.ctx, demoHR, concluded, &cooperation.Information{
			Subject:          "Asiakaspalvelujonon ja teknisen tuen saapuvien puhelujen tallentaminen",
			Purpose:          "Asiakaspalvelun laadun varmistaminen ja valmennus sekä puhelimessa sovittujen asioiden todentaminen reklamaatioissa.",
			Methods:          "Kontakti Cloud tallentaa jonojen saapuvat puhelut. Nimetyt esihenkilöt ja laatuasiantuntija kuuntelevat otoksia; jokainen käyttö kirjataan Vaakaan.",
			IntroductionPlan: "Käyttöönotto vuoropuhelun ja tiedottamisen jälkeen; työntekijät saavat tiedotteen ennen aloitusta.",
			GroupsAffected:   "Asiakaspalvelu ja tekninen tuki",
			InformationGiven: "Luonnos valvontarekisterin merkinnästä, vaikutustenarvioinnin tiivistelmä, säilytysaika 90 päivää ja käyttöön oikeutetut henkilöt.",
			FirstMeetingAt:   meeting.UTC(), Place: "Neuvotteluhuone Saimaa, Esimerkkikatu 12 A",
			DeliveredAt: deliver.UTC(), Recipients: []string{demoRep},
		}, s.loc)
	})
	s.on(deliver.AddDate(0, 0, 3), func() error {
		return cases.AddComment(s.ctx, demoRep, concluded, &cooperation.Comment{By: demoRep,
			Text: "Kuka päättää, mitkä puhelut otetaan otokseen, ja näkeekö työntekijä itse, milloin hänen puheluitaan on kuunneltu?",
			At:   deliver.AddDate(0, 0, 3).UTC()})
	})
	s.on(meeting, func() error {
		m := &cooperation.Meeting{HeldAt: meeting.UTC(), Place: "Neuvotteluhuone Saimaa", MinutesRequested: true,
			Agenda: "1. Tallentamisen käyttötarkoitukset\n2. Säilytysaika\n3. Kuka saa kuunnella tallenteita\n4. Työntekijöille tiedottaminen",
			Participants: []cooperation.Participant{
				{Email: demoHR, Name: "Hanna Heikkinen", Side: cooperation.EmployerSide, Attended: true},
				{Email: demoRep, Name: repName, Side: cooperation.StaffSide, Attended: true},
			}}
		if err := cases.AddMeeting(s.ctx, demoHR, concluded, m); err != nil {
			return err
		}
		meetingID = m.ID
		return nil
	})
	s.on(meeting.AddDate(0, 0, 1), func() error {
		return cases.WriteMinutes(s.ctx, demoHR, concluded, meetingID, &cooperation.Minutes{
			MainContent: "Käsiteltiin tallentamisen käyttötarkoitukset (laatu, reklamaatiot, perehdytys), säilytysaika ja käyttöön oikeutetut henkilöt. " +
				"Sovittiin, että otanta on satunnainen ja että jokainen kuuntelu näkyy työntekijälle Vaakassa.",
			Outcome:          "Tallentaminen otetaan käyttöön esitetyllä tavalla; säilytysaika 90 päivää.",
			EmployerPosition: "Tallenteet ovat välittömästi tarpeellisia sopimusten todentamiseen ja laadun valmentamiseen.",
			StaffPosition:    "Henkilöstö hyväksyy tallentamisen, mutta pitää 90 päivän säilytysaikaa liian pitkänä valmennuskäyttöön.",
			Dissent:          []cooperation.Dissent{{By: repName, Text: "Valmennuskäytössä 30 päivän säilytysaika riittää."}},
		})
	})
	s.on(meeting.AddDate(0, 0, 2), func() error {
		if err := cases.ApproveMinutes(s.ctx, demoRep, concluded, meetingID, &cooperation.Approval{Approve: true,
			Dissent: "Hyväksyn pöytäkirjan eriävin mielipitein: säilytysaika 30 päivää riittäisi valmennukseen."}); err != nil {
			return err
		}
		return cases.ApproveMinutes(s.ctx, demoHR, concluded, meetingID, &cooperation.Approval{Approve: true})
	})
	concludeAt := meeting.AddDate(0, 0, 4)
	s.on(concludeAt, func() error {
		return cases.Conclude(s.ctx, demoHR, concluded, &cooperation.Conclusion{ConcludedAt: concludeAt.UTC(), By: demoHR,
			Text: "Asiakaspalvelujonon ja teknisen tuen saapuvat puhelut tallennetaan laadun varmistamiseksi, valmennukseen ja " +
				"sopimusten todentamiseen. Tallenteita käyttävät vain nimetyt esihenkilöt ja laatuasiantuntija; säilytysaika 90 päivää; " +
				"jokainen käyttö kirjataan ja näkyy työntekijälle."}, concludeAt.UTC())
	})

	// 2. The open dialogue on the sales calls (activity "sales").
	openAt := s.day(40, 10, 0)
	s.on(openAt, func() error {
		c := &cooperation.Case{Title: demoCaseOpen, Procedure: cooperation.Dialogue, ActivityIDs: []int64{s.acts["sales"]},
			Proposed: cooperation.Proposal{Procedure: cooperation.Dialogue, Key: "at_or_above", Threshold: cooperation.DefaultThresholds()[1]},
			Units:    []string{unitSales}, Representatives: []string{demoRep}}
		if err := cases.CreateCase(s.ctx, demoHR, c); err != nil {
			return fmt.Errorf("case %q: %w", c.Title, err)
		}
		open = c.ID
		return nil
	})
	// The written information is drafted but not delivered: the meeting is
	// in ten days, so R-COOP-2 is pending with three days left.
	firstMeeting := s.day(-10, 13, 0)
	s.on(s.day(6, 15, 0), func() error {
		return cases.AddInformation(s.ctx, demoHR, open, &cooperation.Information{
			Subject:          "Myynnin lähtevien puhelujen tallentaminen",
			Purpose:          "Puhelinmyynnissä tehtyjen tilausten ja kuluttajan vahvistusten todentaminen.",
			Methods:          "Lähtevät myyntipuhelut tallennetaan kokonaan; myyntipäällikkö kuuntelee tallenteen vain reklamaation selvittämiseksi.",
			IntroductionPlan: "Käyttöönotto aikaisintaan vuoropuhelun ja tiedottamisen jälkeen.",
			GroupsAffected:   "Myynti", FirstMeetingAt: firstMeeting.UTC(), Place: "Neuvotteluhuone Päijänne",
			Recipients: []string{demoRep},
		}, s.loc)
	})
	s.on(s.day(3, 9, 15), func() error {
		return cases.AddInitiative(s.ctx, demoRep, open, &cooperation.Initiative{Kind: cooperation.KindInitiative, By: demoRep,
			Text:       "Ehdotamme, että myyntipuhelujen säilytysaika lyhennetään 12 kuukauteen ja että myyjä saa kuulla oman tallenteensa ennen reklamaation ratkaisua.",
			ReceivedAt: s.day(3, 9, 15).UTC()}, s.loc)
	})
}
