package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"vaaka/app"
	"vaaka/db"
	"vaaka/monitoring"
)

// vaaka gen fills an empty database with a generated organisation and N
// uses spread over the two years before now, for benchmarks (issue
// "Performance"). Everything goes through the real services (the use
// writer computes flags, chains and rollups as for any request), in
// batches of 1000 uses submitted concurrently so that the group-commit
// writer commits several per transaction. Use is skewed: a few employees,
// supervisors and activities account for most uses (Zipf).
//
// One shortcut: confirmed deletions of expired recordings are written in
// bulk once per simulated month (one UPDATE and one summary audit entry,
// "recording.deleted_bulk"), not one ConfirmDeletion per recording. A few
// recordings are left overdue on purpose.

// genFacts describes a generated database to the load driver
// (cmd/vaakabench), stored in meta "gen".
type genFacts struct {
	Uses            int64    `json:"uses"`
	Seed            uint64   `json:"seed"`
	Password        string   `json:"password"`
	HR              string   `json:"hr"`
	DPO             string   `json:"dpo"`
	Supervisors     []string `json:"supervisors"` // most active first
	HeavyEmployee   string   `json:"heavy_employee"`
	HeavyEmail      string   `json:"heavy_email"`
	LightEmployee   string   `json:"light_employee"`
	LightEmail      string   `json:"light_email"`
	Activities      []int64  `json:"activities"` // busiest first
	StaffIDs        []string `json:"staff_ids"`  // a sample of staff ids, heaviest first
	Start           string   `json:"start"`
	End             string   `json:"end"`
	GeneratedInSecs float64  `json:"generated_in_secs"`
}

const (
	metaGen     = "gen"
	genPassword = "vaaka-gen-benchmark"
	genDomain   = "gen.example.fi"
	genBatch    = monitoring.MaxBatch
)

type genArgs struct {
	db        string
	uses      int64
	seed      uint64
	employees int
	quiet     bool
	profile   string
}

func (c *cli) genBinder() (*binder, *genArgs) {
	a := &genArgs{db: DefaultConfig().DB, seed: 1}
	b := c.newBinder("gen", "vaaka gen --db FILE --uses N [--seed S] [--employees E]")
	b.String(&a.db, "db", "VAAKA_DB", "SQLite database file to create; it must be new or empty")
	b.fs.Int64Var(&a.uses, "uses", 0, "number of uses to generate, spread over the last two years")
	b.fs.Uint64Var(&a.seed, "seed", 1, "random seed: the same seed and N give the same organisation and uses")
	b.fs.IntVar(&a.employees, "employees", 0, "employees (default: N/2000, between 60 and 5000)")
	b.Bool(&a.quiet, "quiet", "VAAKA_GEN_QUIET", "print only the summary")
	b.fs.StringVar(&a.profile, "cpuprofile", "", "write a CPU profile of the generation to this file")
	return b, a
}

