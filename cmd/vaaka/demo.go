package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"vaaka/app"
	"vaaka/db"
	"vaaka/monitoring"
)

// The demo organisation: "Esimerkki Oy", a Helsinki contact-centre company
// with four units, about forty employees, six monitoring activities in every
// status, a few hundred uses over the last eight months (some flagged) and a
// retention ledger with confirmed and overdue deletions. Everything goes
// through the real services, so the flags, the ledger and both hash chains
// are what the product computes.

const (
	metaDemo     = "demo"
	demoOrgName  = "Esimerkki Oy"
	demoPassword = "vaaka-demo-2026"
	demoDomain   = "esimerkki.fi"
)

// Demo accounts (one password for all, printed by serve --demo).
const (
	demoHR          = "hanna.hr@esimerkki.fi"
	demoDPO         = "daniel.dpo@esimerkki.fi"
	demoRep         = "riikka.luottamusmies@esimerkki.fi"
	demoSupervisor  = "sanna.esihenkilo@esimerkki.fi"
	demoSupervisor2 = "mikael.esihenkilo@esimerkki.fi"
	demoEmployee    = "eetu.tyontekija@esimerkki.fi"
	demoAdmin       = "antti.admin@esimerkki.fi"
)

// demoUser is a demo login.
type demoUser struct {
	Email, Name, Roles, StaffID string
	Lang                        monitoring.Language
	What                        string // what to try with it
}

var demoUsers = []demoUser{
	{demoHR, "Hanna Heikkinen", "hr", "", monitoring.Finnish, "HR: register, dashboard"},
	{demoDPO, "Daniel Sjöblom", "dpo", "", monitoring.Finnish, "DPO: reads everything, verifies the chains"},
	{demoRep, "Riikka Rantanen", "representative,employee", "E1010", monitoring.Finnish, "shop steward (luottamusmies)"},
	{demoSupervisor, "Sanna Virtanen", "supervisor,employee", "E1002", monitoring.Finnish, "team leader: records uses"},
	{demoSupervisor2, "Mikael Lindström", "supervisor,employee", "E1020", monitoring.Swedish, "team leader (Swedish UI)"},
	{demoEmployee, "Eetu Mäkinen", "employee", "E1005", monitoring.Finnish, "employee: own notices and log"},
	{demoAdmin, "Antti Aaltonen", "admin", "", monitoring.Finnish, "admin: users and tokens"},
}

// printDemoLogins prints the demo accounts.
func printDemoLogins(w io.Writer) {
	fmt.Fprintf(w, "\nDemo organisation %s — sign in with any of these (password %q):\n", demoOrgName, demoPassword)
	for _, u := range demoUsers {
		fmt.Fprintf(w, "  %-36s %-26s %s\n", u.Email, u.Roles, u.What)
	}
	fmt.Fprintln(w)
}

// demoBusinessID is a valid Y-tunnus for the demo organisation: the check
// digit is computed, not invented.
func demoBusinessID() string {
	const base = "2734581"
	for c := '0'; c <= '9'; c++ {
		if id := base + "-" + string(c); monitoring.ValidBusinessID(id) {
			return id
		}
	}
	panic("demo: no check digit for " + base)
}

// seedDemoIfEmpty fills an empty database with the demo organisation and
// reports whether it did; a database holding any data is left alone.
func seedDemoIfEmpty(ctx context.Context, d *db.DB, logger *slog.Logger) (bool, error) {
	empty, err := isEmpty(ctx, d)
	if err != nil || !empty {
		return false, err
	}
	start := time.Now()
	if err := seedDemo(ctx, d); err != nil {
		return false, err
	}
	logger.Info("demo data loaded", "organisation", demoOrgName, "took", time.Since(start).Round(time.Millisecond).String())
	return true, nil
}

// isEmpty reports whether the database has no users, employees or
// activities.
func isEmpty(ctx context.Context, d *db.DB) (bool, error) {
	users, err := db.NewAccountService(d).ListUsers(ctx)
	if err != nil {
		return false, err
	}
	emps, _, err := db.NewEmployeeService(d).ListEmployees(ctx, monitoring.EmployeeFilter{Limit: 1})
	if err != nil {
		return false, err
	}
	acts, _, err := db.NewRegisterService(d).ListActivities(ctx, monitoring.ActivityFilter{Limit: 1})
	if err != nil {
		return false, err
	}
	return len(users) == 0 && len(emps) == 0 && len(acts) == 0, nil
}

// seeder writes the demo organisation along a simulated timeline: d.Now
// follows the event being written, so times in the audit trail, the register
// history and the use log read as they would have happened.
type seeder struct {
	ctx  context.Context
	d    *db.DB
	now  time.Time // the real present; the timeline ends just before it
	loc  *time.Location
	rnd  *rand.Rand
	sim  atomic.Int64 // simulated Unix nanoseconds
	reg  *db.RegisterService
	emp  *db.EmployeeService
	acc  *db.AccountService
	set  *db.SettingsService
	uses *db.UseService
	recs *db.RecordingService

	acts      map[string]int64 // key → activity id
	events    []event
	recording map[string]*demoRecording
	extSeq    int
	refSeq    int
}

type event struct {
	at  time.Time
	seq int
	do  func() error
}

type demoRecording struct {
	ref       string
	callStart time.Time
	activity  string
	keep      bool // left overdue on purpose
	purge     bool // deletion confirmed in any case
}

