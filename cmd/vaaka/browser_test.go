package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vaaka/app"
	"vaaka/db"
	"vaaka/monitoring"
)

// The browser tests drive the real server, in process on a free port over a
// copy of the demo database, with headless Chromium: the journeys a newcomer
// would take first. Without Chromium they skip, except under CI=true, where
// a missing browser is a failure (.ci/run installs it).

// chromiumPath finds the browser or skips (fails under CI).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("browser tests: Chromium not found under CI=true (apt-get install chromium)")
	}
	t.Skip("browser tests skipped: Chromium not found (apt-get install chromium to run them)")
	return ""
}

// browserServer is the real application serving a copy of the demo data.
type browserServer struct {
	URL string
	DB  *db.DB
}

// startBrowserServer serves the demo organisation on 127.0.0.1:0 with the
// clock frozen at the time the demo data was seeded for.
func startBrowserServer(t *testing.T) *browserServer {
	t.Helper()
	d, _ := openDemoCopy(t)
	d.Now = func() time.Time { return testNow }
	deps := newDeps(d, discardLogger())
	deps.Now = func() time.Time { return testNow }
	cfg := DefaultConfig()
	srv, err := app.New(cfg.AppConfig(true), deps)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.App().Listener(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		<-done
	})
	return &browserServer{URL: "http://" + ln.Addr().String(), DB: d}
}

// newBrowser starts a headless Chromium with a fresh profile and returns a
// tab context; the browser ends with the test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("password-store", "basic"),
		chromedp.WindowSize(1280, 1000),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// Start the browser on a context without a deadline (a deadline on the
	// first run would bound the browser's life).
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	return ctx
}

// step runs actions with a generous guard against a hung browser (not a
// timing assertion: a slow machine only takes longer).
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("%s: %v\nat %s:\n%s", what, err, loc, clip(html, 3000))
	}
}