func (c *cli) gen(args []string) error {
	b, a := c.genBinder()
	if err := b.Parse(args); err != nil {
		return err
	}
	if a.uses < 0 {
		return usagef("gen: --uses must be at least 0")
	}
	if a.employees == 0 {
		a.employees = int(min(max(a.uses/2000, 60), 5000))
	}
	if a.employees < 20 || a.employees > 100000 {
		return usagef("gen: --employees must be between 20 and 100000")
	}
	d, err := openDB(a.db)
	if err != nil {
		return err
	}
	defer d.Close()
	ctx := c.ctx
	if empty, err := isEmpty(ctx, d); err != nil {
		return err
	} else if !empty {
		return fmt.Errorf("gen: %s already holds data; give a new file", a.db)
	}
	if a.profile != "" {
		f, err := os.Create(a.profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	g := newGenerator(ctx, d, a, c)
	facts, err := g.run()
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	took := time.Since(start)
	facts.GeneratedInSecs = took.Seconds()
	buf, err := json.Marshal(facts)
	if err != nil {
		return err
	}
	if err := d.SetMeta(ctx, metaGen, string(buf)); err != nil {
		return err
	}
	rate := 0.0
	if took > 0 {
		rate = float64(a.uses) / took.Seconds()
	}
	fmt.Fprintf(c.stdout, "Generated %d uses, %d employees, %d activities in %s (%.0f uses/s) into %s.\n",
		a.uses, a.employees, len(facts.Activities), took.Round(time.Millisecond), rate, a.db)
	fmt.Fprintf(c.stdout, "Logins (password %q): hr %s, dpo %s, supervisor %s, employee %s (%s, the most monitored).\n",
		genPassword, facts.HR, facts.DPO, facts.Supervisors[0], facts.HeavyEmail, facts.HeavyEmployee)
	return nil
}

// generator holds the organisation being generated and the simulated clock.
type generator struct {
	ctx context.Context
	d   *db.DB
	a   *genArgs
	c   *cli
	rnd *rand.Rand
	sim atomic.Int64 // simulated Unix nanoseconds

	start, end time.Time
	units      []genUnit
	acts       []*genActivity
	actPick    []float64 // cumulative weights of acts
	hr, dpo    string
	staffUnit  map[string]int
	extSeq     int64
	refSeq     int64
	recent     []genRecent // recordings used lately, for follow-ups and re-listens
}

type genUnit struct {
	name        string
	staff       []string // heaviest first (Zipf rank order)
	zipf        *rand.Zipf
	supervisors []string
	supZipf     *rand.Zipf
}

type genActivity struct {
	id        int64
	units     []int
	purposes  []string
	weight    float64
	retention int
	from, to  time.Time // when it takes uses: active, or (draft) piloted
	direction monitoring.Direction
}

type genRecent struct {
	ref     string
	call    time.Time
	act     *genActivity
	staffID string
}

var genUnitNames = []string{
	"Asiakaspalvelu Helsinki", "Asiakaspalvelu Tampere", "Asiakaspalvelu Oulu", "Myynti", "Tekninen tuki",
	"Laskutus", "Perintä", "Vakuutuspalvelu", "Yritysasiakkaat", "Kundtjänst Vasa", "Reklamaatiot", "Takaisinsoitot",
}

func newGenerator(ctx context.Context, d *db.DB, a *genArgs, c *cli) *generator {
	end := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	return &generator{
		ctx: ctx, d: d, a: a, c: c,
		rnd:   rand.New(rand.NewPCG(a.seed, 0x5eed)),
		start: end.AddDate(-2, 0, 0), end: end,
		hr: "hr@" + genDomain, dpo: "dpo@" + genDomain, staffUnit: map[string]int{},
	}
}

// at moves the simulated clock to t (never backwards).
func (g *generator) at(t time.Time) {
	n := t.UnixNano()
	for {
		old := g.sim.Load()
		if old >= n || g.sim.CompareAndSwap(old, n) {
			return
		}
	}
}

func (g *generator) logf(format string, args ...any) {
	if !g.a.quiet {
		fmt.Fprintf(g.c.stderr, format+"\n", args...)
	}
}

func (g *generator) run() (*genFacts, error) {
	prev := g.d.Now
	var simulating atomic.Bool
	simulating.Store(true)
	g.d.Now = func() time.Time {
		if simulating.Load() {
			return time.Unix(0, g.sim.Load()).UTC()
		}
		return prev()
	}
	defer simulating.Store(false)
	g.at(g.start.AddDate(0, 0, -60))

	if err := g.organisation(); err != nil {
		return nil, err
	}
	if err := g.people(); err != nil {
		return nil, err
	}
	if err := g.activities(); err != nil {
		return nil, err
	}
	if err := g.uses(); err != nil {
		return nil, err
	}
	simulating.Store(false)
	f := &genFacts{Uses: g.a.uses, Seed: g.a.seed, Password: genPassword, HR: g.hr, DPO: g.dpo,
		Start: g.start.Format(time.RFC3339), End: g.end.Format(time.RFC3339)}
	// The busiest unit's heaviest employee, and a light one elsewhere.
	busiest := g.units[g.acts[0].units[0]]
	f.HeavyEmployee, f.HeavyEmail = busiest.staff[0], genEmployeeEmail(busiest.staff[0])
	light := busiest.staff[len(busiest.staff)/2]
	f.LightEmployee, f.LightEmail = light, genEmployeeEmail(light)
	f.Supervisors = append(f.Supervisors, busiest.supervisors...)
	for _, a := range g.acts {
		f.Activities = append(f.Activities, a.id)
	}
	for _, u := range g.units {
		f.StaffIDs = append(f.StaffIDs, u.staff[:min(3, len(u.staff))]...)
	}
	return f, nil
}

func (g *generator) organisation() error {
	o := monitoring.Organisation{
		Name: "Generoitu Oy", BusinessID: demoBusinessID(), Address: "Testikatu 1, 00100 Helsinki",
		DPOContact: "dpo@" + genDomain, PrivacyNoticeURL: "https://" + genDomain + "/tietosuoja",
		Sector: monitoring.SectorPrivate, Headcount: g.a.employees, DefaultLanguage: monitoring.Finnish, TimeZone: "Europe/Helsinki",
	}
	return db.NewSettingsService(g.d).UpdateOrganisation(g.ctx, cliActor, o)
}

func genEmployeeEmail(staffID string) string { return "employee." + staffID + "@" + genDomain }

// people creates the units, the employees (one import), the supervisors
// (one per 25 employees, at least one per unit), HR, the DPO and logins for
// a few employees.
func (g *generator) people() error {
	es := db.NewEmployeeService(g.d)
	nUnits := min(len(genUnitNames), max(4, g.a.employees/150))
	for i := range nUnits {
		g.units = append(g.units, genUnit{name: genUnitNames[i]})
		if err := es.CreateUnit(g.ctx, g.hr, genUnitNames[i]); err != nil {
			return err
		}
	}
	langs := []monitoring.Language{monitoring.Finnish, monitoring.Finnish, monitoring.Finnish, monitoring.Finnish, monitoring.Swedish, monitoring.English}
	var rows []*monitoring.Employee
	for i := range g.a.employees {
		id := fmt.Sprintf("G%06d", i+1)
		// Units differ in size: the first ones are the big contact centres.
		u := int(float64(nUnits) * g.rnd.Float64() * g.rnd.Float64())
		g.units[u].staff = append(g.units[u].staff, id)
		g.staffUnit[id] = u
		rows = append(rows, &monitoring.Employee{StaffID: id, Name: "Työntekijä " + id, Email: genEmployeeEmail(id),
			Unit: g.units[u].name, Language: langs[g.rnd.IntN(len(langs))], Active: true})
	}
	for i := range g.units {
		if len(g.units[i].staff) == 0 { // every unit has someone
			id := fmt.Sprintf("G%06d", len(rows)+1)
			g.units[i].staff = append(g.units[i].staff, id)
			g.staffUnit[id] = i
			rows = append(rows, &monitoring.Employee{StaffID: id, Name: "Työntekijä " + id, Email: genEmployeeEmail(id),
				Unit: g.units[i].name, Language: monitoring.Finnish, Active: true})
		}
	}
	if _, err := es.ImportEmployees(g.ctx, g.hr, rows); err != nil {
		return fmt.Errorf("employees: %w", err)
	}
	hash, err := app.HashPassword(genPassword)
	if err != nil {
		return err
	}
	acc := db.NewAccountService(g.d)
	add := func(email, name, roles, staffID string) error {
		rs, err := monitoring.ParseRoles(roles)
		if err != nil {
			return err
		}
		u := &monitoring.User{Email: email, Name: name, Roles: rs, StaffID: staffID, Language: monitoring.Finnish, Active: true, PasswordHash: hash}
		if err := acc.CreateUser(g.ctx, cliActor, u); err != nil {
			return fmt.Errorf("user %s: %w", email, err)
		}
		return nil
	}
	for _, u := range []struct{ email, name, roles string }{
		{g.hr, "Henkilöstöhallinto", "hr"}, {g.dpo, "Tietosuojavastaava", "dpo"}, {"admin@" + genDomain, "Pääkäyttäjä", "admin"},
	} {
		if err := add(u.email, u.name, u.roles, ""); err != nil {
			return err
		}
	}
	for i := range g.units {
		u := &g.units[i]
		// Heaviest first: a random order of the unit's staff is its rank.
		g.rnd.Shuffle(len(u.staff), func(a, b int) { u.staff[a], u.staff[b] = u.staff[b], u.staff[a] })
		u.zipf = rand.NewZipf(g.rnd, 1.1, 2, uint64(len(u.staff)-1))
		n := max(1, len(u.staff)/25)
		for j := range n {
			email := fmt.Sprintf("supervisor.%02d.%02d@%s", i+1, j+1, genDomain)
			u.supervisors = append(u.supervisors, email)
			if err := add(email, fmt.Sprintf("Esihenkilö %d/%d", i+1, j+1), "supervisor", ""); err != nil {
				return err
			}
		}
		u.supZipf = rand.NewZipf(g.rnd, 1.3, 1, uint64(n-1))
		// Logins for the unit's heaviest employee and one in the middle.
		for _, s := range []string{u.staff[0], u.staff[len(u.staff)/2]} {
			if err := add(genEmployeeEmail(s), "Työntekijä "+s, "employee", s); err != nil && monitoring.ErrorCodeOf(err) != monitoring.Conflict {
				return err
			}
		}
	}
	return nil
}

// activities registers the monitoring activities: most active for the two
// years, one suspended after 16 months, one retired after a year and one
// draft piloted in the last two months (its uses are flagged).
func (g *generator) activities() error {
	reg := db.NewRegisterService(g.d)
	span := g.end.Sub(g.start)
	type plan struct {
		name      string
		weight    float64
		status    monitoring.Status
		change    time.Time // suspended or retired at; draft: pilot start
		retention int
	}
	plans := []plan{
		{"Asiakaspalvelujonon puhelujen tallentaminen", 40, monitoring.StatusActive, time.Time{}, 90},
		{"Myynnin lähtevien puhelujen tallentaminen", 15, monitoring.StatusActive, time.Time{}, 540},
		{"Teknisen tuen puhelujen tallentaminen", 12, monitoring.StatusActive, time.Time{}, 90},
		{"Laskutuksen ja perinnän puhelujen tallentaminen", 10, monitoring.StatusSuspended, g.start.Add(span * 2 / 3), 180},
		{"Vakuutuspalvelun puhelujen tallentaminen", 8, monitoring.StatusActive, time.Time{}, 365},
		{"Yritysasiakkaiden puhelujen tallentaminen", 6, monitoring.StatusActive, time.Time{}, 90},
		{"Vanhan puhelinvaihteen tallennus", 6, monitoring.StatusRetired, g.start.Add(span / 2), 60},
		{"Puheanalytiikan pilotti", 3, monitoring.StatusDraft, g.end.AddDate(0, -2, 0), 30},
	}
	purposes := []monitoring.Purpose{
		{Code: "quality", Description: "Palvelun laadun varmistaminen ja valmentaminen"},
		{Code: "dispute_resolution", Description: "Sovitun todentaminen reklamaatioissa"},
		{Code: "training", Description: "Perehdytys esimerkkipuheluilla"},
	}
	created := g.start.AddDate(0, 0, -45)
	for i, p := range plans {
		// Each activity covers one to three units, the first ones the big ones.
		first := i % len(g.units)
		units := []int{first}
		for k := 1; k < 1+i%3 && k < len(g.units); k++ {
			units = append(units, (first+k*5)%len(g.units))
		}
		a := &monitoring.Activity{
			Name: p.name, Method: monitoring.CallRecording, System: "Kontakti Cloud",
			Purposes: purposes[:2+i%2], RetentionDays: p.retention, LawfulBasis: monitoring.LegitimateInterests,
			DataCategories: []string{"voice", "call_metadata"}, BusinessLinesOnly: true,
		}
		a.Directions = []monitoring.Direction{monitoring.Inbound}
		if i == 1 {
			a.Directions = []monitoring.Direction{monitoring.Outbound}
		}
		seen := map[string]bool{}
		for _, u := range units {
			a.Units = append(a.Units, g.units[u].name)
			for _, s := range g.units[u].supervisors {
				if !seen[s] && len(a.AuthorizedUsers) < monitoring.MaxList {
					seen[s] = true
					a.AuthorizedUsers = append(a.AuthorizedUsers, monitoring.AuthorizedUser{Email: s, Task: "Esihenkilö: laatuvalmennus"})
				}
			}
		}
		at := created.Add(time.Duration(i) * time.Hour)
		g.at(at)
		if err := reg.CreateActivity(g.ctx, g.hr, a); err != nil {
			return fmt.Errorf("activity %q: %w", p.name, err)
		}
		ga := &genActivity{id: a.ID, units: units, weight: p.weight, retention: p.retention, from: g.start, to: g.end, direction: a.Directions[0]}
		for _, pp := range a.Purposes {
			ga.purposes = append(ga.purposes, pp.Code)
		}
		switch p.status {
		case monitoring.StatusDraft:
			ga.from = p.change
		default:
			if err := reg.SeedStatus(g.ctx, a.ID, monitoring.StatusActive, g.start.AddDate(0, 0, -1)); err != nil {
				return err
			}
			if p.status != monitoring.StatusActive {
				// Seeded now, valid from the change: flags at a use's
				// occurred_at see the change from then on.
				if err := reg.SeedStatus(g.ctx, a.ID, p.status, p.change); err != nil {
					return err
				}
				ga.to = p.change
				if p.status == monitoring.StatusSuspended {
					// A few uses after the suspension (flagged R-SEQ-1).
					ga.to = p.change.AddDate(0, 0, 20)
				}
			}
		}
		g.acts = append(g.acts, ga)
	}
	return nil
}

// genDay is the number of uses of one day.
type genDay struct {
	day time.Time // local midnight
	n   int
}

// schedule spreads N uses over the days: weekdays busy, weekends quiet, a
// growth of use over the two years, by largest remainder so that the
// counts add up to N exactly.
func (g *generator) schedule() []genDay {
	var days []genDay
	var weights []float64
	total := 0.0
	loc := monitoring.Helsinki
	s := g.start.In(loc)
	for d := time.Date(s.Year(), s.Month(), s.Day()+1, 0, 0, 0, 0, loc); d.Before(g.end.Add(-24 * time.Hour)); d = d.AddDate(0, 0, 1) {
		w := 1.0
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			w = 0.08
		}
		w *= 0.6 + 0.8*float64(d.Sub(g.start))/float64(g.end.Sub(g.start))
		days = append(days, genDay{day: d})
		weights = append(weights, w)
		total += w
	}
	type rem struct {
		i int
		r float64
	}
	var rems []rem
	assigned := int64(0)
	for i, w := range weights {
		x := float64(g.a.uses) * w / total
		days[i].n = int(x)
		assigned += int64(days[i].n)
		rems = append(rems, rem{i, x - float64(days[i].n)})
	}
	sort.Slice(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; assigned < g.a.uses; k++ {
		days[rems[k%len(rems)].i].n++
		assigned++
	}
	return days
}

// uses generates the uses day by day and writes them in batches of 1000
// through the use writer, a few batches in flight. Once per simulated
// month the expired recordings are confirmed deleted.
func (g *generator) uses() error {
	total := 0.0
	for _, a := range g.acts {
		total += a.weight
		g.actPick = append(g.actPick, total)
	}
	svc := db.NewUseService(g.d)
	workers := max(2, runtime.GOMAXPROCS(0)+1)
	batches := make(chan []*monitoring.Use, workers)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		inflight sync.WaitGroup
	)
	fail := func(err error) { errOnce.Do(func() { firstErr = err }) }
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				if _, err := svc.RecordUses(g.ctx, b); err != nil {
					fail(err)
				}
				inflight.Done()
			}
		}()
	}
	send := func(b []*monitoring.Use) {
		// The clock is past every use of the batch before it is submitted.
		g.at(b[len(b)-1].OccurredAt.Add(time.Minute))
		inflight.Add(1)
		batches <- b
	}
	defer func() {
		close(batches)
		wg.Wait()
	}()

	batch := make([]*monitoring.Use, 0, genBatch)
	written := int64(0)
	lastMonth := ""
	started := time.Now()
	for _, day := range g.schedule() {
		if m := day.day.Format("2006-01"); m != lastMonth {
			if lastMonth != "" {
				if len(batch) > 0 {
					send(batch)
					batch = make([]*monitoring.Use, 0, genBatch)
				}
				inflight.Wait()
				if firstErr != nil {
					return firstErr
				}
				if err := g.confirmDeletions(day.day); err != nil {
					return err
				}
				g.logf("gen: %s: %d uses (%.0f/s)", lastMonth, written, float64(written)/time.Since(started).Seconds())
			}
			lastMonth = m
		}
		times := make([]time.Time, day.n)
		for i := range times {
			// Opening hours 8–18 local time, busiest mid-morning.
			h := 8 + 10*g.rnd.Float64()*(0.5+0.5*g.rnd.Float64())
			times[i] = day.day.Add(time.Duration(h * float64(time.Hour))).Truncate(time.Second).UTC()
		}
		sort.Slice(times, func(a, b int) bool { return times[a].Before(times[b]) })
		for _, t := range times {
			if err := g.ctx.Err(); err != nil {
				return err
			}
			if t.After(g.end) {
				t = g.end
			}
			batch = append(batch, g.use(t))
			written++
			if len(batch) == genBatch {
				send(batch)
				batch = make([]*monitoring.Use, 0, genBatch)
				if firstErr != nil {
					return firstErr
				}
			}
		}
	}
	if len(batch) > 0 {
		send(batch)
	}
	inflight.Wait()
	if firstErr != nil {
		return firstErr
	}
	g.at(g.end)
	return g.confirmDeletions(g.end)
}

