package main

import (
	"fmt"
	"time"

	"vaaka/db"
	"vaaka/monitoring"
)

// The demo's notices and access requests, written through the real
// services along the simulated timeline: after the dialogue on the queue
// recordings was concluded (demo_cases.go), HR issued the notice to every
// active employee of Asiakaspalvelu and Tekninen tuki before the
// activation date (R-NOT-1, R-SEQ-1); most read and acknowledged it within
// days, a few have not — among them the demo employee, who can acknowledge
// it in the browser. The sales case is still open, so its activity has no
// notice. Two access requests (R-DSR-1): an employee's, answered with
// complete copies, and a caller's coming due within days.

// demoNotAcknowledged are the recipients who have not acknowledged the
// queue recordings' notice (the demo employee among them); the first two
// have read it.
var demoNotAcknowledged = []string{"E1013", "E1031", "E1005", "E1027"}

// planNotices schedules the notice and the access requests; it runs after
// planCases so that the concluded case exists when the notice is issued.
func (s *seeder) planNotices(setup time.Time) {
	notices := db.NewNoticeService(s.d)
	requests := db.NewAccessRequestService(s.d)
	var noticeID int64

	// Two days after the conclusion (demo_cases.go: deliver + 10 days to the
	// meeting, + 4 days to the conclusion), before the activation.
	opened := setup.AddDate(0, 0, 6).Add(time.Hour)
	deliver := time.Date(opened.Year(), opened.Month(), opened.Day()+1, 10, 0, 0, 0, s.loc)
	concluded := deliver.AddDate(0, 0, 10).Add(3*time.Hour).AddDate(0, 0, 4)
	issue := time.Date(concluded.Year(), concluded.Month(), concluded.Day()+2, 9, 30, 0, 0, s.loc)
	introduction := date(s.monthStart(9, 8))
	s.on(issue, func() error {
		n := &monitoring.Notice{ActivityID: s.acts["service"], IntroductionOn: introduction,
			Purpose: "Asiakaspalvelun laadun varmistaminen ja työntekijöiden valmentaminen palautteella sekä puhelimessa " +
				"tehtyjen tilausten, sopimusten ja reklamaatioiden todentaminen.",
			Methods: "Kontakti Cloud tallentaa Asiakaspalvelun ja Teknisen tuen jonojen saapuvat puhelut. Nimetyt tiiminvetäjät ja " +
				"laatuasiantuntija kuuntelevat satunnaisen otoksen; jokainen kuuntelu, arviointi ja lataus kirjataan Vaakaan, " +
				"josta näet omat tietosi. Tallenteet poistetaan 90 päivän kuluttua puhelusta.",
			Handled: "Vuoropuhelussa henkilöstön edustajan kanssa käsiteltiin käyttötarkoitukset, säilytysaika ja se, kuka saa " +
				"kuunnella tallenteita. Sovittiin satunnaisesta otannasta ja siitä, että jokainen käyttö näkyy työntekijälle. " +
				"Henkilöstön edustaja jätti eriävän mielipiteen säilytysajasta (esitys 30 päivää).",
			PlainFinnish: "Puhelusi asiakaspalvelussa ja teknisessä tuessa tallennetaan. Esihenkilö voi kuunnella tallenteita, " +
				"jotta hän voi neuvoa sinua työssä ja selvittää asiakkaan valituksia. Tallenteet poistetaan 90 päivän päästä. " +
				"Näet Vaakasta aina, kuka on kuunnellut puheluitasi ja miksi."}
		if err := notices.IssueNotice(s.ctx, demoHR, n); err != nil {
			return fmt.Errorf("notice of %q: %w", "service", err)
		}
		noticeID = n.ID
		return nil
	})
	pending := map[string]bool{}
	for _, id := range demoNotAcknowledged {
		pending[id] = true
	}
	for i, e := range demoEmployees {
		if e.Unit != unitService && e.Unit != unitSupport {
			continue
		}
		at := issue.Add(time.Duration(2+s.rnd.IntN(7*24)) * time.Hour).Add(time.Duration(s.rnd.IntN(60)) * time.Minute)
		switch {
		case !pending[e.StaffID]:
			s.on(at, func() error {
				if err := notices.MarkRead(s.ctx, noticeID, e.StaffID); err != nil {
					return fmt.Errorf("notice read by %s: %w", e.StaffID, err)
				}
				return nil
			})
			s.on(at.Add(time.Duration(5+i)*time.Minute), func() error {
				if err := notices.Acknowledge(s.ctx, noticeID, e.StaffID); err != nil {
					return fmt.Errorf("notice acknowledged by %s: %w", e.StaffID, err)
				}
				return nil
			})
		case e.StaffID == demoNotAcknowledged[0] || e.StaffID == demoNotAcknowledged[1]:
			s.on(at, func() error { return notices.MarkRead(s.ctx, noticeID, e.StaffID) })
		}
	}
	// A reminder to those who had not acknowledged after two weeks.
	s.on(issue.AddDate(0, 0, 14), func() error {
		_, err := notices.Remind(s.ctx, demoHR, noticeID)
		return err
	})

	// Access requests (R-DSR-1).
	empReceived := s.day(52, 11, 0)
	var empReq int64
	s.on(empReceived, func() error {
		r := &monitoring.AccessRequest{Kind: monitoring.RequestByEmployee, StaffID: "E1008", ReceivedOn: date(empReceived),
			Description: "Pyydän kaikki tallenteet puheluistani, joita on kuunneltu tai arvioitu syyskuun aikana, sekä tiedot siitä, kuka ne on kuunnellut."}
		if err := requests.CreateAccessRequest(s.ctx, demoHR, r); err != nil {
			return fmt.Errorf("access request: %w", err)
		}
		empReq = r.ID
		return nil
	})
	delivered := s.day(33, 14, 0)
	s.on(delivered, func() error {
		return requests.DeliverAccessRequest(s.ctx, demoHR, empReq, date(delivered),
			"Kolme tallennetta (KC-tallenteet syyskuulta) kokonaisina kopioina suojatulla latauslinkillä sekä Vaakan raportti tallenteiden käytöistä.")
	})
	callerReceived := s.day(26, 15, 40)
	s.on(callerReceived, func() error {
		r := &monitoring.AccessRequest{Kind: monitoring.RequestByCaller, Requester: "Asiakas 40817 (puhelu asiakaspalveluun)",
			ReceivedOn:  date(callerReceived),
			Description: "Asiakas pyytää tallenteen puhelusta, jossa hän teki reklamaation laskutuksesta. Asiakas kertoi soittaneensa noin kuukausi sitten."}
		if err := requests.CreateAccessRequest(s.ctx, demoDPO, r); err != nil {
			return fmt.Errorf("access request: %w", err)
		}
		return nil
	})
}