// read runs one action returning a value, with the same guard.
func read[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// signIn signs in through the login form and waits for the signed-in page.
func signIn(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	step(t, ctx, "sign in as "+email,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="email"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.logout`)),
	)
}

// path is the current page's path, without the query.
func path(t *testing.T, ctx context.Context) string {
	t.Helper()
	loc := read(t, ctx, "location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("location %q: %v", loc, err)
	}
	return u.Path
}

// TestBrowser_HRCreatesActivity: HR signs in, lands on the dashboard, creates
// an activity through the form and sees its readiness checklist (R-SEQ-1),
// with the rules that a new draft does not meet yet.
func TestBrowser_HRCreatesActivity(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	srv := startBrowserServer(t)
	ctx := newBrowser(t)
	cat, err := app.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}

	signIn(t, ctx, srv.URL, demoHR)
	if p := path(t, ctx); p != "/dashboard" {
		t.Errorf("HR landed on %s, want /dashboard", p)
	}
	banner := read(t, ctx, "demo banner", chromedp.Text(chromedp.CSS(`.demo`)))
	if want := cat.T(monitoring.Finnish, "web.demo_banner"); !strings.Contains(banner, want) {
		t.Errorf("demo banner %q, want %q", banner, want)
	}

	const name = "Jälkikäsittelyjonon puhelujen tallennus – äänitteiden laatu"
	step(t, ctx, "fill the activity form",
		chromedp.Navigate(srv.URL+"/activities/new"),
		chromedp.WaitVisible(chromedp.CSS(`form input[name="name"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="name"]`), name),
		chromedp.SetValue(chromedp.CSS(`textarea[name="description"]`), "Jälkikäsittelyn saapuvat puhelut tallennetaan; pilotoidaan ensin yhdessä tiimissä."),
		chromedp.Click(chromedp.CSS(`input[name="directions"][value="inbound"]`)),
		chromedp.Click(chromedp.CSS(`input[name="units"][value="Asiakaspalvelu"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="purposes[0].code"]`), "quality"),
		chromedp.SetValue(chromedp.CSS(`input[name="purposes[0].description"]`), "Laadun varmistaminen ja valmennus"),
		chromedp.SetValue(chromedp.CSS(`input[name="authorized_users[0].email"]`), demoSupervisor),
		chromedp.SetValue(chromedp.CSS(`input[name="authorized_users[0].task"]`), "Tiiminvetäjä: laatuvalmennus"),
		chromedp.SetValue(chromedp.CSS(`input[name="retention_days"]`), "60"),
		chromedp.Click(chromedp.CSS(`form[action="/activities"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.checklist`)),
	)
	if p := path(t, ctx); !regexp.MustCompile(`^/activities/\d+$`).MatchString(p) {
		t.Errorf("after create at %s, want /activities/{id}", p)
	}
	if h1 := read(t, ctx, "heading", chromedp.Text(chromedp.CSS(`main h1`))); h1 != name {
		t.Errorf("heading %q, want %q", h1, name)
	}
	checklist := read(t, ctx, "checklist", chromedp.Text(chromedp.CSS(`table.checklist`)))
	for _, rule := range []string{"R-LAW-1", "R-NEC-1", "R-PUR-1", "R-RET-1", "R-INF-1", "R-DPIA-1"} {
		if !strings.Contains(checklist, rule) {
			t.Errorf("checklist lacks %s:\n%s", rule, checklist)
		}
	}
	unmet := read(t, ctx, "unmet rows", chromedp.Evaluate[int](`document.querySelectorAll("table.checklist .unmet").length`))
	met := read(t, ctx, "met rows", chromedp.Evaluate[int](`document.querySelectorAll("table.checklist .met").length`))
	if unmet == 0 || met == 0 {
		t.Errorf("checklist has %d met and %d unmet rows; a new draft with purposes but no lawful basis has both", met, unmet)
	}

	// The register holds the new draft.
	acts, _, err := db.NewRegisterService(srv.DB).ListActivities(context.Background(), monitoring.ActivityFilter{Status: monitoring.StatusDraft, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range acts {
		if a.Name == name {
			found = true
			if len(a.Purposes) != 1 || a.RetentionDays != 60 || !a.Covers("Asiakaspalvelu") || !a.Authorizes(demoSupervisor) {
				t.Errorf("stored activity %+v", a)
			}
		}
	}
	if !found {
		t.Errorf("no draft named %q in the register", name)
	}
}

// TestBrowser_SupervisorRecordsUse: a supervisor records a use through the
// form — of an employee outside the activity's units and without a purpose —
// and sees its flags with their rule ids (R-PUR-1, R-NOT-1).
func TestBrowser_SupervisorRecordsUse(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	srv := startBrowserServer(t)
	ctx := newBrowser(t)
	cat, err := app.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	activityID := demoActivityID(t, srv.DB, "Asiakaspalvelujonon puhelujen tallentaminen laadun varmistamiseksi")
	callDay := testNow.In(monitoring.Helsinki).AddDate(0, 0, -1).Format("2006-01-02")

	signIn(t, ctx, srv.URL, demoSupervisor)
	step(t, ctx, "fill the use form",
		chromedp.Navigate(srv.URL+"/uses/new"),
		chromedp.WaitVisible(chromedp.CSS(`select[name="activity_id"]`)),
		chromedp.SetValue(chromedp.CSS(`select[name="activity_id"]`), fmt.Sprint(activityID)),
		chromedp.SetValue(chromedp.CSS(`input[name="recording_ref"]`), "KC-BROWSER-0001"),
		chromedp.SetValue(chromedp.CSS(`input[name="call_date"]`), callDay),
		chromedp.SetValue(chromedp.CSS(`input[name="call_time"]`), "10:15"),
		chromedp.Click(chromedp.CSS(`input[name="direction"][value="inbound"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="employee_staff_ids"]`), "E1035"),
		chromedp.SetValue(chromedp.CSS(`select[name="action"]`), "listened"),
		chromedp.SetValue(chromedp.CSS(`select[name="purpose"]`), ""),
		chromedp.SetValue(chromedp.CSS(`textarea[name="note"]`), "Kuunneltu asiakkaan pyynnöstä – tarkoitus jäi kirjaamatta."),
		chromedp.Click(chromedp.CSS(`form[action="/uses"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dl.props`)),
	)
	if p := path(t, ctx); !regexp.MustCompile(`^/uses/[0-9a-f-]{36}$`).MatchString(p) {
		t.Errorf("after recording at %s, want /uses/{id}", p)
	}
	flags := read(t, ctx, "flags", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("th.flag")).map(e => e.textContent.replace("⚠", "").trim())`))
	rules := read(t, ctx, "rules", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("td.rule")).map(e => e.textContent.trim())`))
	for _, f := range []monitoring.Flag{monitoring.FlagPurposeMissing, monitoring.FlagEmployeeNotCovered} {
		want := cat.T(monitoring.Finnish, "flag."+string(f))
		if !containsString(flags, want) {
			t.Errorf("flags shown %q lack %q", flags, want)
		}
		if !containsString(rules, monitoring.FlagRules[f]) {
			t.Errorf("rules shown %q lack %s", rules, monitoring.FlagRules[f])
		}
	}

	// The use is in the log, made by the signed-in supervisor, from the web.
	uses, _, err := db.NewUseService(srv.DB).ListUses(context.Background(), monitoring.UseFilter{UsedBy: demoSupervisor, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(uses) != 1 || uses[0].RecordingRef != "KC-BROWSER-0001" || uses[0].Source != monitoring.SourceWeb ||
		uses[0].ActivityID != activityID || uses[0].Purpose != "" {
		t.Fatalf("newest use of %s: %+v", demoSupervisor, uses)
	}
	// The chain still verifies with the new entry.
	if r, err := db.NewUseService(srv.DB).VerifyUses(context.Background()); err != nil || !r.OK {
		t.Errorf("use chain after the web use: %+v, %v", r, err)
	}
}

func demoActivityID(t *testing.T, d *db.DB, name string) int64 {
	t.Helper()
	acts, _, err := db.NewRegisterService(d).ListActivities(context.Background(), monitoring.ActivityFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acts {
		if a.Name == name {
			return a.ID
		}
	}
	t.Fatalf("no demo activity %q", name)
	return 0
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