// seedDemo writes the demo organisation into d, which must be empty.
func seedDemo(ctx context.Context, d *db.DB) error {
	prev := d.Now
	s := &seeder{
		ctx: ctx, d: d, now: prev().UTC(), loc: monitoring.Helsinki,
		rnd: rand.New(rand.NewPCG(2026, 759)),
		reg: db.NewRegisterService(d), emp: db.NewEmployeeService(d), acc: db.NewAccountService(d),
		set: db.NewSettingsService(d), uses: db.NewUseService(d), recs: db.NewRecordingService(d),
		acts: map[string]int64{}, recording: map[string]*demoRecording{},
	}
	// While seeding, the clock is the simulated one; afterwards the
	// previous clock again. The field itself is written once, here, before
	// any goroutine of d reads it.
	var simulating atomic.Bool
	simulating.Store(true)
	d.Now = func() time.Time {
		if simulating.Load() {
			return time.Unix(0, s.sim.Load()).UTC()
		}
		return prev()
	}
	defer simulating.Store(false)

	if err := s.plan(); err != nil {
		return err
	}
	sort.SliceStable(s.events, func(i, j int) bool {
		if !s.events[i].at.Equal(s.events[j].at) {
			return s.events[i].at.Before(s.events[j].at)
		}
		return s.events[i].seq < s.events[j].seq
	})
	for _, e := range s.events {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.sim.Store(e.at.UnixNano())
		if err := e.do(); err != nil {
			return fmt.Errorf("at %s: %w", e.at.Format(time.RFC3339), err)
		}
	}
	simulating.Store(false)
	return d.SetMeta(ctx, metaDemo, "1")
}

// on schedules fn at t.
func (s *seeder) on(t time.Time, fn func() error) {
	s.events = append(s.events, event{at: t.UTC(), seq: len(s.events), do: fn})
}

// day returns local midnight n days before today, plus h:m.
func (s *seeder) day(n int, h, m int) time.Time {
	t := s.now.In(s.loc)
	return time.Date(t.Year(), t.Month(), t.Day()-n, h, m, 0, 0, s.loc)
}

// monthStart returns the first of the month n months before this one, h:00.
func (s *seeder) monthStart(n, h int) time.Time {
	t := s.now.In(s.loc)
	return time.Date(t.Year(), t.Month()-time.Month(n), 1, h, 0, 0, 0, s.loc)
}

// plan schedules every event of the timeline.
func (s *seeder) plan() error {
	setup := s.monthStart(10, 9) // the organisation starts using Vaaka
	s.planOrganisation(setup)
	s.planPeople(setup.Add(30 * time.Minute))
	s.planActivities(setup)
	s.planUses()
	s.planLedger()
	s.planCases(setup)   // demo_cases.go
	s.planNotices(setup) // demo_notices.go
	s.planEvidence()     // demo_evidence.go
	s.planImports()      // demo_imports.go
	return nil
}

func (s *seeder) planOrganisation(at time.Time) {
	s.on(at, func() error {
		o := monitoring.Organisation{
			Name:             demoOrgName,
			BusinessID:       demoBusinessID(),
			Address:          "Esimerkkikatu 12 A, 00100 Helsinki",
			DPOContact:       "Tietosuojavastaava Daniel Sjöblom, tietosuoja@esimerkki.fi, puh. 010 123 4599",
			PrivacyNoticeURL: "https://esimerkki.fi/tietosuoja",
			Sector:           monitoring.SectorPrivate,
			Headcount:        64,
			DefaultLanguage:  monitoring.Finnish,
			TimeZone:         "Europe/Helsinki",
		}
		return s.set.UpdateOrganisation(s.ctx, demoAdmin, o)
	})
}

// Units of Esimerkki Oy.
const (
	unitService = "Asiakaspalvelu"
	unitSales   = "Myynti"
	unitSupport = "Tekninen tuki"
	unitBilling = "Laskutus"
)

var demoUnits = []string{unitService, unitSales, unitSupport, unitBilling}

// demoEmployeeRow is a member of staff: staff id, name, unit, language.
type demoEmployeeRow struct {
	StaffID, Name, Unit string
	Lang                monitoring.Language
}

var demoEmployees = []demoEmployeeRow{
	{"E1001", "Aino Korhonen", unitService, "fi"},
	{"E1002", "Sanna Virtanen", unitService, "fi"},
	{"E1003", "Matti Nieminen", unitService, "fi"},
	{"E1004", "Ella Lindholm", unitService, "sv"},
	{"E1005", "Eetu Mäkinen", unitService, "fi"},
	{"E1006", "Jenni Hämäläinen", unitService, "fi"},
	{"E1007", "Oskar Sjöberg", unitService, "sv"},
	{"E1008", "Noora Järvinen", unitService, "fi"},
	{"E1009", "Łukasz Nowak", unitService, "en"},
	{"E1010", "Riikka Rantanen", unitService, "fi"},
	{"E1011", "Ville Heikkilä", unitService, "fi"},
	{"E1012", "Linnea Ekström", unitService, "sv"},
	{"E1013", "Tuomas Kärkkäinen", unitService, "fi"},
	{"E1014", "Päivi Lehtonen", unitService, "fi"},
	{"E1015", "Ida Åberg", unitService, "sv"},
	{"E1016", "Juho Salminen", unitService, "fi"},
	{"E1017", "Petri Laine", unitSales, "fi"},
	{"E1018", "Katja Söderholm", unitSales, "sv"},
	{"E1019", "Antti Koskinen", unitSales, "fi"},
	{"E1020", "Mikael Lindström", unitSupport, "sv"},
	{"E1021", "Minna Peltonen", unitSales, "fi"},
	{"E1022", "Henrik Grönroos", unitSales, "sv"},
	{"E1023", "Lotta Väisänen", unitSales, "fi"},
	{"E1024", "Jari Tuominen", unitSales, "fi"},
	{"E1025", "Hanna-Mari Öhman", unitSales, "fi"},
	{"E1026", "Janne Ahonen", unitSupport, "fi"},
	{"E1027", "Emilia Backman", unitSupport, "sv"},
	{"E1028", "Teemu Rautio", unitSupport, "fi"},
	{"E1029", "Sari Kettunen", unitSupport, "fi"},
	{"E1030", "Niklas Holmström", unitSupport, "sv"},
	{"E1031", "Veera Pöllänen", unitSupport, "fi"},
	{"E1032", "Arttu Mäenpää", unitSupport, "fi"},
	{"E1033", "Anna-Liisa Ylönen", unitSupport, "fi"},
	{"E1034", "Kaisa Laaksonen", unitBilling, "fi"},
	{"E1035", "Jukka Räsänen", unitBilling, "fi"},
	{"E1036", "Marja Nyström", unitBilling, "sv"},
	{"E1037", "Heidi Öberg", unitBilling, "fi"},
	{"E1038", "Timo Hyvönen", unitBilling, "fi"},
	{"E1039", "Sofía Martínez", unitBilling, "en"},
	{"E1040", "Aleksi Vähämäki", unitBilling, "fi"},
}