// pickActivity chooses an activity taking uses at t, by weight.
func (g *generator) pickActivity(t time.Time) *genActivity {
	for range 20 {
		x := g.rnd.Float64() * g.actPick[len(g.actPick)-1]
		i := sort.SearchFloat64s(g.actPick, x)
		if a := g.acts[min(i, len(g.acts)-1)]; !t.Before(a.from) && t.Before(a.to) {
			return a
		}
	}
	return g.acts[0]
}

// use makes one use occurring at t. Most are compliant; a few percent carry
// each kind of flag, as integrations and people make mistakes.
func (g *generator) use(t time.Time) *monitoring.Use {
	r := g.rnd
	a := g.pickActivity(t)
	ui := a.units[r.IntN(len(a.units))]
	unit := &g.units[ui]
	staff := unit.staff[unit.zipf.Uint64()]
	usedBy := unit.supervisors[unit.supZipf.Uint64()]
	purpose := a.purposes[min(int(r.ExpFloat64()*0.7), len(a.purposes)-1)]
	action := monitoring.Listened
	var ref string
	var call time.Time
	switch x := r.Float64(); {
	case x < 0.25 && len(g.recent) > 0:
		// The evaluation of a call listened to shortly before.
		rc := g.recent[len(g.recent)-1-r.IntN(min(len(g.recent), 20))]
		ref, call, staff, action = rc.ref, rc.call, rc.staffID, monitoring.Evaluated
		a = rc.act
		if !t.After(call) {
			call = t.Add(-time.Hour)
		}
	case x < 0.253 && len(g.recent) > 200:
		// A recording dug out months later (retention_exceeded, or
		// recording_deleted when its deletion was confirmed).
		rc := g.recent[r.IntN(len(g.recent)/2)]
		ref, call, staff, a = rc.ref, rc.call, rc.staffID, rc.act
		action = monitoring.Downloaded
	}
	if ref == "" {
		g.refSeq++
		ref = fmt.Sprintf("GEN-%09d", g.refSeq)
		call = t.Add(-time.Duration(10+r.IntN(3*24*60)) * time.Minute)
		g.recent = append(g.recent, genRecent{ref: ref, call: call, act: a, staffID: staff})
		if len(g.recent) > 4000 {
			g.recent = append(g.recent[:0], g.recent[2000:]...)
		}
	}
	u := &monitoring.Use{
		ActivityID: a.id, RecordingRef: ref, CallStartedAt: call, Direction: a.direction,
		EmployeeStaffIDs: []string{staff}, UsedBy: usedBy, Action: action, Purpose: purpose, OccurredAt: t,
	}
	switch x := r.Float64(); {
	case x < 0.03:
		u.Purpose = "" // purpose_missing: an integration without the purpose
	case x < 0.04:
		u.Purpose = "performance_review" // purpose_not_registered
	case x < 0.055:
		u.UsedBy = g.hr // unauthorized_user
	case x < 0.065:
		// employee_not_covered: a call transferred from another unit.
		o := &g.units[r.IntN(len(g.units))]
		u.EmployeeStaffIDs[0] = o.staff[r.IntN(len(o.staff))]
	case x < 0.095:
		// A conference call: two employees of the unit.
		if o := unit.staff[r.IntN(len(unit.staff))]; o != staff {
			u.EmployeeStaffIDs = append(u.EmployeeStaffIDs, o)
		}
	}
	g.extSeq++
	if r.IntN(10) < 6 {
		u.Source, u.ExternalID = monitoring.SourceAPI, fmt.Sprintf("kontakti-%010d", g.extSeq)
	} else {
		u.Source, u.ExternalID = monitoring.SourceWeb, fmt.Sprintf("web-gen-%010d", g.extSeq)
	}
	if r.IntN(4) == 0 {
		u.Note = "Laatuvalmennus: kuukausiotos."
	}
	return u
}

// confirmDeletions records, as of at, the deletion of every recording whose
// deadline passed more than two days before, six hours after its deadline,
// except one in 100000 left overdue; one summary audit entry. It runs while
// no use request is in flight.
func (g *generator) confirmDeletions(at time.Time) error {
	raw, err := sql.Open("sqlite", g.d.Path()+"?_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		return err
	}
	defer raw.Close()
	res, err := raw.ExecContext(g.ctx, `UPDATE recordings
		SET deleted_at = strftime('%Y-%m-%dT%H:%M:%S', substr(deletion_due, 1, 19), '+6 hours') || substr(deletion_due, 20),
		    deleted_by = ?
		WHERE deleted_at = '' AND deletion_due <> '' AND deletion_due < ? AND ref NOT LIKE '%00000'`,
		g.hr, at.AddDate(0, 0, -2).UTC().Format("2006-01-02T15:04:05.000000000Z"))
	if err != nil {
		return fmt.Errorf("confirm deletions: %w", err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return nil
	}
	g.at(at)
	return db.NewAuditService(g.d).Record(g.ctx, g.hr, "recording.deleted_bulk", "recording", "gen",
		map[string]any{"count": n, "before": at.AddDate(0, 0, -2).UTC().Format(time.RFC3339)})
}