// emailOf makes "firstname.lastname@esimerkki.fi" in ASCII; linked users
// keep their demo login as their email.
func emailOf(e demoEmployeeRow) string {
	for _, u := range demoUsers {
		if u.StaffID == e.StaffID {
			return u.Email
		}
	}
	r := strings.NewReplacer("ä", "a", "ö", "o", "å", "a", "Ä", "a", "Ö", "o", "Å", "a", "ł", "l", "Ł", "l", "í", "i", "é", "e", " ", ".")
	return strings.ToLower(r.Replace(e.Name)) + "@" + demoDomain
}

func (s *seeder) planPeople(at time.Time) {
	s.on(at, func() error {
		for _, u := range demoUnits {
			if err := s.emp.CreateUnit(s.ctx, demoHR, u); err != nil {
				return fmt.Errorf("unit %s: %w", u, err)
			}
		}
		for _, e := range demoEmployees {
			emp := &monitoring.Employee{StaffID: e.StaffID, Name: e.Name, Email: emailOf(e), Unit: e.Unit, Language: e.Lang, Active: true}
			if err := s.emp.CreateEmployee(s.ctx, demoHR, emp); err != nil {
				return fmt.Errorf("employee %s: %w", e.StaffID, err)
			}
		}
		return nil
	})
	s.on(at.Add(-20*time.Minute), func() error {
		// One argon2id hash for every demo account: they share a password.
		hash, err := app.HashPassword(demoPassword)
		if err != nil {
			return err
		}
		for _, du := range demoUsers {
			roles, err := monitoring.ParseRoles(du.Roles)
			if err != nil {
				return err
			}
			u := &monitoring.User{Email: du.Email, Name: du.Name, Roles: roles, StaffID: du.StaffID, Language: du.Lang, Active: true, PasswordHash: hash}
			actor := demoAdmin
			if du.Email == demoAdmin {
				actor = cliActor
			}
			if err := s.acc.CreateUser(s.ctx, actor, u); err != nil {
				return fmt.Errorf("user %s: %w", du.Email, err)
			}
		}
		return nil
	})
}

// Texts shared by several activities.
const (
	privacyURL     = "https://esimerkki.fi/tietosuoja"
	inboundFI      = "Puhelut tallennetaan asiakaspalvelun laadun varmistamiseksi ja asiakkaan kanssa sovittujen asioiden todentamiseksi. Lisätietoa tietosuojaselosteessa osoitteessa esimerkki.fi/tietosuoja."
	inboundSV      = "Samtalen spelas in för att säkerställa kvaliteten i vår kundtjänst och för att kunna styrka det som avtalats med kunden. Mer information finns i dataskyddsbeskrivningen på esimerkki.fi/tietosuoja."
	inboundEN      = "Calls are recorded to ensure the quality of our customer service and to verify what was agreed with the customer. More information in our privacy notice at esimerkki.fi/tietosuoja."
	outboundFI     = "Hei, soitan Esimerkki Oy:stä. Puhelu tallennetaan sovittujen asioiden todentamiseksi ja palvelun laadun varmistamiseksi. Lisätietoa osoitteessa esimerkki.fi/tietosuoja."
	outboundSV     = "Hej, jag ringer från Esimerkki Oy. Samtalet spelas in för att styrka det som avtalas och för att säkerställa kvaliteten. Mer information på esimerkki.fi/tietosuoja."
	outboundEN     = "Hello, I am calling from Esimerkki Oy. This call is recorded to verify what we agree and to ensure the quality of our service. More information at esimerkki.fi/tietosuoja."
	recipientsText = "Tallenteita ei luovuteta sivullisille. Puhelinjärjestelmän toimittaja Kontakti Cloud Oy käsittelee tallenteita henkilötietojen käsittelijänä (käsittelysopimus 3/2025). Riita-asioissa tallenne voidaan luovuttaa viranomaiselle lain nojalla."
	transfersText  = "Ei siirtoja EU- tai ETA-alueen ulkopuolelle: tallenteet säilytetään Suomessa sijaitsevissa konesaleissa."
	securityText   = "Tallenteet salataan levyllä ja siirrossa. Pääsy vain nimetyille käyttäjille kaksivaiheisella tunnistautumisella; jokainen kuuntelu ja lataus kirjataan Vaakaan. Agenttien käyttöoikeudet on rajattu omiin puheluihin."
	ivrText        = "Tiedote toistetaan heti puhelun alussa ennen jonotusta; valikon vaihtoehto 9 (aukioloajat) ei ole tallennettava, joten tiedote soi vasta valinnan jälkeen."
)

func ann(fi, sv, en string) map[monitoring.Language]string {
	return map[monitoring.Language]string{monitoring.Finnish: fi, monitoring.Swedish: sv, monitoring.English: en}
}

func date(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// demoActivity is a register entry with its simulated timeline.
type demoActivity struct {
	key      string
	created  time.Time
	activity func() *monitoring.Activity
	statuses []statusAt
}

type statusAt struct {
	status monitoring.Status
	at     time.Time
}

func (s *seeder) planActivities(setup time.Time) {
	activeSince := s.monthStart(9, 8) // the main queue recording went live then
	created := setup.Add(2 * time.Hour)
	all := []demoActivity{
		{key: "service", created: created, activity: s.actService, statuses: []statusAt{
			{monitoring.StatusInCooperation, setup.AddDate(0, 0, 6)},
			{monitoring.StatusReady, setup.AddDate(0, 0, 24)},
			{monitoring.StatusActive, activeSince},
		}},
		{key: "legacy", created: created.Add(10 * time.Minute), activity: s.actLegacy, statuses: []statusAt{
			{monitoring.StatusInCooperation, created.Add(20 * time.Minute)},
			{monitoring.StatusReady, created.Add(25 * time.Minute)},
			{monitoring.StatusActive, created.Add(30 * time.Minute)},
			{monitoring.StatusRetired, s.monthStart(5, 7)},
		}},
		{key: "billing", created: created.Add(20 * time.Minute), activity: s.actBilling, statuses: []statusAt{
			{monitoring.StatusInCooperation, setup.AddDate(0, 0, 6)},
			{monitoring.StatusReady, setup.AddDate(0, 0, 24)},
			{monitoring.StatusActive, activeSince},
			{monitoring.StatusSuspended, s.day(30, 10, 15)},
		}},
		{key: "callbacks", created: s.day(120, 13, 0), activity: s.actCallbacks, statuses: []statusAt{
			{monitoring.StatusInCooperation, s.day(101, 9, 30)},
			{monitoring.StatusReady, s.day(19, 14, 0)},
		}},
		{key: "sales", created: s.day(75, 10, 0), activity: s.actSales, statuses: []statusAt{
			{monitoring.StatusInCooperation, s.day(40, 9, 0)},
		}},
		{key: "analytics", created: s.day(31, 15, 20), activity: s.actAnalytics},
	}
	for _, da := range all {
		s.on(da.created, func() error {
			a := da.activity()
			if err := s.reg.CreateActivity(s.ctx, demoHR, a); err != nil {
				return fmt.Errorf("activity %s: %w", da.key, err)
			}
			s.acts[da.key] = a.ID
			return nil
		})
		for _, st := range da.statuses {
			s.on(st.at, func() error {
				// Statuses beyond the readiness gate are seeded: the
				// co-operation and notice features that satisfy it are not
				// built yet.
				if err := s.reg.SeedStatus(s.ctx, s.acts[da.key], st.status, st.at.UTC()); err != nil {
					return fmt.Errorf("activity %s → %s: %w", da.key, st.status, err)
				}
				return nil
			})
		}
	}
}

// serviceNecessity is the necessity justification of the queue recordings
// (R-NEC-1).
var serviceNecessity = monitoring.Necessity{
	Category: monitoring.RightsAndObligations,
	Justification: "Asiakaspalvelijan tehtävä on neuvoa asiakkaita ja ottaa vastaan tilauksia ja reklamaatioita puhelimitse. " +
		"Tallenteiden avulla työnantaja voi todentaa, mitä asiakkaan kanssa sovittiin, selvittää reklamaatiot ja antaa " +
		"työntekijälle konkreettista palautetta työohjeiden mukaisesta asiakaspalvelusta. Tiedot ovat välittömästi " +
		"tarpeellisia osapuolten oikeuksien ja velvollisuuksien hoitamiseksi (työturvallisuuden ja työn laadun valvonta, " +
		"sopimusten todentaminen).",
	Alternatives: "Harkittiin reaaliaikaista kuuntelua (edellyttäisi esihenkilön jatkuvaa läsnäoloa ja olisi työntekijälle " +
		"tunkeilevampaa), asiakaskyselyjä (eivät kerro, mitä puhelussa sovittiin) ja kirjallisia puhelumuistiinpanoja " +
		"(eivät riitä riitatilanteissa näytöksi). Mikään näistä ei yksin riitä sopimusten todentamiseen.",
	Proportionality: "Vain liikenumerot tallennetaan, tallenteita käyttävät vain nimetyt esihenkilöt ja laatuasiantuntija, " +
		"tallenteet poistetaan 90 päivän kuluttua ja jokainen käyttö kirjataan Vaakaan, josta työntekijä näkee omat tietonsa.",
}

func (s *seeder) actService() *monitoring.Activity {
	return &monitoring.Activity{
		Name: "Asiakaspalvelujonon puhelujen tallentaminen laadun varmistamiseksi",
		Description: "Asiakaspalvelun ja teknisen tuen saapuvat puhelut tallennetaan puhelinjärjestelmään. Esihenkilöt " +
			"kuuntelevat otoksia laatuvalmennusta varten ja selvittävät reklamaatiot tallenteiden avulla.",
		Method: monitoring.CallRecording, System: "Kontakti Cloud (pilvipuhelinvaihde)",
		Directions: []monitoring.Direction{monitoring.Inbound},
		Queues:     []string{"Asiakaspalvelu 010 123 4500", "Tekninen tuki 010 123 4600"},
		Purposes: []monitoring.Purpose{
			{Code: "quality", Description: "Asiakaspalvelun laadun varmistaminen ja työntekijän valmentaminen palautteella"},
			{Code: "dispute_resolution", Description: "Puhelimessa tehtyjen tilausten, sopimusten ja reklamaatioiden todentaminen"},
			{Code: "training", Description: "Perehdytys: esimerkkipuhelut uusille työntekijöille työntekijän suostumuksella anonymisoituna"},
		},
		LawfulBasis: monitoring.LegitimateInterests,
		LawfulBasisDetail: "Oikeutettu etu: työnantajan tarve todentaa asiakkaan kanssa tehdyt sopimukset ja varmistaa palvelun " +
			"laatu. Tasapainotestissä huomioitiin työntekijän yksityisyys: käyttö on rajattu nimettyihin henkilöihin ja " +
			"tarkoituksiin, ja jokainen käyttö näkyy työntekijälle.",
		Necessity:         serviceNecessity,
		DataCategories:    []string{"voice", "call_metadata"},
		SpecialCategories: monitoring.SpecialCategories{Notes: "Puhujantunnistusta ei käytetä. Puhelun sisältö voi satunnaisesti paljastaa terveystietoja; sellaisia kohtia ei kirjata valmennusmuistiinpanoihin."},
		BusinessLinesOnly: true,
		Units:             []string{unitService, unitSupport},
		AuthorizedUsers: []monitoring.AuthorizedUser{
			{Email: demoSupervisor, Task: "Asiakaspalvelun tiiminvetäjä: laatuvalmennus ja reklamaatioiden selvittäminen"},
			{Email: demoSupervisor2, Task: "Teknisen tuen tiiminvetäjä: laatuvalmennus"},
			{Email: "laura.koskinen@esimerkki.fi", Task: "Laatuasiantuntija: laatuarvioinnit"},
		},
		RetentionDays:     90,
		RetentionCriteria: "Tallenteet poistetaan automaattisesti 90 päivän kuluttua puhelusta, ellei tallennetta tarvita vireillä olevan reklamaation selvittämiseen.",
		CallerInformation: monitoring.CallerInformation{
			Inbound:          ann(inboundFI, inboundSV, inboundEN),
			IVRPlacement:     ivrText,
			PrivacyNoticeURL: privacyURL,
		},
		DPIA: monitoring.DPIA{Required: true, CompletedOn: date(s.monthStart(10, 0).AddDate(0, 0, 20)),
			Summary: "Riskit arvioitiin kohtuullisiksi: käyttöoikeudet rajattu, säilytysaika lyhyt, käytöt kirjataan. Henkilöstön näkemykset kuultiin vuoropuhelussa.",
			FileRef: "DPIA-2026-01"},
		Recipients:       recipientsText,
		Transfers:        transfersText,
		SecurityMeasures: securityText,
		ReviewOn:         date(s.now.AddDate(0, 4, 0)),
	}
}

func (s *seeder) actLegacy() *monitoring.Activity {
	a := s.actService()
	a.Name = "Asiakaspalvelun puhelujen tallennus vanhassa puhelinvaihteessa"
	a.Description = "Vanhan puhelinvaihteen (Vaihde 2000) tallennus asiakaspalvelun jonossa. Korvattu Kontakti Cloud -järjestelmällä; tallenteet poistettiin siirron jälkeen."
	a.System = "Vaihde 2000 (käytöstä poistettu)"
	a.Queues = []string{"Asiakaspalvelu 010 123 4500"}
	a.Units = []string{unitService}
	a.Purposes = a.Purposes[:2]
	a.AuthorizedUsers = a.AuthorizedUsers[:1]
	a.RetentionDays = 60
	a.RetentionCriteria = "Tallenteet poistettiin 60 päivän kuluttua puhelusta."
	a.DPIA.FileRef = "DPIA-2024-03"
	a.DPIA.CompletedOn = date(s.monthStart(22, 0))
	a.ReviewOn = time.Time{}
	return a
}

func (s *seeder) actBilling() *monitoring.Activity {
	a := s.actService()
	a.Name = "Laskutuksen asiakaspuhelujen tallennus"
	a.Description = "Laskutuksen palvelunumeroon tulevat puhelut (maksusuunnitelmat, laskujen oikaisut) tallennetaan. " +
		"Käyttö keskeytetty, kunnes vaikutustenarviointi on päivitetty maksukyvyttömyystietojen osalta."
	a.Queues = []string{"Laskutus 010 123 4700"}
	a.Units = []string{unitBilling}
	a.Purposes = []monitoring.Purpose{
		{Code: "dispute_resolution", Description: "Maksusuunnitelmista ja laskujen oikaisuista sovitun todentaminen"},
		{Code: "quality", Description: "Laskutuksen asiakaspalvelun laadun varmistaminen"},
	}
	a.AuthorizedUsers = []monitoring.AuthorizedUser{
		{Email: demoSupervisor, Task: "Laskutuksen ja asiakaspalvelun tiiminvetäjä: reklamaatioiden selvittäminen"},
	}
	a.SpecialCategories.Notes = "Puheluissa voi tulla esiin maksuvaikeuksia ja terveydentilaa koskevia tietoja; vaikutustenarviointia päivitetään."
	a.DPIA.FileRef = "DPIA-2026-02"
	a.ReviewOn = date(s.now.AddDate(0, 0, -10)) // overdue review (R-REV-1)
	return a
}

func (s *seeder) actCallbacks() *monitoring.Activity {
	return &monitoring.Activity{
		Name:        "Teknisen tuen takaisinsoittojen tallennus",
		Description: "Teknisen tuen asiantuntijat soittavat asiakkaille takaisin vikailmoitusten jälkeen. Takaisinsoitot tallennetaan, jotta asiakkaan kanssa sovitut korjaustoimet voidaan todentaa.",
		Method:      monitoring.CallRecording, System: "Kontakti Cloud (pilvipuhelinvaihde)",
		Directions: []monitoring.Direction{monitoring.Outbound},
		Queues:     []string{"Takaisinsoittojono TT-CB"},
		Purposes: []monitoring.Purpose{
			{Code: "dispute_resolution", Description: "Asiakkaan kanssa sovittujen korjaustoimien ja käyntiaikojen todentaminen"},
			{Code: "quality", Description: "Teknisen neuvonnan laadun varmistaminen"},
		},
		LawfulBasis:       monitoring.LegitimateInterests,
		LawfulBasisDetail: "Oikeutettu etu: korjaustoimeksiannoista sovitun todentaminen. Tasapainotus kuten asiakaspalvelujonossa; vain takaisinsoitot tallennetaan.",
		Necessity: monitoring.Necessity{
			Category:        monitoring.RightsAndObligations,
			Justification:   "Takaisinsoitoissa sovitaan maksullisista korjauskäynneistä. Tallenne on välittömästi tarpeellinen sopimuksen todentamiseksi ja työntekijän oikeusturvan varmistamiseksi erimielisyyksissä.",
			Alternatives:    "Kirjallinen vahvistus sähköpostilla harkittiin; kaikilla asiakkailla ei ole sähköpostia eikä vahvistus kata neuvonnan sisältöä.",
			Proportionality: "Vain takaisinsoittojono tallennetaan; tallenteet säilytetään 60 päivää ja käyttö on rajattu tiiminvetäjään.",
		},
		DataCategories:    []string{"voice", "call_metadata"},
		SpecialCategories: monitoring.SpecialCategories{Notes: "Ei puhujantunnistusta. Vikailmoituksissa ei käsitellä terveystietoja; jos asiakas kertoo niistä, tietoja ei kirjata."},
		BusinessLinesOnly: true,
		Units:             []string{unitSupport},
		AuthorizedUsers: []monitoring.AuthorizedUser{
			{Email: demoSupervisor2, Task: "Teknisen tuen tiiminvetäjä: sopimusten todentaminen ja valmennus"},
		},
		RetentionDays:     60,
		RetentionCriteria: "Tallenteet poistetaan 60 päivän kuluttua puhelusta.",
		CallerInformation: monitoring.CallerInformation{
			Outbound:         ann(outboundFI, outboundSV, outboundEN),
			PrivacyNoticeURL: privacyURL,
		},
		DPIA: monitoring.DPIA{Required: true, CompletedOn: date(s.now.AddDate(0, 0, -60)),
			Summary: "Vähäinen lisäriski asiakaspalvelujonon tallennukseen verrattuna; samat suojatoimet.", FileRef: "DPIA-2026-05"},
		Recipients:       recipientsText,
		Transfers:        transfersText,
		SecurityMeasures: securityText,
		ReviewOn:         date(s.now.AddDate(1, 0, 0)),
	}
}

func (s *seeder) actSales() *monitoring.Activity {
	return &monitoring.Activity{
		Name:        "Myynnin lähtevien puhelujen tallennus",
		Description: "Myyjien lähtevät myyntipuhelut kuluttaja-asiakkaille tallennetaan, jotta puhelimessa tehdyt tilaukset ja niiden vahvistukset voidaan todentaa. Asia on vuoropuhelussa henkilöstön edustajien kanssa.",
		Method:      monitoring.CallRecording, System: "Kontakti Cloud (pilvipuhelinvaihde)",
		Directions: []monitoring.Direction{monitoring.Outbound},
		Queues:     []string{"Myynnin soittolistat"},
		Purposes: []monitoring.Purpose{
			{Code: "dispute_resolution", Description: "Puhelinmyynnissä tehtyjen tilausten ja kuluttajan vahvistusten todentaminen"},
			{Code: "quality", Description: "Myyntipuhelujen asianmukaisuuden varmistaminen (kuluttajansuojalain tiedonantovelvollisuudet)"},
		},
		LawfulBasis:       monitoring.LegalObligation,
		LawfulBasisDetail: "Puhelinmyynnissä elinkeinonharjoittajan on voitava osoittaa antaneensa kuluttajalle vaaditut tiedot ja saaneensa vahvistuksen.",
		Necessity: monitoring.Necessity{
			Category:        monitoring.RightsAndObligations,
			Justification:   "Tallenne on välittömästi tarpeellinen puhelimessa tehdyn sopimuksen todentamiseksi ja myyjän oikeusturvan varmistamiseksi reklamaatioissa.",
			Alternatives:    "Kirjallinen tilausvahvistus lähetetään aina, mutta se ei osoita, mitä puhelussa kerrottiin.",
			Proportionality: "Kesken: henkilöstön edustajat ovat ehdottaneet säilytysajan lyhentämistä 12 kuukauteen.",
		},
		DataCategories:    []string{"voice", "call_metadata", "order_data"},
		SpecialCategories: monitoring.SpecialCategories{Notes: "Ei puhujantunnistusta. Myyntipuheluissa ei kysytä terveys- tai ammattiliittotietoja."},
		BusinessLinesOnly: true,
		Units:             []string{unitSales},
		AuthorizedUsers: []monitoring.AuthorizedUser{
			{Email: "petri.laine@esimerkki.fi", Task: "Myyntipäällikkö: reklamaatioiden selvittäminen"},
		},
		RetentionDays:     540,
		RetentionCriteria: "Tallenteet säilytetään 18 kuukautta tilauksesta.",
		RetentionReason:   "Kuluttajan reklamaatio- ja vanhentumisajat: tilauksen todentaminen on voitava tehdä koko sopimuskauden ajan.",
		CallerInformation: monitoring.CallerInformation{
			Outbound:             ann(outboundFI, outboundSV, outboundEN),
			PrivacyNoticeURL:     privacyURL,
			PreInformedCustomers: "Yritysasiakkaille tallentamisesta kerrotaan puitesopimuksessa.",
		},
		DPIA:             monitoring.DPIA{Required: true, Summary: "Luonnos; henkilöstön näkemykset kuullaan vuoropuhelussa (R-DPIA-2)."},
		Recipients:       recipientsText,
		Transfers:        transfersText,
		SecurityMeasures: securityText,
		ReviewOn:         date(s.now.AddDate(1, 0, 0)),
	}
}

func (s *seeder) actAnalytics() *monitoring.Activity {
	// Deliberately incomplete: a draft with most readiness rules unmet.
	return &monitoring.Activity{
		Name:        "Puheanalytiikka (pilotti)",
		Description: "Pilotti, jossa tallenteista tehdään automaattinen litterointi ja aihetunnistus. Vaikutustenarviointi ja vuoropuhelu ovat aloittamatta.",
		Method:      monitoring.SpeechAnalytics, System: "Kontakti Cloud Analytics",
		Directions: []monitoring.Direction{monitoring.Inbound},
		Purposes: []monitoring.Purpose{
			{Code: "quality", Description: "Yleisimpien yhteydenottosyiden tunnistaminen ja ohjeistuksen parantaminen"},
		},
		DataCategories:    []string{"voice", "transcript"},
		SpecialCategories: monitoring.SpecialCategories{Notes: "Selvitettävä, käyttääkö palvelu puhujantunnistusta (biometrinen tunniste, R-SPC-1)."},
		Units:             []string{unitService, unitSupport},
		AuthorizedUsers: []monitoring.AuthorizedUser{
			{Email: demoSupervisor2, Task: "Pilotin vastuuhenkilö"},
		},
		DPIA: monitoring.DPIA{Required: true},
	}
}

// Uses.

// demoPlanUse is a use to write in a day's batch.
type demoPlanUse struct {
	u   *monitoring.Use
	act string
}

var (
	qualityNotes = []string{
		"Laatuvalmennus: asiakkaan tunnistaminen ja ohjeistuksen mukainen lopetus.",
		"Valmennuskeskustelu sovittu; hyvä esimerkki rauhallisesta palvelusta.",
		"Laatuarviointi kuukausiotos.",
		"Palaute: tarjoa takaisinsoittoa pitkissä selvityksissä.",
		"",
	}
	disputeNotes = []string{
		"Reklamaatio: asiakas kiistää tilauksen.",
		"Asiakas pyysi tarkistamaan sovitun eräpäivän.",
		"Reklamaatio laskun oikaisusta.",
	}
	trainingNotes = []string{
		"Perehdytys: esimerkkipuhelu uuden työntekijän valmennukseen.",
	}
)

func (s *seeder) pick(xs []string) string { return xs[s.rnd.IntN(len(xs))] }

func staffOf(unit string) []string {
	var ids []string
	for _, e := range demoEmployees {
		if e.Unit == unit {
			ids = append(ids, e.StaffID)
		}
	}
	return ids
}

// supervisorOf is the authorised user who records uses of a unit's calls.
func supervisorOf(unit string) string {
	if unit == unitSupport {
		return demoSupervisor2
	}
	return demoSupervisor
}

// newRecording makes a recording reference for a call.
func (s *seeder) newRecording(act string, callStart time.Time) *demoRecording {
	s.refSeq++
	r := &demoRecording{ref: fmt.Sprintf("KC-%s-%04d", callStart.In(s.loc).Format("20060102"), s.refSeq), callStart: callStart, activity: act}
	s.recording[r.ref] = r
	return r
}

// use builds a use; the source is the telephony integration (with an
// external id) or the web form.
func (s *seeder) use(act string, rec *demoRecording, staffID, usedBy string, action monitoring.Action, purpose, note string, at time.Time, api bool) demoPlanUse {
	u := &monitoring.Use{
		RecordingRef: rec.ref, CallStartedAt: rec.callStart.UTC(), Direction: monitoring.Inbound,
		EmployeeStaffIDs: []string{staffID}, UsedBy: usedBy, Action: action, Purpose: purpose, Note: note,
		OccurredAt: at.UTC(), Source: monitoring.SourceWeb,
	}
	if act == "callbacks" {
		u.Direction = monitoring.Outbound
	}
	if api {
		s.extSeq++
		u.Source = monitoring.SourceAPI
		u.ExternalID = fmt.Sprintf("kontakti-access-%06d", 100000+s.extSeq)
	}
	return demoPlanUse{u: u, act: act}
}

// planUses schedules a few hundred uses over the last eight months, one
// batch per working day, and the deliberately flagged ones.
func (s *seeder) planUses() {
	days := map[int][]demoPlanUse{} // days ago → uses
	serviceUnits := []string{unitService, unitService, unitService, unitSupport}
	retired := s.monthStart(5, 7)
	suspended := s.day(30, 10, 15)
	for n := 240; n >= 1; n-- {
		d := s.day(n, 0, 0)
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		count := []int{0, 1, 1, 1, 2, 2, 3}[s.rnd.IntN(7)]
		for i := 0; i < count; i++ {
			at := s.day(n, 8+s.rnd.IntN(8), s.rnd.IntN(60))
			act := "service"
			switch r := s.rnd.IntN(10); {
			case r < 2 && at.Before(suspended):
				act = "billing"
			case r < 4 && at.Before(retired):
				act = "legacy"
			}
			unit := serviceUnits[s.rnd.IntN(len(serviceUnits))]
			if act == "billing" {
				unit = unitBilling
			} else if act == "legacy" {
				unit = unitService
			}
			staff := staffOf(unit)
			staffID := staff[s.rnd.IntN(len(staff))]
			if s.rnd.IntN(8) == 0 && unit == unitService {
				staffID = "E1005" // the demo employee has a log of their own
			}
			who := supervisorOf(unit)
			// The call was taken during opening hours in the days before.
			callStart := s.day(n+s.rnd.IntN(6), 8+s.rnd.IntN(9), s.rnd.IntN(60))
			if !callStart.Before(at) {
				callStart = at.Add(-time.Duration(30+s.rnd.IntN(90)) * time.Minute)
			}
			rec := s.newRecording(act, callStart)
			purpose, notes := "quality", qualityNotes
			switch r := s.rnd.IntN(10); {
			case r < 2:
				purpose, notes = "dispute_resolution", disputeNotes
			case r < 3 && act == "service":
				purpose, notes = "training", trainingNotes
			}
			api := s.rnd.IntN(10) < 4
			days[n] = append(days[n], s.use(act, rec, staffID, who, monitoring.Listened, purpose, s.pick(notes), at, api))
			if purpose == "quality" && s.rnd.IntN(3) == 0 {
				// A listening followed by the evaluation of the same call.
				days[n] = append(days[n], s.use(act, rec, staffID, who, monitoring.Evaluated, purpose, "Laatuarviointilomake täytetty.", at.Add(25*time.Minute), false))
			}
		}
	}
	s.planFlagged(days)
	for n, batch := range days {
		at := s.day(n, 18, 0)
		s.on(at, func() error {
			uses := make([]*monitoring.Use, len(batch))
			for i, p := range batch {
				p.u.ActivityID = s.acts[p.act]
				uses[i] = p.u
			}
			_, err := s.uses.RecordUses(s.ctx, uses)
			return err
		})
	}
}

// planFlagged adds the uses that show each flag on the dashboard.
func (s *seeder) planFlagged(days map[int][]demoPlanUse) {
	add := func(n int, p demoPlanUse) { days[n] = append(days[n], p) }
	// R-ACC-1: HR listened without being an authorised user.
	rec := s.newRecording("service", s.day(201, 10, 5))
	add(200, s.use("service", rec, "E1003", demoHR, monitoring.Listened, "dispute_resolution", "Asiakkaan valitus toimitusjohtajalle; kuunneltu itse.", s.day(200, 14, 10), false))
	rec = s.newRecording("service", s.day(96, 11, 40))
	add(95, s.use("service", rec, "E1008", demoHR, monitoring.Downloaded, "dispute_resolution", "Ladattu asianajajalle.", s.day(95, 9, 30), false))
	// R-PUR-1: the telephony access log has no purpose.
	for _, n := range []int{150, 60, 9} {
		rec = s.newRecording("service", s.day(n+1, 13, 0))
		add(n, s.use("service", rec, "E1006", demoSupervisor, monitoring.Listened, "", "", s.day(n, 15, 45), true))
	}
	// R-PUR-1: a purpose that is not registered.
	rec = s.newRecording("service", s.day(71, 9, 20))
	add(70, s.use("service", rec, "E1011", demoSupervisor, monitoring.Evaluated, "performance_review", "Kehityskeskustelun valmistelu.", s.day(70, 10, 0), false))
	// R-NOT-1: a billing employee's call heard under the service activity.
	rec = s.newRecording("service", s.day(111, 12, 0))
	add(110, s.use("service", rec, "E1035", demoSupervisor, monitoring.Listened, "quality", "Siirretty puhelu laskutukseen.", s.day(110, 13, 15), false))
	// R-RET-2: used after the retention period; the recording is kept overdue.
	rec = s.newRecording("service", s.day(170, 10, 30))
	rec.keep = true
	add(45, s.use("service", rec, "E1013", demoSupervisor, monitoring.Listened, "dispute_resolution", "Vanha reklamaatio avattiin uudelleen.", s.day(45, 11, 0), false))
	// R-RET-2: used after its deletion was confirmed (a local copy).
	rec = s.newRecording("service", s.day(130, 14, 0))
	rec.purge = true
	add(128, s.use("service", rec, "E1016", demoSupervisor, monitoring.Listened, "quality", "", s.day(128, 9, 0), false))
	add(33, s.use("service", rec, "E1016", demoSupervisor, monitoring.Shared, "dispute_resolution", "Jaettu paikallisesta kopiosta.", s.day(33, 10, 0), false))
	// R-SEQ-1: a use under the draft analytics pilot.
	rec = s.newRecording("analytics", s.day(13, 10, 0))
	add(12, s.use("analytics", rec, "E1028", demoSupervisor2, monitoring.Transcribed, "quality", "Pilotin testilitterointi.", s.day(12, 11, 30), true))
	// R-SEQ-1: a use after billing's recording was suspended.
	rec = s.newRecording("billing", s.day(21, 9, 0))
	add(20, s.use("billing", rec, "E1036", demoSupervisor, monitoring.Listened, "dispute_resolution", "Maksusuunnitelman riita.", s.day(20, 10, 30), false))
}

// planLedger registers recent recordings through the integration and
// confirms the deletion of the old ones, except a few left overdue
// (R-RET-2).
func (s *seeder) planLedger() {
	retention := map[string]int{"service": 90, "legacy": 60, "billing": 90, "analytics": 0, "callbacks": 60}
	// Recordings the integration registered that nobody has used.
	for n := 14; n >= 1; n-- {
		d := s.day(n, 0, 0)
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		var batch []*monitoring.Recording
		for i := 0; i < 3; i++ {
			call := s.day(n, 9+2*i, s.rnd.IntN(60))
			rec := s.newRecording("service", call)
			staff := staffOf(unitService)
			batch = append(batch, &monitoring.Recording{Ref: rec.ref, CallStartedAt: call.UTC(), Direction: monitoring.Inbound, EmployeeStaffID: staff[s.rnd.IntN(len(staff))]})
		}
		s.on(s.day(n, 17, 0), func() error {
			for _, r := range batch {
				r.ActivityID = s.acts["service"]
			}
			_, err := s.recs.RegisterRecordings(s.ctx, demoSupervisor, batch)
			return err
		})
	}
	// A handful of old recordings are left overdue on purpose.
	var old []*demoRecording
	for _, r := range s.recording {
		if days := retention[r.activity]; days > 0 && r.callStart.AddDate(0, 0, days).Before(s.now.AddDate(0, 0, -1)) {
			old = append(old, r)
		}
	}
	slices.SortFunc(old, func(a, b *demoRecording) int { return strings.Compare(a.ref, b.ref) })
	overdue := 0
	for _, r := range old {
		due := monitoring.DeletionDue(r.callStart, retention[r.activity])
		if r.keep || (!r.purge && overdue < 5 && r.activity == "service" && due.After(s.now.AddDate(0, 0, -40))) {
			if !r.keep {
				overdue++
			}
			continue
		}
		at := due.Add(time.Duration(1+s.rnd.IntN(30)) * time.Hour)
		if at.After(s.now) {
			at = s.now.Add(-time.Hour)
		}
		s.on(at, func() error {
			_, err := s.recs.ConfirmDeletion(s.ctx, demoHR, r.ref, at.UTC())
			return err
		})
	}
}
